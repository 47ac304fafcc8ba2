"""What the status ledger records for one inbound file: pure records the store only matches and writes.

``gateway.inbound.ledger_entries`` turns a parsed file into a ``LedgerFile``; the store
(``gateway.store.ledger``) finds the claims each item names and appends the events.  Nothing
here knows about parsers or tables, so the store never imports the parser package.

Each ``LedgerItem`` says what it is about (``target``):

* ``InterchangeTarget``: a TA1 names our interchange (ISA13);
* ``TransactionTarget``: a 999/997 names our group (GS06) and transaction set (ST02);
* ``ClaimTarget``: a 277CA/277 or 835 names a claim by patient control number and charge, and
  an 835 also by the payee's NPI or the payer's id, so a PCN that repeats across billing NPIs
  is never matched to the wrong clinic.

An 835 item also carries its ``PaymentKey``: what the payment *means* (payer, check/EFT trace,
amount and date of the payment, and for a claim CLP01/CLP07/CLP02 reversal or not), so a
remittance re-sent in a new interchange is recognised whatever its control numbers.  A 999/997
or 277CA/277 item carries its ``response_key`` for the same purpose.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gateway.domain.status import ClaimStatus


@dataclass(frozen=True)
class Entry:
    kind: str  # event kind: ta1, 999, 277CA, 277, 835
    status: str  # event status (also the claim status when ``claim_status`` is set)
    summary: str
    detail: dict[str, Any]
    claim_status: ClaimStatus | None = None  # what claims.status becomes, if anything


@dataclass(frozen=True)
class InterchangeTarget:
    interchange_control_number: str  # TA101 = our ISA13


@dataclass(frozen=True)
class TransactionTarget:
    group_control_number: str  # AK102 = our GS06
    transaction_control_number: str  # AK202 = our ST02


@dataclass(frozen=True)
class ClaimTarget:
    patient_control_number: str
    charge: Decimal | None  # what we billed (CLP03 / STC04), sign dropped
    source: str  # the transaction type: 835, 277CA, 277
    payer_claim_control_number: str = ""  # CLP07 / REF*1K
    billing_npi: str = ""  # 835 N1*PE N104 when N103 is XX
    payer_id: str = ""  # 835 REF*2U, or N1*PR N104


@dataclass(frozen=True)
class PaymentKey:
    """An 835 transaction or claim payment by meaning, not by bytes or control numbers."""

    transaction: str  # payer|TRN02|BPR02|BPR16
    claim: str  # the transaction key + CLP01|CLP07|reversal
    description: str  # for messages: "trace EFT0001 of 1512345678, 755.00 on 20261127"

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()


Target = InterchangeTarget | TransactionTarget | ClaimTarget


@dataclass(frozen=True)
class LedgerItem:
    target: Target
    entry: Entry
    payment: PaymentKey | None = None  # 835 claims only
    # 999/997 transaction acknowledgments and 277CA/277 claim statuses: a digest of what the
    # answer says (codes, amounts, dates, which of our transactions or claims), without its own
    # control numbers, so the same answer re-sent in a new interchange is recognised.
    response_key: str | None = None


@dataclass(frozen=True)
class LedgerFile:
    """One inbound file as the ledger records it."""

    path: str
    sha256: str
    size: int
    kind: str  # its first transaction type, or TA1
    sender_id: str  # ISA06 of the first interchange: the clearinghouse or payer that sent it
    receiver_id: str
    interchange_control_number: str
    group_control_number: str | None
    summary: str
    items: tuple[LedgerItem, ...]
    findings: tuple[dict[str, Any], ...] = field(default=())
