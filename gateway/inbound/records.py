"""What the inbound parsers produce: frozen records, no I/O, amounts as ``Decimal``.

One record type per thing a billing office asks about: an interchange acknowledgment (TA1),
a transaction acknowledgment (999/997), a claim status (277CA/277) and a paid or denied claim
(835); a 278's reviews are ``gateway.domain.auth_response.AuthResponse``.  Records carry the segment index where they start so that any finding can point at the
file position; they never carry patient names, member ids or birth dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from gateway.domain.auth_response import AuthResponse


@dataclass(frozen=True, slots=True)
class Envelope:
    """Where a transaction sits: ISA, GS and ST identifiers."""

    interchange_control_number: str
    sender_id: str
    receiver_id: str
    functional_id: str  # GS01: HP (835), HN (277), FA (999), HC (837), HI (278)
    group_control_number: str  # GS06
    implementation: str  # GS08
    transaction_set: str  # ST01
    control_number: str  # ST02
    segment_index: int  # of the ST


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """An ISA as read: the identity of the interchange that carried what follows."""

    interchange_control_number: str
    sender_id: str
    receiver_id: str
    date: str
    time: str
    usage: str  # ISA15: P production, T test
    segment_index: int


# --- TA1 -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ta1Ack:
    """TA1: the receiver's verdict on one of our interchanges (TA101 = our ISA13)."""

    interchange_control_number: str
    date: str
    time: str
    ack_code: str  # A accepted, E accepted with errors, R rejected
    note_code: str  # TA105 (000 = no error)
    carried_by: str  # ISA13 of the interchange the TA1 came in
    segment_index: int


# --- 999 / 997 -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ElementError:
    position: int  # IK401-1 / AK401-1
    code: str  # IK403 / AK403
    value: str  # IK404 / AK404 (copy of the bad data; may be empty)
    reference_number: str = ""  # IK402 data element reference number


@dataclass(frozen=True, slots=True)
class SegmentError:
    segment_id: str  # IK301
    position: int  # IK302: segment position in the acknowledged transaction set
    loop: str  # IK303
    code: str  # IK304
    element_errors: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class TransactionAck:
    """AK2 ... IK5: one acknowledged transaction set of the group named in AK1."""

    transaction_set: str  # AK201
    control_number: str  # AK202 = ST02 of the acknowledged transaction
    implementation: str  # AK203
    ack_code: str  # IK501 / AK501
    error_codes: tuple[str, ...]  # IK502..IK506
    segment_errors: tuple[SegmentError, ...]
    segment_index: int


@dataclass(frozen=True, slots=True)
class GroupAck:
    """AK1 + AK9 of a 999/997."""

    functional_id: str  # AK101
    acknowledged_group_control_number: str  # AK102 = GS06 of the acknowledged group
    version: str  # AK103
    ack_code: str  # AK901
    included: int | None  # AK902
    received: int | None  # AK903
    accepted: int | None  # AK904
    error_codes: tuple[str, ...]  # AK905..AK909


# --- 277CA / 277 -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusCode:
    """One STC composite (STC01, STC10 or STC11): category, status and entity."""

    category: str
    code: str
    entity: str = ""


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One STC segment."""

    statuses: tuple[StatusCode, ...]
    date: str  # STC02
    action: str  # STC03
    charge: Decimal | None  # STC04
    paid: Decimal | None  # STC05
    segment_index: int


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    procedure: str
    modifiers: tuple[str, ...]
    charge: Decimal | None
    reports: tuple[StatusReport, ...]


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """A claim-level status (2200D/2200E): TRN02 is our CLM01."""

    patient_control_number: str
    payer_claim_control_number: str  # REF*1K
    hl_level: str  # HL03 of the claim's level (PT, 22 or 23)
    reports: tuple[StatusReport, ...]
    service_lines: tuple[ServiceStatus, ...]
    service_date: str  # DTP*472 (D8 or RD8 value)
    segment_index: int

    @property
    def statuses(self) -> tuple[StatusCode, ...]:
        return tuple(status for report in self.reports for status in report.statuses)

    @property
    def charge(self) -> Decimal | None:
        return next((r.charge for r in self.reports if r.charge is not None), None)


@dataclass(frozen=True, slots=True)
class LevelStatus:
    """STC at an information source/receiver/provider level (e.g. 277CA batch acceptance)."""

    hl_level: str
    trace_number: str
    reports: tuple[StatusReport, ...]


# --- 835 -------------------------------------------------------------------------------------


# The 835 records are NamedTuples, not frozen dataclasses: a remittance creates hundreds of
# thousands of them and a NamedTuple is built about twice as fast (benchmarks/bench_parse_835.py).


class Adjustment(NamedTuple):
    group: str  # CAS01: CO, PR, OA, PI, CR
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None


class RemitServiceLine(NamedTuple):
    qualifier: str  # SVC01-1: HC, AD, N4 ...
    procedure: str  # SVC01-2
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal | None  # SVC05 (units paid; absent means 1)
    control_number: str  # REF*6R: our line item control number
    service_date: str
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...]  # LQ*HE RARCs
    segment_index: int


class RemitClaim(NamedTuple):
    patient_control_number: str  # CLP01 = our CLM01
    status_code: str  # CLP02: 1/2/3 processed, 4 denied, 22 reversal ...
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_indicator: str  # CLP06
    payer_claim_control_number: str  # CLP07
    adjustments: tuple[Adjustment, ...]
    service_lines: tuple[RemitServiceLine, ...]
    remarks: tuple[str, ...]  # MOA/MIA RARCs
    segment_index: int
    # NM1*TT N103: the payer the claim was forwarded to (crossover, CLP02 19/20/21); "" when none.
    crossover_payer: str = ""

    def all_adjustments(self) -> tuple[Adjustment, ...]:
        lines = tuple(a for line in self.service_lines for a in line.adjustments)
        return self.adjustments + lines


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    provider: str  # PLB01
    fiscal_period: str  # PLB02
    reason: str  # PLBnn-1
    reference: str  # PLBnn-2
    amount: Decimal
    segment_index: int


@dataclass(frozen=True, slots=True)
class Payment:
    amount: Decimal  # BPR02
    credit_debit: str  # BPR03
    method: str  # BPR04: ACH, CHK, NON ...
    date: str  # BPR16
    trace_number: str  # TRN02
    payer_id: str  # TRN03
    payer_name: str  # N1*PR N102 (a company, not a person)
    payer_identifier: str = ""  # REF*2U, else N1*PR N104: the payer id our claims carry
    payee_npi: str = ""  # N1*PE N104 when N103 is XX: the billing provider paid


# --- findings and whole transactions -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem that does not stop parsing: envelope counts, balancing, a skipped transaction."""

    kind: str  # envelope | transaction | balancing
    message: str
    segment_index: int | None = None
    control_number: str | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """One complete ST..SE with what its type parser found; ``body`` is type-specific."""

    envelope: Envelope
    type: str  # 835, 277CA, 277, 999, 997, 278, 837P or ST01
    body: Remittance | StatusResponse | Acknowledgment | AuthResponse | OpaqueTransaction


@dataclass(frozen=True, slots=True)
class Remittance:
    payment: Payment
    claims: tuple[RemitClaim, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]


@dataclass(frozen=True, slots=True)
class StatusResponse:
    claims: tuple[ClaimStatus, ...]
    levels: tuple[LevelStatus, ...]


@dataclass(frozen=True, slots=True)
class Acknowledgment:
    group: GroupAck
    transactions: tuple[TransactionAck, ...]


@dataclass(frozen=True, slots=True)
class OpaqueTransaction:
    """A transaction we carry but do not interpret (837P, others): only its size."""

    segment_count: int
