"""Earlier services for the same patient, as plain data for the payer rules.

Frequency limits ("4 ESI sessions per region per rolling 12 months") need the patient's earlier
procedures.  The store finds them by ``gateway.domain.identity.patient_key`` (a sha256, so
look-ups never query on names or member ids).  Rules never query anything themselves: the caller
passes a ``History`` in (``gateway.store.history.HistoryProvider`` builds one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


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
