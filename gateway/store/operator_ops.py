"""What an operator may do to batches and claims; every action is an event with who and why.

The CLI never uploads: a replay or a release only changes what the daemon will do next, in one
transaction that locks the rows it changes, so it cannot race a daemon into sending twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.domain.batch import TO_SEND, BatchInfo, BatchStatus, ReplayMode, decide_replay
from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus, Held, HoldKind
from gateway.errors import InputError
from gateway.store import repository
from gateway.store.auths import give_back_units
from gateway.store.batch_ops import batch_info, move
from gateway.store.batches import BatchRow, ClearinghouseContactRow
from gateway.store.contact_backoff import FailureStreak, streak_of
from gateway.store.db import Store
from gateway.store.intake_ops import insert_version, latest_version
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow


def _batch(session: Session, batch_id: int) -> BatchRow:
    batch = session.get(BatchRow, batch_id, with_for_update=True)
    if batch is None:
        raise InputError(f"no batch {batch_id}")
    return batch


def _claims_of(session: Session, batch: BatchRow) -> list[ClaimRow]:
    ids = select(FileClaimRow.claim_id).where(FileClaimRow.file_id == batch.file_id)
    return list(session.scalars(select(ClaimRow).where(ClaimRow.id.in_(ids)).order_by(ClaimRow.id)))


def _corrected(session: Session, row: ClaimRow) -> bool:
    latest = latest_version(session, row.patient_control_number, row.billing_npi)
    return latest is not None and latest.id != row.id


def _operator_event(session: Session, kind: str, actor: str, reason: str, **ids: int | None) -> None:
    repository.record_event(session, kind, status=kind.split(".")[-1], detail={"reason": reason}, actor=actor,
                            claim_id=ids.get("claim_id"), file_id=ids.get("file_id"))  # fmt: skip


def replay(store: Store, batch_id: int, actor: str, reason: str) -> tuple[ReplayMode, int]:
    """Re-send the same bytes, or put the claims back in the queue for a new batch; never both."""
    with store.session() as session:
        batch = _batch(session, batch_id)
        claims = _claims_of(session, batch)
        corrected = any(_corrected(session, row) for row in claims)
        decision = decide_replay(BatchStatus(batch.status), corrected)
        if not isinstance(decision, ReplayMode):
            raise InputError(f"batch {batch_id}: cannot replay: {decision}")
        _operator_event(session, f"operator.replay_{decision.value}", actor, reason, file_id=batch.file_id)
        if decision is ReplayMode.RESEND:
            move(session, batch, BatchStatus.SPOOLED, actor, {"replay": "resend"}, reason)
            return decision, len(claims)
        requeued = 0
        for row in claims:
            if _corrected(session, row) or (
                batch.status == BatchStatus.PARTIALLY_ACCEPTED and row.status is not ClaimStatus.REJECTED
            ):
                continue  # the corrected version is already in the pipeline / accepted claims stay
            fresh = insert_version(session, Claim.model_validate_json(row.payload), ClaimStatus.QUEUED)
            fresh.rule_pack_version = row.rule_pack_version
            repository.record_event(session, "claim.queued", claim_id=fresh.id, status=ClaimStatus.QUEUED,
                                    detail={"replay_of_batch": batch.id, "reason": reason}, actor=actor)  # fmt: skip
            requeued += 1
        move(session, batch, BatchStatus.REPLACED, actor, {"replay": "rebuild", "requeued": requeued}, reason)
        return decision, requeued


def cancel(store: Store, batch_id: int, actor: str, reason: str) -> int:
    """Stop a batch that has not left; its claims are held (release them to send them again)."""
    with store.session() as session:
        batch = _batch(session, batch_id)
        if batch.status not in (BatchStatus.BUILT, BatchStatus.SPOOLED, BatchStatus.FAILED):
            raise InputError(f"batch {batch_id}: cannot cancel a batch that is {batch.status}")
        _operator_event(session, "operator.cancel", actor, reason, file_id=batch.file_id)
        move(session, batch, BatchStatus.CANCELLED, actor, None, reason)
        held: list[int] = []
        for row in _claims_of(session, batch):
            if row.status is ClaimStatus.BUILT:
                why = f"batch {batch_id} cancelled: {reason}"
                _operator_event(session, "operator.hold", actor, why, claim_id=row.id)
                held_by = Held(HoldKind.OPERATOR, batch=batch_id, reason=reason)
                repository.hold_claim(
                    session, row, held_by, f"batch {batch_id} cancelled by {actor}: {reason}", actor
                )
                held.append(row.id)
        give_back_units(session, held)  # the units these claims took go back to their authorizations
        return len(held)


@dataclass(frozen=True)
class ClaimState:
    """Where a claim stands after an operator's action."""

    patient_control_number: str
    status: ClaimStatus
    hold_kind: HoldKind | None
    status_reason: str | None


def _state(row: ClaimRow) -> ClaimState:
    return ClaimState(row.patient_control_number, row.status, row.hold_kind, row.status_reason)


def hold(store: Store, pcn: str, actor: str, reason: str) -> ClaimState:
    with store.session() as session:
        row = _open_claim(session, pcn)
        if row.status is ClaimStatus.HELD:
            raise InputError(f"claim {pcn} is already held")
        _operator_event(session, "operator.hold", actor, reason, claim_id=row.id)
        repository.hold_claim(
            session, row, Held(HoldKind.OPERATOR, reason=reason), f"held by {actor}: {reason}", actor
        )
        return _state(row)


def release(store: Store, pcn: str, actor: str, reason: str) -> ClaimState:
    """A held claim goes to the queue (rules already ran: an operator override) or back to rules."""
    with store.session() as session:
        row = _open_claim(session, pcn)
        if row.status is not ClaimStatus.HELD:
            raise InputError(f"claim {pcn} is {row.status}, not held")
        repository.move_claim(row, ClaimStatus.QUEUED if row.rule_pack_version else ClaimStatus.RECEIVED)
        _operator_event(session, "operator.release", actor, reason, claim_id=row.id)
        return _state(row)


def _open_claim(session: Session, pcn: str) -> ClaimRow:
    query = select(ClaimRow).where(ClaimRow.patient_control_number == pcn).order_by(ClaimRow.id.desc())
    row = session.scalars(query.limit(1).with_for_update()).first()
    if row is None:
        raise InputError(f"no claim with patient control number {pcn}")
    if not row.status.before_batch:
        raise InputError(f"claim {pcn} is {row.status}: it is in a batch; cancel or replay the batch instead")
    return row


def hold_reasons(store: Store, pcns: Sequence[str]) -> dict[str, str]:
    """PCN -> the reason its newest version is held, for those of ``pcns`` that are held."""
    reasons = {}
    with store.session() as session:
        for pcn in pcns:
            row = latest_version(session, pcn)
            if row is not None and row.status is ClaimStatus.HELD and row.status_reason:
                reasons[pcn] = row.status_reason
    return reasons


@dataclass(frozen=True)
class EventInfo:
    """A ledger event as an operator reads it."""

    at: dt.datetime
    kind: str
    status: str | None
    detail: str | None
    actor: str


def _event_info(row: EventRow) -> EventInfo:
    return EventInfo(row.at, row.kind, row.status, row.detail, row.actor)


@dataclass(frozen=True)
class ContactInfo:
    name: str
    last_contact_at: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    stopped_at: dt.datetime | None
    stop_reason: str | None
    streak: FailureStreak | None = None  # temporary failures in a row: the daemon is backing off


@dataclass(frozen=True)
class BatchView:
    batch: BatchInfo
    claims: list[tuple[str, str]]  # (PCN, status)
    events: list[EventInfo]


def list_batches(store: Store, status: str | None = None, limit: int = 200) -> list[BatchInfo]:
    query = select(BatchRow).order_by(BatchRow.id.desc()).limit(limit)
    if status is not None:
        query = query.where(BatchRow.status == status)
    with store.session() as session:
        return [batch_info(row) for row in session.scalars(query)]


def show_batch(store: Store, batch_id: int) -> BatchView:
    with store.session() as session:
        batch = session.get(BatchRow, batch_id)
        if batch is None:
            raise InputError(f"no batch {batch_id}")
        claims = [(row.patient_control_number, row.status.value) for row in _claims_of(session, batch)]
        events = [_event_info(row) for row in session.scalars(
            select(EventRow).where(EventRow.file_id == batch.file_id, EventRow.claim_id.is_(None))
            .order_by(EventRow.id)
        )]  # fmt: skip
        return BatchView(batch_info(batch), claims, events)


@dataclass(frozen=True)
class StatusView:
    claims: dict[str, int]
    batches: dict[str, int]
    oldest_waiting_claim: dt.datetime | None
    oldest_unsent_batch: tuple[int, dt.datetime] | None
    contacts: list[ContactInfo]
    alerts: list[EventInfo]


def status(store: Store) -> StatusView:
    with store.session() as session:
        claims = Counter(
            dict(session.execute(select(ClaimRow.status, func.count()).group_by(ClaimRow.status)).all())
        )
        batches = Counter(
            dict(session.execute(select(BatchRow.status, func.count()).group_by(BatchRow.status)).all())
        )
        oldest_claim = session.scalar(
            select(func.min(ClaimRow.created_at)).where(
                ClaimRow.status.in_([ClaimStatus.RECEIVED, ClaimStatus.QUEUED])
            )
        )
        unsent = session.execute(
            select(BatchRow.id, BatchRow.created_at)
            .where(BatchRow.status.in_([*(s.value for s in TO_SEND), BatchStatus.FAILED.value]))
            .order_by(BatchRow.id)
            .limit(1)
        ).first()
        contacts = [
            ContactInfo(
                c.name,
                c.last_contact_at,
                c.last_error,
                c.last_error_at,
                c.stopped_at,
                c.stop_reason,
                streak_of(c),
            )
            for c in session.scalars(select(ClearinghouseContactRow).order_by(ClearinghouseContactRow.name))
        ]
        alerts = [_event_info(row) for row in session.scalars(
            select(EventRow).where(EventRow.kind == "clearinghouse.alert").order_by(EventRow.id.desc()).limit(5)
        )]  # fmt: skip
    return StatusView(
        {status.value: count for status, count in claims.items()},
        dict(batches),
        oldest_claim,
        (unsent[0], unsent[1]) if unsent else None,
        contacts,
        alerts,
    )
