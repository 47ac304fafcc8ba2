"""Outbound batches: the state machine and the operator's replay decision (no I/O).

A batch is one 837P file for one clearinghouse, made in one daemon cycle::

    built -> spooled -> sending -> sent -> acknowledged -> accepted | partially_accepted | rejected
                 \\           \\                                  (TA1/999, then 277CA)
                  +-----------+--> failed (with a reason)        cancelled / replaced (operator)

A daemon's batch is ``built`` only inside the transaction that takes its claims; the first
state anyone sees is ``spooled``.  An operator's ``gateway build 837p`` makes a batch of its own
that rests at ``built`` (the file is where the operator asked; no daemon sends it; cancelling it
holds its claims).  For a daemon's batch, ``spooled`` means: the file is in outbound/ (0600) and its remote name is recorded.  ``sending``
is the intent to upload, committed before the upload starts, so a restart knows to look on
the server before sending again.  Every transition is a ledger event with time and actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from gateway.domain.status import TAKEN_IN, ClaimStatus


class BatchStatus(StrEnum):
    BUILT = "built"
    SPOOLED = "spooled"
    SENDING = "sending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REPLACED = "replaced"  # rebuilt into a new batch with new control numbers


S = BatchStatus
TRANSITIONS: dict[BatchStatus, frozenset[BatchStatus]] = {
    S.BUILT: frozenset({S.SPOOLED, S.FAILED, S.CANCELLED}),
    S.SPOOLED: frozenset({S.SENDING, S.CANCELLED, S.FAILED}),
    S.SENDING: frozenset({S.SENT, S.FAILED}),
    S.SENT: frozenset({S.ACKNOWLEDGED, S.ACCEPTED, S.PARTIALLY_ACCEPTED, S.REJECTED, S.SPOOLED, S.REPLACED}),
    S.ACKNOWLEDGED: frozenset({S.ACCEPTED, S.PARTIALLY_ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset(),
    S.PARTIALLY_ACCEPTED: frozenset({S.REPLACED}),
    S.REJECTED: frozenset({S.REPLACED}),
    S.FAILED: frozenset({S.SPOOLED, S.CANCELLED, S.REPLACED}),
    S.CANCELLED: frozenset(),
    S.REPLACED: frozenset(),
}
# Waiting for the daemon to upload (a restart resumes these).
TO_SEND = (S.SPOOLED, S.SENDING)
# On the server, waiting for or digesting acknowledgements.
AWAITING_ACKS = (S.SENT, S.ACKNOWLEDGED)
NEVER_ACKNOWLEDGED = frozenset({S.SENT, S.FAILED})


def can_move(current: BatchStatus, target: BatchStatus) -> bool:
    return target in TRANSITIONS[current]


class ReplayMode(StrEnum):
    RESEND = "resend"  # the same bytes, same control numbers, same remote name
    REBUILD = "rebuild"  # the claims go back to the queue; a new batch gets new control numbers


def decide_replay(status: BatchStatus, claims_corrected: bool) -> ReplayMode | str:
    """What ``gateway batches replay`` does for a batch, or why it refuses (a string).

    Re-sending is only honest while nobody acknowledged the file and its claims are unchanged;
    a rejected file, or one whose claims were corrected since, must be rebuilt with new control
    numbers.  A replay is one or the other, never both.
    """
    if status in (S.REJECTED, S.PARTIALLY_ACCEPTED):
        return ReplayMode.REBUILD
    if status in NEVER_ACKNOWLEDGED:
        return ReplayMode.REBUILD if claims_corrected else ReplayMode.RESEND
    if status in TO_SEND:
        return f"batch is {status.value}: the daemon is already sending it"
    if status in (S.ACKNOWLEDGED, S.ACCEPTED):
        return f"batch is {status.value}: the clearinghouse has it; correct the claims and send replacements"
    return f"batch is {status.value}: nothing to replay"


def summarize_claims(statuses: list[ClaimStatus]) -> BatchStatus | None:
    """The batch status its claims' ledger statuses imply after TA1/999/277CA, or None (no news).

    ``rejected`` claims were refused by the clearinghouse or payer; ``accepted``, ``paid`` and
    ``denied`` were taken in for adjudication; ``acknowledged`` got a 999/TA1 only.
    """
    if not statuses or any(status in (ClaimStatus.SENT, ClaimStatus.BUILT) for status in statuses):
        return None
    rejected = sum(1 for status in statuses if status == ClaimStatus.REJECTED)
    if rejected == len(statuses):
        return S.REJECTED
    if rejected:
        return S.PARTIALLY_ACCEPTED
    if all(status in TAKEN_IN for status in statuses):
        return S.ACCEPTED
    return S.ACKNOWLEDGED


@dataclass(frozen=True)
class BatchInfo:
    """A batch as the store records it (what ``gateway batches`` and the daemon's sender read)."""

    id: int
    clearinghouse: str  # "" for an operator's own build
    status: BatchStatus
    status_reason: str | None
    file_id: int
    spool_path: str
    remote_name: str
    size: int
    sha256: str
    interchange_control_number: str
    claim_count: int
    attempts: int
    replay_of: int | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
