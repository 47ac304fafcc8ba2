"""The daemon's database steps; each function is one transaction (see gateway.pipeline.cycles).

Exactly-once rests on three rules kept here:

* a claim moves ``queued -> built`` only by a conditional UPDATE inside the transaction that
  records its batch, so two builders can never put it in two files;
* a batch's remote name is recorded with the batch, before any upload, and ``sending`` is
  committed before the upload starts, so a restart looks on the server first;
* ``sent`` (batch and claims) is committed only after the server has the complete file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from gateway.domain.batch import AWAITING_ACKS, TO_SEND, BatchInfo, BatchStatus, can_move, summarize_claims
from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus
from gateway.errors import StoreError
from gateway.store import repository
from gateway.store.auths import take_batch_units
from gateway.store.batch_contents import add_content
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from gateway.store.intake_ops import add_events, latest_version
from gateway.store.schema import ClaimRow, FileClaimRow, X12FileRow

log = logging.getLogger(__name__)
__all__ = [  # latest_version: gateway demo imports it from here
    "NewBatch",
    "batches_to_send",
    "begin_sending",
    "count_claims",
    "latest_version",
    "mark_failed",
    "mark_sent",
    "move",
    "queued_claims",
    "record_batch",
    "refresh_acknowledgements",
]  # fmt: skip

# The tables for Core statements: a batch moves thousands of claims, and no object in the session
# needs those rows synchronized; the ORM-enabled statements' per-row work is skipped.
_CLAIMS = cast(Table, ClaimRow.__table__)
_FILE_CLAIMS = cast(Table, FileClaimRow.__table__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def queued_claims(store: Store, payer_ids: frozenset[str] | None, other_payers: frozenset[str],
                  limit: int) -> list[tuple[int, str]]:  # fmt: skip
    """(id, payload) of queued claims for one clearinghouse (its payers, or all not routed elsewhere)."""
    query = select(ClaimRow.id, ClaimRow.payload).where(ClaimRow.status == ClaimStatus.QUEUED)
    if payer_ids is not None:
        query = query.where(ClaimRow.payer_id.in_(sorted(payer_ids)))
    elif other_payers:
        query = query.where(ClaimRow.payer_id.not_in(sorted(other_payers)))
    with store.session() as session:
        return [
            (claim_id, payload)
            for claim_id, payload in session.execute(query.order_by(ClaimRow.id).limit(limit))
        ]


@dataclass(frozen=True)
class NewBatch:
    clearinghouse: str  # "" for an operator's own build (gateway build 837p): never sent by a daemon
    claim_ids: Sequence[int]
    claims: Sequence[Claim]  # the claims of ``claim_ids``, in the same order
    transaction_claims: dict[str, list[str]]  # ST02 -> PCNs, from the built file
    data: bytes
    spool_path: str
    remote_name: str
    sender_id: str
    receiver_id: str
    interchange: int
    group: int
    replay_of: int | None = None
    # Where the batch rests: spooled (the daemon sends it) or built (an operator's file, left
    # where the operator asked; cancel it to put its claims on hold).
    resting: BatchStatus = BatchStatus.SPOOLED


@dataclass(frozen=True)
class Recorded:
    """What ``record_batch`` did: the batch, or nothing (a claim moved, or ran out of units)."""

    batch_id: int | None
    short_of_units: tuple[int, str] | None = None  # (claim id, why) when an authorization ran out


class _ClaimsMoved(Exception):
    """Rolls back ``record_batch`` when a claim left ``queued`` (operator hold, another daemon)."""


class UnitsGone(Exception):
    """Rolls back ``record_batch`` when another claim took the last units of an authorization."""

    def __init__(self, claim_id: int, reason: str) -> None:
        super().__init__(reason)
        self.claim_id, self.reason = claim_id, reason


def record_batch(store: Store, new: NewBatch, actor: str) -> Recorded:
    """Take the claims (queued -> built), their authorization units, and record file and batch."""
    try:
        with store.session() as session:
            return Recorded(record_batch_in(session, new, actor))
    except _ClaimsMoved:
        return Recorded(None)
    except UnitsGone as gone:
        return Recorded(None, (gone.claim_id, gone.reason))


def _chunks(ids: Sequence[int], size: int = 5000) -> list[list[int]]:
    """IN lists of a bounded size (SQLite caps the number of bound parameters)."""
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def record_batch_in(session: Session, new: NewBatch, actor: str) -> int:
    """``record_batch`` inside the caller's transaction (an operator's build records its claims first)."""
    isa13 = f"{new.interchange:09d}"
    taken = 0
    for chunk in _chunks(new.claim_ids):
        taken += session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            update(_CLAIMS)
            .where(_CLAIMS.c.id.in_(chunk), _CLAIMS.c.status == ClaimStatus.QUEUED)
            .values(status=ClaimStatus.BUILT, updated_at=_now())
        ).rowcount
    if taken != len(new.claim_ids):
        raise _ClaimsMoved
    short = take_batch_units(session, list(zip(new.claim_ids, new.claims, strict=True)))
    if short is not None:
        raise UnitsGone(*short)
    by_pcn: dict[str, int] = {}
    for chunk in _chunks(new.claim_ids):
        query = select(ClaimRow.patient_control_number, ClaimRow.id).where(ClaimRow.id.in_(chunk))
        by_pcn.update({pcn: claim_id for pcn, claim_id in session.execute(query)})
    # The rows repository.record_outbound_file writes, as bulk INSERTs (a batch has thousands).
    file = X12FileRow(
        direction="outbound", kind="837P", path=new.spool_path, sha256=hashlib.sha256(new.data).hexdigest(),
        size=len(new.data), sender_id=new.sender_id, receiver_id=new.receiver_id,
        interchange_control_number=isa13, group_control_number=str(new.group),
    )  # fmt: skip
    session.add(file)
    session.flush()
    links = [
        {"file_id": file.id, "claim_id": by_pcn[pcn], "transaction_control_number": st02}
        for st02, pcns in new.transaction_claims.items()
        for pcn in pcns
    ]
    session.execute(insert(_FILE_CLAIMS), links)
    for st02, pcns in new.transaction_claims.items():
        ids = [by_pcn[pcn] for pcn in pcns]
        detail: dict[str, object] = {"isa13": isa13, "st02": st02}
        add_events(session, "claim.built", ClaimStatus.BUILT, ids, actor, detail, file_id=file.id)
    batch = BatchRow(
        clearinghouse=new.clearinghouse, status=new.resting.value, file_id=file.id,
        spool_path=new.spool_path, remote_name=new.remote_name, size=file.size, sha256=file.sha256,
        interchange_control_number=isa13, claim_count=len(links), replay_of=new.replay_of,
    )  # fmt: skip
    session.add(batch)
    session.flush()
    add_content(session, batch.id, new.data)  # any daemon on this database can send it
    batch_event(
        session, batch, BatchStatus.BUILT, actor, {"batch": batch.id, "claims": len(links), "isa13": isa13}
    )
    if new.resting is BatchStatus.SPOOLED:
        batch_event(
            session, batch, BatchStatus.SPOOLED, actor, {"batch": batch.id, "remote": new.remote_name}
        )
    return batch.id


def batch_event(session: Session, batch: BatchRow, status: BatchStatus, actor: str,
                detail: dict[str, object] | None = None) -> None:  # fmt: skip
    repository.record_event(
        session, f"batch.{status.value}", file_id=batch.file_id, status=status.value,
        detail=detail or {"batch": batch.id}, actor=actor,
    )  # fmt: skip


def move(session: Session, batch: BatchRow, target: BatchStatus, actor: str,
         detail: dict[str, object] | None = None, reason: str | None = None) -> None:  # fmt: skip
    current = BatchStatus(batch.status)
    if not can_move(current, target):
        raise StoreError(f"batch {batch.id}: cannot go from {current.value} to {target.value}")
    batch.status = target.value
    batch.status_reason = reason
    batch.updated_at = _now()
    batch_event(session, batch, target, actor, {"batch": batch.id, **(detail or {}),
                                                **({"reason": reason} if reason else {})})  # fmt: skip


def batches_to_send(store: Store, clearinghouse: str) -> list[int]:
    with store.session() as session:
        query = select(BatchRow.id).where(
            BatchRow.clearinghouse == clearinghouse, BatchRow.status.in_([s.value for s in TO_SEND])
        )
        return list(session.scalars(query.order_by(BatchRow.id)))


def batch_info(row: BatchRow) -> BatchInfo:
    """The one batch row -> record mapping."""
    return BatchInfo(
        row.id, row.clearinghouse, BatchStatus(row.status), row.status_reason, row.file_id, row.spool_path,
        row.remote_name, row.size, row.sha256, row.interchange_control_number, row.claim_count, row.attempts,
        row.replay_of, row.created_at, row.sent_at,
    )  # fmt: skip


def begin_sending(store: Store, batch_id: int, actor: str) -> BatchInfo | None:
    """Commit the intent to upload (``sending``) before the upload; None if no longer ours to send."""
    with store.session() as session:
        batch = session.get(BatchRow, batch_id, with_for_update=True)
        if batch is None or batch.status not in (BatchStatus.SPOOLED, BatchStatus.SENDING):
            return None
        batch.attempts += 1
        if batch.status == BatchStatus.SPOOLED:
            move(session, batch, BatchStatus.SENDING, actor, {"remote": batch.remote_name})
        return batch_info(batch)


def mark_sent(store: Store, batch_id: int, remote_path: str, found_on_server: bool, actor: str) -> None:
    with store.session() as session:
        batch = session.get(BatchRow, batch_id, with_for_update=True)
        if batch is None or batch.status != BatchStatus.SENDING:
            return
        move(
            session,
            batch,
            BatchStatus.SENT,
            actor,
            {"remote": remote_path, "found_on_server": found_on_server},
        )
        batch.sent_at = _now()
        in_file = select(FileClaimRow.claim_id).where(FileClaimRow.file_id == batch.file_id)
        built = list(
            session.scalars(
                select(ClaimRow.id).where(ClaimRow.id.in_(in_file), ClaimRow.status == ClaimStatus.BUILT)
            )
        )
        session.execute(
            update(_CLAIMS)
            .where(_CLAIMS.c.id.in_(in_file), _CLAIMS.c.status == ClaimStatus.BUILT)
            .values(status=ClaimStatus.SENT, updated_at=_now())
        )
        detail: dict[str, object] = {"batch": batch.id, "isa13": batch.interchange_control_number}
        add_events(session, "claim.sent", ClaimStatus.SENT, built, actor, detail, file_id=batch.file_id)


def mark_failed(store: Store, batch_id: int, reason: str, actor: str) -> None:
    with store.session() as session:
        batch = session.get(BatchRow, batch_id, with_for_update=True)
        if batch is not None and can_move(BatchStatus(batch.status), BatchStatus.FAILED):
            move(session, batch, BatchStatus.FAILED, actor, reason=reason[:500])


def refresh_acknowledgements(store: Store, actor: str) -> int:
    """Move sent/acknowledged batches forward from their claims' ledger statuses; how many moved."""
    moved = 0
    with store.session() as session:
        open_batches = session.scalars(
            select(BatchRow)
            .where(BatchRow.status.in_([s.value for s in AWAITING_ACKS]))
            .with_for_update(skip_locked=True)
        ).all()
        for batch in open_batches:
            claim_ids = select(FileClaimRow.claim_id).where(FileClaimRow.file_id == batch.file_id)
            statuses = list(session.scalars(select(ClaimRow.status).where(ClaimRow.id.in_(claim_ids))))
            target = summarize_claims(statuses)
            if (
                target is None
                or target.value == batch.status
                or not can_move(BatchStatus(batch.status), target)
            ):
                continue
            counts = {status: statuses.count(status) for status in set(statuses)}
            move(session, batch, target, actor, {"claims": counts})
            moved += 1
    return moved


def count_claims(store: Store, status: ClaimStatus) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).where(ClaimRow.status == status)) or 0)
