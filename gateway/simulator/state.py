"""What the simulator remembers between cycles: one JSON file in its work folder (mode 0600).

* its own control numbers (ISA13, GS06, ST02, payer claim numbers, certification numbers),
* the interchanges it accepted (sender + ISA13), so that a resend without new control
  numbers is refused with TA1 025 as a real clearinghouse does,
* claims accepted in a 277CA and waiting for their 835, with the cycle it is due in,
* pended 278 reviews waiting to be certified,
* how much deductible each subscriber has met (keyed by a hash, not by member id),
* the responses written but not yet sent, and the uploads answered but not yet removed, so a
  crash in the middle of a cycle neither loses nor repeats an answer.

The file holds patient names of pending claims (an 835 repeats them), like any spool file:
it is written atomically with mode 0600 and never logged.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.errors import ConfigError
from gateway.simulator.submission import Parties, Submitted278, SubmittedClaim
from gateway.spool import write_atomic

STATE_FILE = "state.json"
_LIMITS = {"interchange": 999_999_999, "group": 999_999_999, "transaction": 9_999}


class PendingClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim: SubmittedClaim
    payer_claim_number: str
    parties: Parties
    due_cycle: int


class PendingReview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request: Submitted278
    parties: Parties
    due_cycle: int


class SimulatorState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle: int = 0
    counters: dict[str, int] = Field(default_factory=dict)
    accepted_interchanges: list[str] = Field(default_factory=list)
    pending_claims: list[PendingClaim] = Field(default_factory=list)
    pending_reviews: list[PendingReview] = Field(default_factory=list)
    deductible_met: dict[str, Decimal] = Field(default_factory=dict)
    remittances: int = 0
    outbox: list[str] = Field(default_factory=list)  # written to sent/, not yet confirmed sent
    answered: dict[str, str] = Field(default_factory=dict)  # upload name -> sha256, not yet removed

    def next(self, kind: str) -> int:
        """The next number of ``kind``; numbers wrap to 1 past their X12 width."""
        value = self.counters.get(kind, 0) + 1
        if value > _LIMITS.get(kind, 999_999_999):
            value = 1
        self.counters[kind] = value
        return value

    def remember_interchange(self, key: str) -> None:
        if key not in self.accepted_interchanges:
            self.accepted_interchanges.append(key)

    @staticmethod
    def subscriber_key(payer_id: str, member_id: str) -> str:
        return hashlib.sha256(f"{payer_id}|{member_id}".encode()).hexdigest()[:16]


def load_state(folder: Path) -> SimulatorState:
    path = folder / STATE_FILE
    if not path.exists():
        return SimulatorState()
    try:
        return SimulatorState.model_validate_json(path.read_bytes())
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the simulator state ({error.strerror})") from None
    except ValidationError:
        raise ConfigError(f"{path}: the simulator state is damaged; move it away to start afresh") from None


def save_state(folder: Path, state: SimulatorState) -> Path:
    return write_atomic(folder / STATE_FILE, state.model_dump_json(indent=1).encode("utf-8"))
