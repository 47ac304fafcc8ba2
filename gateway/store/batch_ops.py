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
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.domain.batch import AWAITING_ACKS, TO_SEND, BatchStatus, can_move, summarize_claims
from gateway.domain.claim import Claim
from gateway.domain.identity import patient_key
from gateway.errors import StoreError
from gateway.store import repository
from gateway.store.batches import BatchRow, IntakeFileRow
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow, ServiceLineRow

log = logging.getLogger(__name__)
BEFORE_BATCH = ("received", "queued", "held")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_row(claim: Claim, status: str, reason: str | None = None) -> ClaimRow:
    """A claim row (not yet added to a session), mapped the way ``repository.upsert_claim`` maps it."""
    return ClaimRow(
        patient_control_number=claim.patient_control_number,
        billing_npi=claim.billing_provider.npi,
        payer_id=claim.payer.payer_id,
        patient_key=patient_key(claim),
        first_service_date=claim.first_service_date,
        total_charge=claim.total_charge,
        frequency_code=claim.frequency_code.value,
        status=status,
        status_reason=reason,
        payload=claim.model_dump_json(),
        lines=[
            ServiceLineRow(
                line_number=number,
                procedure_code=line.procedure_code,
                modifiers=":".join(line.modifiers),
                units=line.units,
                charge=line.charge,
                service_date=line.service_date,
            )
            for number, line in enumerate(claim.service_lines, start=1)
        ],
    )


def insert_version(session: Session, claim: Claim, status: str, reason: str | None = None) -> ClaimRow:
    """A new row for ``claim`` even if an earlier version of its PCN is in a batch (never overwrite)."""
    row = new_row(claim, status, reason)
    session.add(row)
    session.flush()
    return row


def latest_version(session: Session, pcn: str, npi: str | None = None) -> ClaimRow | None:
    query = select(ClaimRow).where(ClaimRow.patient_control_number == pcn)
    if npi is not None:
        query = query.where(ClaimRow.billing_npi == npi)
    return session.scalars(query.order_by(ClaimRow.id.desc()).limit(1)).first()


IN_UNSENT_BATCH = (
    "an earlier version of this claim is in a batch that has not been sent yet; cancel that batch "
    "(gateway batches cancel) or let it go, then release this version (gateway claims release)"
)


def _claim_values(claim: Claim, status: str, reason: str | None) -> dict[str, object]:
    return {
        "patient_control_number": claim.patient_control_number,
        "billing_npi": claim.billing_provider.npi,
        "payer_id": claim.payer.payer_id,
        "patient_key": patient_key(claim),
        "first_service_date": claim.first_service_date,
        "total_charge": claim.total_charge,
        "frequency_code": claim.frequency_code.value,
        "status": status,
        "status_reason": reason,
        "payload": claim.model_dump_json(),
    }


def _line_values(claim_id: int, claim: Claim) -> list[dict[str, object]]:
    return [
        {
            "claim_id": claim_id,
            "line_number": number,
            "procedure_code": line.procedure_code,
            "modifiers": ":".join(line.modifiers),
            "units": line.units,
            "charge": line.charge,
            "service_date": line.service_date,
        }
        for number, line in enumerate(claim.service_lines, start=1)
    ]


@dataclass(frozen=True)
class Stored:
    claim_id: int
    status: str
    payload: str


def store_received(session: Session, claims: Sequence[Claim]) -> list[Stored]:
    """Add the claims as ``received``: a version still waiting is replaced, anything else kept.

    A correction of a claim whose batch is spooled but not sent is held, so the two versions
    never go out together.  One query finds earlier versions; new claims (the usual case) go in
    as two bulk INSERTs (claims, then lines), ten times faster than one ORM object each.
    """
    pcns = sorted({claim.patient_control_number for claim in claims})
    latest: dict[tuple[str, str], ClaimRow] = {}
    for start in range(0, len(pcns), 500):
        query = select(ClaimRow).where(ClaimRow.patient_control_number.in_(pcns[start : start + 500]))
        for row in session.scalars(query.order_by(ClaimRow.id)):
            latest[(row.patient_control_number, row.billing_npi)] = row
    stored: dict[int, Stored] = {}
    fresh: list[tuple[int, dict[str, object], Claim]] = []
    for position, claim in enumerate(claims):
        earlier = latest.get((claim.patient_control_number, claim.billing_provider.npi))
        if earlier is not None and earlier.status in BEFORE_BATCH:
            row = repository.upsert_claim(session, claim, "received")
            stored[position] = Stored(row.id, row.status, row.payload)
        elif earlier is not None and earlier.status == "built":
            fresh.append((position, _claim_values(claim, "held", IN_UNSENT_BATCH), claim))
        else:
            fresh.append((position, _claim_values(claim, "received", None), claim))
    if fresh:
        now = _now()
        insert_claims = insert(ClaimRow).returning(ClaimRow.id, sort_by_parameter_order=True)
        ids = session.scalars(
            insert_claims, [{**values, "created_at": now, "updated_at": now} for _, values, _ in fresh]
        ).all()
        lines = [line for (_, _, claim), claim_id in zip(fresh, ids, strict=True) for line in _line_values(claim_id, claim)]
        session.execute(insert(ServiceLineRow), lines)
        for (position, values, _), claim_id in zip(fresh, ids, strict=True):
            stored[position] = Stored(claim_id, str(values["status"]), str(values["payload"]))
    return [stored[position] for position in range(len(claims))]


def add_events(session: Session, kind: str, status: str, claim_ids: Sequence[int], actor: str,
               detail: dict[str, object] | None = None, file_id: int | None = None) -> None:  # fmt: skip
    """One event per claim in one bulk INSERT (the same rows ``repository.record_event`` writes)."""
    if not claim_ids:
        return
    text = json.dumps(detail, sort_keys=True, default=str) if detail else None
    now = _now()
    session.execute(
        insert(EventRow),
        [{"at": now, "claim_id": claim_id, "file_id": file_id, "kind": kind, "status": status, "detail": text,
          "actor": actor} for claim_id in claim_ids],
    )  # fmt: skip


def take_intake_file(
    store: Store, sha256: str, name: str, claims: Sequence[Claim], actor: str
) -> list[tuple[int, str]] | None:
    """Record a watched-folder file's claims as received, once per content hash.

    Returns (row id, payload) per claim, in order, or None if the file was taken before.
    """
    try:
        with store.session() as session:
            if session.scalar(select(IntakeFileRow.id).where(IntakeFileRow.sha256 == sha256)) is not None:
                return None
            session.add(IntakeFileRow(sha256=sha256, name=name, claims=len(claims)))
            session.flush()  # a second daemon with the same file fails here, before any claim
            stored = store_received(session, claims)
            for status in ("received", "held"):
                ids = [item.claim_id for item in stored if item.status == status]
                add_events(session, f"claim.{status}", status, ids, actor, {"file": name})
            taken = [(item.claim_id, item.payload) for item in stored]
    except IntegrityError:
        return None
    return taken


def patients_with_other_claims(session: Session, rows: Sequence[ClaimRow]) -> set[tuple[str, str]]:
    """(patient_key, PCN) of ``rows`` whose patient has a claim row under another PCN.

    Only those can have history (``HistoryProvider`` leaves out the claim's own PCN), so the
    rules skip the per-claim history query for first-time patients.
    """
    keys = sorted({row.patient_key for row in rows})
    pcns_by_key: dict[str, set[str]] = {}
    for start in range(0, len(keys), 500):
        query = select(ClaimRow.patient_key, ClaimRow.patient_control_number).where(
            ClaimRow.patient_key.in_(keys[start : start + 500])
        )
        for key, pcn in session.execute(query):
            pcns_by_key.setdefault(key, set()).add(pcn)
    return {
        (row.patient_key, row.patient_control_number)
        for row in rows
        if pcns_by_key.get(row.patient_key, set()) - {row.patient_control_number}
    }


def received_claims(session: Session, limit: int) -> list[ClaimRow]:
    """Claims waiting for rules; rows another daemon is screening are skipped (SKIP LOCKED)."""
    query = (
        select(ClaimRow)
        .where(ClaimRow.status == "received")
        .order_by(ClaimRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def queued_claims(store: Store, payer_ids: frozenset[str] | None, other_payers: frozenset[str],
                  limit: int) -> list[tuple[int, str]]:  # fmt: skip
    """(id, payload) of queued claims for one clearinghouse (its payers, or all not routed elsewhere)."""
    query = select(ClaimRow.id, ClaimRow.payload).where(ClaimRow.status == "queued")
    if payer_ids is not None:
        query = query.where(ClaimRow.payer_id.in_(sorted(payer_ids)))
    elif other_payers:
        query = query.where(ClaimRow.payer_id.not_in(sorted(other_payers)))
    with store.session() as session:
        return [(claim_id, payload) for claim_id, payload in session.execute(query.order_by(ClaimRow.id).limit(limit))]


@dataclass(frozen=True)
class NewBatch:
    clearinghouse: str
    claim_ids: Sequence[int]
    transaction_claims: dict[str, list[str]]  # ST02 -> PCNs, from the built file
    data: bytes
    spool_path: str
    remote_name: str
    sender_id: str
    receiver_id: str
    interchange: int
    group: int
    replay_of: int | None = None


class _ClaimsMoved(Exception):
    """Rolls back ``record_batch`` when a claim left ``queued`` (operator hold, another daemon)."""


def record_batch(store: Store, new: NewBatch, actor: str) -> int | None:
    """Take the claims (queued -> built) and record file and batch; None if any claim moved."""
    try:
        return _record_batch(store, new, actor)
    except _ClaimsMoved:
        return None


def _record_batch(store: Store, new: NewBatch, actor: str) -> int:
    with store.session() as session:
        taken = session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            update(ClaimRow)
            .where(ClaimRow.id.in_(list(new.claim_ids)), ClaimRow.status == "queued")
            .values(status="built")
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != len(new.claim_ids):
            raise _ClaimsMoved
        rows = {
            row.patient_control_number: row
            for row in session.scalars(select(ClaimRow).where(ClaimRow.id.in_(list(new.claim_ids))))
        }
        links = [(rows[pcn], st02) for st02, pcns in new.transaction_claims.items() for pcn in pcns]
        file = repository.record_outbound_file(
            session, kind="837P", path=new.spool_path, data=new.data, sender_id=new.sender_id,
            receiver_id=new.receiver_id, interchange_control_number=f"{new.interchange:09d}",
            group_control_number=str(new.group), claims=links, actor=actor,
        )  # fmt: skip
        batch = BatchRow(
            clearinghouse=new.clearinghouse, status=BatchStatus.SPOOLED.value, file_id=file.id,
            spool_path=new.spool_path, remote_name=new.remote_name, size=file.size, sha256=file.sha256,
            interchange_control_number=f"{new.interchange:09d}", claim_count=len(links),
            replay_of=new.replay_of,
        )  # fmt: skip
        session.add(batch)
        session.flush()
        detail = {"batch": batch.id, "claims": len(links), "isa13": batch.interchange_control_number}
        batch_event(session, batch, BatchStatus.BUILT, actor, detail)
        batch_event(session, batch, BatchStatus.SPOOLED, actor, {"batch": batch.id, "remote": new.remote_name})
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


def begin_sending(store: Store, batch_id: int, actor: str) -> BatchRow | None:
    """Commit the intent to upload (``sending``) before the upload; None if no longer ours to send."""
    with store.session() as session:
        batch = session.get(BatchRow, batch_id, with_for_update=True)
        if batch is None or batch.status not in (BatchStatus.SPOOLED, BatchStatus.SENDING):
            return None
        batch.attempts += 1
        if batch.status == BatchStatus.SPOOLED:
            move(session, batch, BatchStatus.SENDING, actor, {"remote": batch.remote_name})
        return batch


def mark_sent(store: Store, batch_id: int, remote_path: str, found_on_server: bool, actor: str) -> None:
    with store.session() as session:
        batch = session.get(BatchRow, batch_id, with_for_update=True)
        if batch is None or batch.status != BatchStatus.SENDING:
            return
        move(session, batch, BatchStatus.SENT, actor, {"remote": remote_path, "found_on_server": found_on_server})
        batch.sent_at = _now()
        in_file = select(FileClaimRow.claim_id).where(FileClaimRow.file_id == batch.file_id)
        built = list(session.scalars(select(ClaimRow.id).where(ClaimRow.id.in_(in_file), ClaimRow.status == "built")))
        session.execute(
            update(ClaimRow)
            .where(ClaimRow.id.in_(in_file), ClaimRow.status == "built")
            .values(status="sent", updated_at=_now())
            .execution_options(synchronize_session=False)
        )
        detail: dict[str, object] = {"batch": batch.id, "isa13": batch.interchange_control_number}
        add_events(session, "claim.sent", "sent", built, actor, detail, file_id=batch.file_id)


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
            select(BatchRow).where(BatchRow.status.in_([s.value for s in AWAITING_ACKS])).with_for_update(
                skip_locked=True
            )
        ).all()
        for batch in open_batches:
            claim_ids = select(FileClaimRow.claim_id).where(FileClaimRow.file_id == batch.file_id)
            statuses = list(session.scalars(select(ClaimRow.status).where(ClaimRow.id.in_(claim_ids))))
            target = summarize_claims(statuses)
            if target is None or target.value == batch.status or not can_move(BatchStatus(batch.status), target):
                continue
            counts = {status: statuses.count(status) for status in set(statuses)}
            move(session, batch, target, actor, {"claims": counts})
            moved += 1
    return moved


def count_claims(store: Store, status: str) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).where(ClaimRow.status == status)) or 0)
