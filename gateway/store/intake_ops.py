"""Claims into the database: the watched folder's files, versions of a claim, bulk events.

Kept apart from gateway.store.batch_ops (batches) so each stays small; the daemon's cycles call
both.  Each public function runs inside the caller's transaction or is one itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus, Held, HoldKind
from gateway.errors import StoreError
from gateway.store import repository
from gateway.store.auths import give_back_units
from gateway.store.batches import IntakeFileRow
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow, ServiceLineRow


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def insert_version(session: Session, claim: Claim, status: ClaimStatus) -> ClaimRow:
    """A new row for ``claim`` even if an earlier version of its PCN is in a batch (never overwrite)."""
    row = repository.new_claim_row(claim, status)
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


@dataclass(frozen=True)
class Stored:
    claim_id: int
    status: ClaimStatus
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
        if earlier is not None and earlier.status.before_batch:
            row = repository.upsert_claim(session, claim, ClaimStatus.RECEIVED)
            stored[position] = Stored(row.id, row.status, row.payload)
        elif earlier is not None and earlier.status is ClaimStatus.BUILT:
            unsent = {"status": ClaimStatus.HELD, "status_reason": IN_UNSENT_BATCH,
                      "hold_kind": HoldKind.UNSENT_BATCH}  # fmt: skip
            fresh.append((position, {**repository.claim_columns(claim), **unsent}, claim))
        else:
            fresh.append(
                (position, {**repository.claim_columns(claim), "status": ClaimStatus.RECEIVED}, claim)
            )
    if fresh:
        now = _now()
        insert_claims = insert(ClaimRow).returning(ClaimRow.id, sort_by_parameter_order=True)
        ids = session.scalars(
            insert_claims, [{**values, "created_at": now, "updated_at": now} for _, values, _ in fresh]
        ).all()
        lines = [
            {**line, "claim_id": claim_id}
            for (_, _, claim), claim_id in zip(fresh, ids, strict=True)
            for line in repository.line_columns(claim)
        ]
        session.execute(insert(ServiceLineRow), lines)
        for (position, values, _), claim_id in zip(fresh, ids, strict=True):
            stored[position] = Stored(claim_id, ClaimStatus(str(values["status"])), str(values["payload"]))
    return [stored[position] for position in range(len(claims))]


def add_events(session: Session, kind: str, status: ClaimStatus, claim_ids: Sequence[int], actor: str,
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


def receive(session: Session, claims: Sequence[Claim], name: str, actor: str) -> list[Stored]:
    """Store a file's claims as received (``store_received``) with their claim.received/held events."""
    stored = store_received(session, claims)
    received = [item.claim_id for item in stored if item.status is ClaimStatus.RECEIVED]
    add_events(session, "claim.received", ClaimStatus.RECEIVED, received, actor, {"file": name})
    # Held here only when an earlier version waits in an unsent batch (store_received).
    held = [item.claim_id for item in stored if item.status is ClaimStatus.HELD]
    detail = Held(HoldKind.UNSENT_BATCH, reason=IN_UNSENT_BATCH, file=name).to_detail()
    add_events(session, "claim.held", ClaimStatus.HELD, held, actor, detail)
    return stored


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
            taken = [(item.claim_id, item.payload) for item in receive(session, claims, name, actor)]
    except IntegrityError:
        return None
    except (OperationalError, InterfaceError) as error:
        # The database is away or locked, which is not the file's fault: the caller keeps it.
        raise StoreError(f"{name}: database unavailable: {type(error.orig).__name__}") from error
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
        .where(ClaimRow.status == ClaimStatus.RECEIVED)
        .order_by(ClaimRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def hold_claims(store: Store, failing: Sequence[tuple[int, list[str]]], actor: str) -> None:
    """Hold queued claims that failed the gate on their own, with the gate's first problems.

    Any units such a claim took are given back (none are taken before a claim is in a batch, so
    this only matters for data recorded by earlier releases).
    """
    with store.session() as session:
        for claim_id, problems in failing:
            row = session.get(ClaimRow, claim_id, with_for_update=True)
            if row is None or row.status is not ClaimStatus.QUEUED:
                continue
            reason = "the 837P for this claim fails the pyx12 gate: " + "; ".join(problems[:5])
            held = Held(HoldKind.GATE, gate_problems=len(problems))
            repository.hold_claim(session, row, held, reason, actor)
            give_back_units(session, [claim_id])


def hold_short_of_units(store: Store, claim_id: int, reason: str, actor: str) -> None:
    """Hold a queued claim whose authorization ran out between screening and its batch."""
    with store.session() as session:
        row = session.get(ClaimRow, claim_id, with_for_update=True)
        if row is not None and row.status is ClaimStatus.QUEUED:
            repository.hold_claim(
                session, row, Held(HoldKind.AUTH, auth=(reason,)), f"prior authorization: {reason}", actor
            )
