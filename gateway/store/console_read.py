"""What the console's pages read: one function per page, each in one transaction.

Rows never leave this module: every function returns plain records.  Claims are addressed by
their row id (``claims.id``), which says nothing about the patient, so page addresses carry no
PHI; the patient control number and the other filters arrive in POST bodies.

A held claim's kind is ``claims.hold_kind`` (gateway.domain.status.HoldKind), set by the one
``hold_claim``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select

from gateway.domain.auth import AuthRecord
from gateway.domain.batch import BatchStatus
from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus, HoldKind
from gateway.store import documentation, operator_ops
from gateway.store.auths import auths_for_claim
from gateway.store.batches import BatchRow
from gateway.store.contact_backoff import FailureStreak
from gateway.store.db import Store
from gateway.store.ledger_tables import ClaimRefRow
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow, X12FileRow

PAGE_SIZE = 50
ATTENTION_CLAIM_STATES = (ClaimStatus.HELD, ClaimStatus.REJECTED, ClaimStatus.DENIED)
ATTENTION_BATCH_STATES = (BatchStatus.FAILED, BatchStatus.REJECTED, BatchStatus.PARTIALLY_ACCEPTED)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


# -- Today ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClearinghouseHealth:
    name: str
    last_contact: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    stopped_at: dt.datetime | None = None  # a permanent failure stopped it until an operator resets it
    stop_reason: str | None = None
    streak: FailureStreak | None = None  # temporary failures in a row: contacts are backing off

    @property
    def unreachable(self) -> bool:
        """Failing for longer than its ``backoff.alert_after_minutes``: the alert was raised."""
        return self.streak is not None and self.streak.alerted_at is not None

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None


@dataclass(frozen=True)
class Today:
    claims_by_state: dict[str, int]
    batches_by_state: dict[str, int]
    held_by_kind: dict[str, int]
    attention: dict[str, int]  # "rejected claims": 3, "failed batches": 1 ...
    clearinghouses: list[ClearinghouseHealth]
    oldest_waiting_claim: dt.datetime | None
    oldest_unsent_batch: tuple[int, dt.datetime] | None
    oldest_held: tuple[int, dt.datetime] | None  # claim id, held since


def today(store: Store) -> Today:
    view = operator_ops.status(store)
    with store.session() as session:
        kinds = {
            kind.value if kind else "unknown": count
            for kind, count in session.execute(
                select(ClaimRow.hold_kind, func.count())
                .where(ClaimRow.status == ClaimStatus.HELD)
                .group_by(ClaimRow.hold_kind)
            )
        }
        oldest_held = session.execute(
            select(ClaimRow.id, ClaimRow.updated_at)
            .where(ClaimRow.status == ClaimStatus.HELD)
            .order_by(ClaimRow.updated_at, ClaimRow.id)
            .limit(1)
        ).first()
    attention = {f"{state.value} claims": view.claims.get(state, 0) for state in ATTENTION_CLAIM_STATES}
    attention.update(
        {
            f"{state.value.replace('_', ' ')} batches": view.batches.get(state.value, 0)
            for state in ATTENTION_BATCH_STATES
        }
    )
    health = [
        ClearinghouseHealth(
            c.name,
            _aware(c.last_contact_at) if c.last_contact_at else None,
            c.last_error,
            _aware(c.last_error_at) if c.last_error_at else None,
            _aware(c.stopped_at) if c.stopped_at else None,
            c.stop_reason,
            c.streak,
        )
        for c in view.contacts
    ]
    return Today(
        dict(sorted(view.claims.items())),
        dict(sorted(view.batches.items())),
        dict(sorted(kinds.items())),
        attention,
        health,
        _aware(view.oldest_waiting_claim) if view.oldest_waiting_claim else None,
        (view.oldest_unsent_batch[0], _aware(view.oldest_unsent_batch[1]))
        if view.oldest_unsent_batch
        else None,
        (oldest_held[0], _aware(oldest_held[1])) if oldest_held else None,
    )


# -- Claims --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimFilter:
    status: ClaimStatus | None = None
    hold_kind: HoldKind | None = None
    payer_id: str | None = None
    service_from: dt.date | None = None
    service_to: dt.date | None = None
    patient_control_number: str | None = None  # a prefix


@dataclass(frozen=True)
class ClaimLine:
    id: int
    patient_control_number: str
    payer_id: str
    first_service_date: dt.date
    total_charge: Decimal
    status: str
    hold_kind: str | None
    status_reason: str | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class ClaimPage:
    claims: list[ClaimLine]
    page: int
    total: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def claim_states(store: Store) -> list[ClaimStatus]:
    with store.session() as session:
        return sorted(session.scalars(select(ClaimRow.status).distinct()))


def payer_ids(store: Store) -> list[str]:
    with store.session() as session:
        return sorted(session.scalars(select(ClaimRow.payer_id).distinct()))


def _lines(rows: Sequence[ClaimRow]) -> list[ClaimLine]:
    return [
        ClaimLine(
            row.id,
            row.patient_control_number,
            row.payer_id,
            row.first_service_date,
            row.total_charge,
            row.status,
            row.hold_kind.value if row.hold_kind else None,
            row.status_reason,
            _aware(row.updated_at),
        )
        for row in rows
    ]


def claims_page(
    store: Store,
    wanted: ClaimFilter,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    *,
    before: int | None = None,
    after: int | None = None,
) -> ClaimPage:
    """Newest first.  ``before``/``after`` (a claim id: the last/first of the page shown) give the
    next/previous page by key, which costs the same on page 2,000 as on page 2; without them,
    ``page`` (1-based, clamped to the last page) is reached by offset."""
    conditions: list[ColumnElement[bool]] = []
    if wanted.hold_kind is not None:
        conditions += [ClaimRow.status == ClaimStatus.HELD, ClaimRow.hold_kind == wanted.hold_kind]
    elif wanted.status:
        conditions.append(ClaimRow.status == wanted.status)
    if wanted.payer_id:
        conditions.append(ClaimRow.payer_id == wanted.payer_id)
    if wanted.service_from:
        conditions.append(ClaimRow.first_service_date >= wanted.service_from)
    if wanted.service_to:
        conditions.append(ClaimRow.first_service_date <= wanted.service_to)
    if wanted.patient_control_number:  # a range, not LIKE: SQLite's LIKE cannot use the index
        prefix = wanted.patient_control_number
        conditions += [
            ClaimRow.patient_control_number >= prefix,
            ClaimRow.patient_control_number < prefix + "\uffff",
        ]
    with store.session() as session:
        # count(id) on the table itself, not on a subquery: SQLite then counts an index, not the rows.
        total = int(session.scalar(select(func.count(ClaimRow.id)).where(*conditions)) or 0)
        page = min(max(page, 1), max(1, -(-total // page_size)))
        ids = select(ClaimRow.id).where(*conditions).limit(page_size)
        if before is not None:
            page_ids = list(session.scalars(ids.where(ClaimRow.id < before).order_by(ClaimRow.id.desc())))
        elif after is not None:
            page_ids = list(session.scalars(ids.where(ClaimRow.id > after).order_by(ClaimRow.id)))
        else:
            page_ids = list(session.scalars(ids.order_by(ClaimRow.id.desc()).offset((page - 1) * page_size)))
        rows = list(
            session.scalars(select(ClaimRow).where(ClaimRow.id.in_(page_ids)).order_by(ClaimRow.id.desc()))
        )
        lines = _lines(rows)
    return ClaimPage(lines, page, total, page_size)


# -- one claim -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentationScore:
    present: int
    required: int
    missing: list[str]
    packet_control_number: str | None
    at: dt.datetime


@dataclass(frozen=True)
class ClaimFile:
    """The outbound 837P that carries the claim, and the claim's transaction set in it."""

    batch_id: int | None
    batch_status: str | None
    path: str
    interchange_control_number: str
    transaction_control_number: str


@dataclass(frozen=True)
class FileEvent:
    """An event of a file the claim went out in (batch moves, operator replay/cancel)."""

    at: dt.datetime
    kind: str
    status: str
    actor: str
    detail: str


@dataclass(frozen=True)
class ClaimRecord:
    id: int
    patient_control_number: str
    payer_id: str
    billing_npi: str
    first_service_date: dt.date
    total_charge: Decimal
    status: str
    status_reason: str | None
    hold_kind: str | None
    rule_pack_version: str | None
    created_at: dt.datetime
    claim: Claim
    versions: list[tuple[int, ClaimStatus]]  # every row of this PCN: (id, status), oldest first
    files: list[ClaimFile] = field(default_factory=list)
    documentation: DocumentationScore | None = None
    auths: list[AuthRecord] = field(default_factory=list)
    file_events: list[FileEvent] = field(default_factory=list)


def claim_record(store: Store, claim_id: int) -> ClaimRecord | None:
    with store.session() as session:
        row = session.get(ClaimRow, claim_id)
        if row is None:
            return None
        claim = Claim.model_validate_json(row.payload)
        versions = [
            (version_id, status)
            for version_id, status in session.execute(
                select(ClaimRow.id, ClaimRow.status)
                .where(ClaimRow.patient_control_number == row.patient_control_number)
                .where(ClaimRow.billing_npi == row.billing_npi)
                .order_by(ClaimRow.id)
            )
        ]
        files = [
            ClaimFile(batch_id, batch_status, path, isa13, st02)
            for batch_id, batch_status, path, isa13, st02 in session.execute(
                select(
                    BatchRow.id,
                    BatchRow.status,
                    X12FileRow.path,
                    X12FileRow.interchange_control_number,
                    FileClaimRow.transaction_control_number,
                )
                .join(X12FileRow, X12FileRow.id == FileClaimRow.file_id)
                .outerjoin(BatchRow, BatchRow.file_id == X12FileRow.id)
                .where(FileClaimRow.claim_id == row.id)
                .order_by(X12FileRow.id)
            )
        ]
        file_ids = select(FileClaimRow.file_id).where(FileClaimRow.claim_id == row.id)
        file_events = [
            FileEvent(_aware(e.at), e.kind, e.status or "", e.actor, e.detail or "")
            for e in session.scalars(
                select(EventRow)
                .where(EventRow.file_id.in_(file_ids), EventRow.claim_id.is_(None))
                .order_by(EventRow.id)
            )
        ]
        score = documentation.latest(session, "claim", row.patient_control_number)
        return ClaimRecord(
            row.id,
            row.patient_control_number,
            row.payer_id,
            row.billing_npi,
            row.first_service_date,
            row.total_charge,
            row.status,
            row.status_reason,
            row.hold_kind.value if row.hold_kind else None,
            row.rule_pack_version,
            _aware(row.created_at),
            claim,
            versions,
            files,
            DocumentationScore(
                score.present,
                score.required,
                json.loads(score.missing),
                score.packet_control_number,
                _aware(score.created_at),
            )
            if score is not None
            else None,
            auths_for_claim(session, claim),
            file_events,
        )


# -- Holds ---------------------------------------------------------------------------------------


def held_claims(store: Store, page: int = 1, page_size: int = PAGE_SIZE) -> ClaimPage:
    """Held claims, the longest held first (the queue an operator works)."""
    with store.session() as session:
        total = int(session.scalar(select(func.count()).where(ClaimRow.status == ClaimStatus.HELD)) or 0)
        page = min(max(page, 1), max(1, -(-total // page_size)))
        rows = list(
            session.scalars(
                select(ClaimRow)
                .where(ClaimRow.status == ClaimStatus.HELD)
                .order_by(ClaimRow.updated_at, ClaimRow.id)
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        )
        lines = _lines(rows)
    return ClaimPage(lines, page, total, page_size)


def patient_control_number_of(store: Store, claim_id: int) -> str | None:
    with store.session() as session:
        return session.scalar(select(ClaimRow.patient_control_number).where(ClaimRow.id == claim_id))


def remittance_mark(store: Store) -> int:
    """The newest 835 event's id: the ledger is append-only, so it changes exactly when an 835 is
    recorded, and the Denials page keeps its aggregates until then (one index look-up)."""
    with store.session() as session:
        newest = session.scalar(select(func.max(ClaimRefRow.event_id)).where(ClaimRefRow.source == "835"))
        return int(newest or 0)


# -- Batches -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchLine:
    id: int
    clearinghouse: str
    status: str
    status_reason: str | None
    claim_count: int
    interchange_control_number: str
    created_at: dt.datetime
    replay_of: int | None


def batches(store: Store, status: BatchStatus | None = None, limit: int = 200) -> list[BatchLine]:
    return [
        BatchLine(
            row.id,
            row.clearinghouse,
            row.status,
            row.status_reason,
            row.claim_count,
            row.interchange_control_number,
            _aware(row.created_at),
            row.replay_of,
        )
        for row in operator_ops.list_batches(store, status.value if status else None, limit)
    ]


@dataclass(frozen=True)
class BatchEvent:
    at: dt.datetime
    kind: str
    actor: str
    detail: str


@dataclass(frozen=True)
class BatchRecord:
    batch: BatchLine
    size: int
    remote_name: str
    attempts: int
    claims: list[tuple[int, str, ClaimStatus]]  # (claim id, PCN, status)
    events: list[BatchEvent]


def batch_record(store: Store, batch_id: int) -> BatchRecord | None:
    with store.session() as session:
        row = session.get(BatchRow, batch_id)
        if row is None:
            return None
        claims = [
            (claim_id, pcn, status)
            for claim_id, pcn, status in session.execute(
                select(ClaimRow.id, ClaimRow.patient_control_number, ClaimRow.status)
                .join(FileClaimRow, FileClaimRow.claim_id == ClaimRow.id)
                .where(FileClaimRow.file_id == row.file_id)
                .order_by(ClaimRow.id)
            )
        ]
        events = [
            BatchEvent(_aware(e.at), e.kind, e.actor, e.detail or "")
            for e in session.scalars(
                select(EventRow)
                .where(EventRow.file_id == row.file_id, EventRow.claim_id.is_(None))
                .order_by(EventRow.id)
            )
        ]
        line = BatchLine(
            row.id,
            row.clearinghouse,
            row.status,
            row.status_reason,
            row.claim_count,
            row.interchange_control_number,
            _aware(row.created_at),
            row.replay_of,
        )
        return BatchRecord(line, row.size, row.remote_name, row.attempts, claims, events)
