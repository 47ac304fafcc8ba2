"""A claim's states, why a claim is held, and the typed payloads of claim events (no I/O).

A claim row moves::

    received -> queued -> built -> sent -> acknowledged -> accepted | rejected -> paid | denied
        \\          \\        \\
         +----------+--------+--> held (with a HoldKind) --> received | queued (operator release,
                                                               approved authorization)

``received`` waits for prior authorization and the payer rules; ``queued`` waits for a batch;
``built`` is in a batch that has not left; from ``sent`` on, only what comes back from the
clearinghouse or payer moves a claim, and only forward by rank (a late 999 cannot undo a
payment).  Every transition the store makes is checked against ``CLAIM_TRANSITIONS``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum


class ClaimStatus(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    HELD = "held"
    BUILT = "built"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"
    DENIED = "denied"

    @property
    def rank(self) -> int:
        """Forward order of what comes back (0 before anything did); ledger moves only go up."""
        return _RANK.get(self, 0)

    @property
    def before_batch(self) -> bool:
        """Not in any batch yet: a new version of the claim may replace this one."""
        return self in BEFORE_BATCH

    @property
    def left(self) -> bool:
        """The claim's file reached the clearinghouse (a new version must be a new row)."""
        return self in AFTER_SEND


C = ClaimStatus
_RANK = {C.ACKNOWLEDGED: 1, C.ACCEPTED: 2, C.REJECTED: 2, C.PAID: 3, C.DENIED: 3}
BEFORE_BATCH = frozenset({C.RECEIVED, C.QUEUED, C.HELD})
AFTER_SEND = frozenset({C.SENT, C.ACKNOWLEDGED, C.ACCEPTED, C.REJECTED, C.PAID, C.DENIED})
# Claims of a batch that the clearinghouse took in for adjudication.
TAKEN_IN = frozenset({C.ACCEPTED, C.PAID, C.DENIED})
_RESPONSES = frozenset({C.ACKNOWLEDGED, C.ACCEPTED, C.REJECTED, C.PAID, C.DENIED})

CLAIM_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    C.RECEIVED: frozenset({C.QUEUED, C.HELD, C.RECEIVED}),
    C.QUEUED: frozenset({C.BUILT, C.HELD, C.RECEIVED}),
    C.HELD: frozenset({C.RECEIVED, C.QUEUED, C.BUILT}),
    C.BUILT: frozenset({C.SENT, C.HELD}),
    C.SENT: _RESPONSES,
    C.ACKNOWLEDGED: _RESPONSES,
    C.ACCEPTED: _RESPONSES,
    C.REJECTED: _RESPONSES,
    C.PAID: _RESPONSES,
    C.DENIED: _RESPONSES,
}


def can_move_claim(current: ClaimStatus, target: ClaimStatus) -> bool:
    """Whether the store may move a claim from ``current`` to ``target``.

    ``held -> built`` is the operator's own build (``gateway build 837p``) of a claim held
    earlier; responses may arrive in any order, the rank decides whether they move the claim.
    """
    return target in CLAIM_TRANSITIONS[current]


def response_moves(current: ClaimStatus, response: ClaimStatus) -> bool:
    """Whether a TA1/999/277CA/835 saying ``response`` moves a claim now ``current`` (never back)."""
    return response.rank >= current.rank


class HoldKind(StrEnum):
    """Why a claim is held; decides what may lift the hold (never the reason's wording)."""

    RULES = "rules"  # payer rules would deny it: fix the claim or the documentation
    AUTH = "auth"  # only prior authorization is missing or unusable: an approval requeues it
    GATE = "gate"  # its 837P fails our checks or pyx12 on its own
    ROUTING = "routing"  # no clearinghouse in the config takes its payer
    OPERATOR = "operator"  # an operator held it, or cancelled the batch it was in
    UNSENT_BATCH = "unsent_batch"  # an earlier version is in a batch that has not left

    @property
    def lifted_by_authorization(self) -> bool:
        return self is HoldKind.AUTH


# -- typed payloads of claim events (stored as JSON in events.detail; never PHI) -------------


@dataclass(frozen=True)
class Held:
    """``claim.held``: what held the claim; the same shape whoever holds it."""

    hold: HoldKind
    rules: tuple[str, ...] = ()  # rule ids of the payer-rule errors
    auth: tuple[str, ...] = ()  # prior-authorization reasons
    pack_version: str | None = None
    gate_problems: int = 0
    batch: int | None = None  # the batch cancelled, or the unsent batch of an earlier version
    reason: str | None = None  # an operator's words
    file: str | None = None  # the watched-folder file that brought this version

    def to_detail(self) -> dict[str, object]:
        detail = asdict(self)
        detail["hold"] = self.hold.value
        detail["rules"], detail["auth"] = list(self.rules), list(self.auth)
        return {key: value for key, value in detail.items() if value not in (None, 0, []) or key == "hold"}

    @classmethod
    def from_detail(cls, detail: dict[str, object]) -> Held:
        def strings(key: str) -> tuple[str, ...]:
            value = detail.get(key) or []
            return tuple(str(item) for item in value) if isinstance(value, list) else ()

        batch = detail.get("batch")
        problems = detail.get("gate_problems")
        return cls(
            hold=HoldKind(str(detail.get("hold", HoldKind.RULES.value))),
            rules=strings("rules"),
            auth=strings("auth"),
            pack_version=str(detail["pack_version"]) if detail.get("pack_version") else None,
            gate_problems=problems if isinstance(problems, int) else 0,
            batch=batch if isinstance(batch, int) else None,
            reason=str(detail["reason"]) if detail.get("reason") else None,
            file=str(detail["file"]) if detail.get("file") else None,
        )


@dataclass(frozen=True)
class Requeued:
    """``claim.requeued``: an authorization became usable and the claim goes back to screening."""

    auth: str  # our request id
    certification_number: str | None = None

    def to_detail(self) -> dict[str, object]:
        return {"auth": self.auth, "certification_number": self.certification_number}

    @classmethod
    def from_json(cls, text: str | None) -> Requeued | None:
        detail = json.loads(text) if text else None
        if not isinstance(detail, dict) or not isinstance(detail.get("auth"), str):
            return None
        number = detail.get("certification_number")
        return cls(detail["auth"], number if isinstance(number, str) else None)
