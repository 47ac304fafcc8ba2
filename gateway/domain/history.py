"""Earlier services for the same patient, as plain data for the payer rules.

Frequency limits ("4 ESI sessions per region per rolling 12 months") need the patient's earlier
procedures.  The store finds them by ``patient_key``: a sha256 over payer id, member id and
birth date, so history look-ups never query on names or member ids and the key cannot be
reversed.  Rules never query anything themselves: the caller passes a ``History`` in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.domain.claim import Claim

_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in X12 text, so fields never run together


def patient_key(payer_id: str, member_id: str, birth_date: dt.date) -> str:
    """The stable, non-reversible patient key stored in ``claims.patient_key`` (64 hex chars)."""
    text = _SEPARATOR.join((payer_id.strip().upper(), member_id.strip().upper(), birth_date.isoformat()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def claim_patient_key(claim: Claim) -> str:
    """``patient_key`` of the claim's patient: the subscriber's member id and the patient's birth date.

    A dependant shares the subscriber's member id, so the birth date of the patient (not the
    subscriber) is what tells two family members apart.
    """
    person = claim.patient.person if claim.patient is not None else claim.subscriber.person
    return patient_key(claim.payer.payer_id, claim.subscriber.member_id, person.birth_date)


@dataclass(frozen=True, slots=True)
class PastService:
    """One earlier service line (from the store) for the same patient."""

    service_date: dt.date
    procedure_code: str
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)
    claim_ref: str = ""


@dataclass(frozen=True, slots=True)
class History:
    """Earlier service lines of one patient, oldest first; empty when nothing is known."""

    services: tuple[PastService, ...] = field(default_factory=tuple)

    @classmethod
    def empty(cls) -> History:
        return _EMPTY

    def __len__(self) -> int:
        return len(self.services)


_EMPTY = History()
