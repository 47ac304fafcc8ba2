"""Repository functions for what follows a claim's answer: corrections, voids, next payers.

The pipeline (gateway.pipeline.corrections, gateway.pipeline.secondary) decides; these read the
ledger for it and record its decision in one transaction: the new claim row (``received``, so
the daemon runs rules, gate and batch on it like on any claim), the link to the row it follows
from, and one event on each.  The link table's unique (original, kind) turns a second
correction of the same old version, even by two operators at once, into a clear error.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from gateway.domain.claim import Claim
from gateway.domain.status import AFTER_SEND, ClaimStatus
from gateway.errors import InputError
from gateway.store import repository
from gateway.store.db import Store
from gateway.store.followup_tables import ClaimLinkRow, FollowupCursorRow
from gateway.store.intake_ops import insert_version
from gateway.store.ledger_tables import ClaimRefRow
from gateway.store.schema import ClaimRow, EventRow

# Link kinds that end a version's life: it cannot be replaced or voided again.
SUPERSEDING = ("replacement", "void")


@dataclass(frozen=True)
class ClaimVersion:
    claim_id: int
    patient_control_number: str
    payer_id: str
    status: str
    frequency_code: str
    payload: str


@dataclass(frozen=True)
class PayerNumber:
    number: str
    source: str  # 835 (CLP07) or 277CA (REF*1K)


@dataclass(frozen=True)
class Link:
    from_claim_id: int
    to_claim_id: int
    kind: str
    reason: str | None
    actor: str
    to_status: str


def _version(row: ClaimRow) -> ClaimVersion:
    return ClaimVersion(
        row.id, row.patient_control_number, row.payer_id, row.status, row.frequency_code, row.payload
    )


def sent_version(store: Store, pcn: str, payer_id: str | None = None) -> ClaimVersion:
    """The newest version of ``pcn`` that left the gateway (for ``payer_id`` when given).

    InputError when the PCN is unknown, never sent, or sent to several payers and none is named.
    """
    with store.session() as session:
        rows = list(
            session.scalars(
                select(ClaimRow).where(ClaimRow.patient_control_number == pcn).order_by(ClaimRow.id.desc())
            )
        )
        if not rows:
            raise InputError(f"no claim with patient control number {pcn}")
        if payer_id is not None:
            rows = [row for row in rows if row.payer_id == payer_id]
            if not rows:
                raise InputError(f"claim {pcn} was never billed to payer {payer_id}")
        sent = [row for row in rows if row.status in AFTER_SEND]
        if not sent:
            raise InputError(
                f"claim {pcn} was never sent (it is {rows[0].status}): there is nothing at the payer to "
                "correct or void; change it with a new intake file or hold it (gateway claims hold)"
            )
        payers = sorted({row.payer_id for row in sent})
        if len(payers) > 1:
            raise InputError(f"claim {pcn} was sent to payers {', '.join(payers)}: name one with --payer")
        return _version(sent[0])


def payer_claim_number(store: Store, claim_id: int) -> PayerNumber | None:
    """The payer's claim control number for this row: the newest 835 CLP07 or 277CA REF*1K."""
    with store.session() as session:
        found = session.execute(
            select(ClaimRefRow.payer_claim_control_number, ClaimRefRow.source)
            .where(
                ClaimRefRow.claim_id == claim_id,
                ClaimRefRow.payer_claim_control_number.is_not(None),
                ClaimRefRow.source.in_(["835", "277CA"]),
            )
            .order_by(ClaimRefRow.event_id.desc())
            .limit(1)
        ).first()
    return PayerNumber(str(found[0]), found[1]) if found else None


def superseded_by(store: Store, claim_id: int) -> Link | None:
    """The replacement or void that already follows this version, if any."""
    with store.session() as session:
        return _superseding_link(session, claim_id)


def _superseding_link(session: Any, claim_id: int) -> Link | None:
    found = session.execute(
        select(ClaimLinkRow, ClaimRow.status)
        .join(ClaimRow, ClaimRow.id == ClaimLinkRow.to_claim_id)
        .where(ClaimLinkRow.from_claim_id == claim_id, ClaimLinkRow.kind.in_(SUPERSEDING))
    ).first()
    if found is None:
        return None
    link, status = found
    return Link(link.from_claim_id, link.to_claim_id, link.kind, link.reason, link.actor, status)


def claims_with_payer_number(store: Store, number: str) -> list[int]:
    """Claim rows the ledger has seen with this payer claim control number."""
    with store.session() as session:
        return sorted(
            set(
                session.scalars(
                    select(ClaimRefRow.claim_id).where(
                        ClaimRefRow.payer_claim_control_number == number, ClaimRefRow.claim_id.is_not(None)
                    )
                )
            )
        )


def record_followup(
    store: Store, original_id: int, claim: Claim, kind: str, actor: str, detail: dict[str, object]
) -> int:
    """Queue ``claim`` (as ``received``) as the ``kind`` that follows row ``original_id``; its id."""
    try:
        with store.session() as session:
            original = session.get(ClaimRow, original_id, with_for_update=True)
            if original is None:
                raise InputError(f"claim row {original_id} no longer exists")
            if kind in SUPERSEDING:
                existing = _superseding_link(session, original_id)
                if existing is not None:
                    raise InputError(_already(original.patient_control_number, original_id, existing))
            row = insert_version(session, claim, ClaimStatus.RECEIVED)
            session.add(
                ClaimLinkRow(
                    from_claim_id=original_id,
                    to_claim_id=row.id,
                    kind=kind,
                    reason=str(detail.get("reason") or "") or None,
                    actor=actor,
                )
            )
            session.flush()
            repository.record_event(session, "claim.received", claim_id=row.id, status=ClaimStatus.RECEIVED,
                                    detail={"follows": original_id, "kind": kind, **detail}, actor=actor)  # fmt: skip
            repository.record_event(session, f"claim.{kind}", claim_id=original_id, status=kind,
                                    detail={"by": row.id, **detail}, actor=actor)  # fmt: skip
            return row.id
    except IntegrityError:
        existing = superseded_by(store, original_id) if kind in SUPERSEDING else None
        if existing is not None:
            raise InputError(_already(claim.patient_control_number, original_id, existing)) from None
        raise InputError(f"claim row {original_id} already has a {kind}") from None


def _already(pcn: str, original_id: int, link: Link) -> str:
    verb = "replaced" if link.kind == "replacement" else "voided"
    return (
        f"claim {pcn} (#{original_id}) was already {verb} by #{link.to_claim_id} ({link.to_status}); "
        f"a further correction starts from #{link.to_claim_id} once the payer has answered it"
    )


def links_of(store: Store, claim_ids: list[int]) -> list[Link]:
    """Every link from or to these rows, oldest first (``gateway claims show``)."""
    if not claim_ids:
        return []
    with store.session() as session:
        rows = session.execute(
            select(ClaimLinkRow, ClaimRow.status)
            .join(ClaimRow, ClaimRow.id == ClaimLinkRow.to_claim_id)
            .where(or_(ClaimLinkRow.from_claim_id.in_(claim_ids), ClaimLinkRow.to_claim_id.in_(claim_ids)))
            .order_by(ClaimLinkRow.id)
        ).all()
    return [Link(r.from_claim_id, r.to_claim_id, r.kind, r.reason, r.actor, status) for r, status in rows]


def record_claim_event(
    store: Store, claim_id: int, kind: str, status: str, detail: dict[str, object], actor: str
) -> None:
    with store.session() as session:
        repository.record_event(session, kind, claim_id=claim_id, status=status, detail=detail, actor=actor)


def remit_details(store: Store, claim_id: int) -> list[tuple[int, dt.date, dict[str, Any]]]:
    """(event id, day recorded, detail) of the 835 claim events recorded for this row, oldest first."""
    with store.session() as session:
        rows = session.execute(
            select(EventRow.id, EventRow.at, EventRow.detail)
            .join(ClaimRefRow, ClaimRefRow.event_id == EventRow.id)
            .where(ClaimRefRow.claim_id == claim_id, ClaimRefRow.source == "835")
            .order_by(EventRow.id)
        ).all()
    return [(event_id, at.date(), json.loads(text or "{}")) for event_id, at, text in rows]


def answered_version(store: Store, pcn: str) -> ClaimVersion | None:
    """The newest version of ``pcn`` an 835 was recorded for; InputError when the PCN is unknown."""
    with store.session() as session:
        rows = list(
            session.scalars(
                select(ClaimRow).where(ClaimRow.patient_control_number == pcn).order_by(ClaimRow.id.desc())
            )
        )
        if not rows:
            raise InputError(f"no claim with patient control number {pcn}")
        answered = set(
            session.scalars(
                select(ClaimRefRow.claim_id).where(
                    ClaimRefRow.claim_id.in_([row.id for row in rows]), ClaimRefRow.source == "835"
                )
            )
        )
        for row in rows:
            if row.id in answered:
                return _version(row)
        return None


def newest_version(store: Store, pcn: str) -> ClaimVersion:
    with store.session() as session:
        row = session.scalars(
            select(ClaimRow)
            .where(ClaimRow.patient_control_number == pcn)
            .order_by(ClaimRow.id.desc())
            .limit(1)
        ).first()
        if row is None:
            raise InputError(f"no claim with patient control number {pcn}")
        return _version(row)


def claim_version(store: Store, claim_id: int) -> ClaimVersion:
    with store.session() as session:
        row = session.get(ClaimRow, claim_id)
        if row is None:
            raise InputError(f"no claim row {claim_id}")
        return _version(row)


def new_remits(store: Store, cursor: str, limit: int = 500) -> list[tuple[int, int]]:
    """(event id, claim id) of matched 835 claim events after the cursor, oldest first."""
    with store.session() as session:
        last = session.get(FollowupCursorRow, cursor)
        after = last.last_event_id if last is not None else 0
        rows = session.execute(
            select(ClaimRefRow.event_id, ClaimRefRow.claim_id)
            .where(
                ClaimRefRow.source == "835", ClaimRefRow.claim_id.is_not(None), ClaimRefRow.event_id > after
            )
            .order_by(ClaimRefRow.event_id)
            .limit(limit)
        ).all()
    return [(event_id, claim_id) for event_id, claim_id in rows if claim_id is not None]


def advance_cursor(store: Store, cursor: str, event_id: int) -> None:
    with store.session() as session:
        row = session.get(FollowupCursorRow, cursor, with_for_update=True)
        if row is None:
            session.add(FollowupCursorRow(name=cursor, last_event_id=event_id))
        elif event_id > row.last_event_id:
            row.last_event_id = event_id


def followed_by(store: Store, claim_id: int, kind: str) -> int | None:
    with store.session() as session:
        return session.scalar(
            select(ClaimLinkRow.to_claim_id).where(
                ClaimLinkRow.from_claim_id == claim_id, ClaimLinkRow.kind == kind
            )
        )


@dataclass(frozen=True)
class RecordedAnswer:
    event_id: int
    recorded: dt.date
    patient_control_number: str
    claim_id: int | None
    detail: dict[str, Any]
    payload: str | None  # the claim as sent; None when the 835 named a claim we never sent


def open_answers(store: Store) -> list[RecordedAnswer]:
    """The newest 835 answer per claim row (per PCN when unmatched), leaving out replaced or voided rows."""
    with store.session() as session:
        refs = session.execute(
            select(ClaimRefRow.event_id, ClaimRefRow.claim_id, ClaimRefRow.patient_control_number, EventRow.at,
                   EventRow.detail)
            .join(EventRow, EventRow.id == ClaimRefRow.event_id)
            .where(ClaimRefRow.source == "835")
            .order_by(ClaimRefRow.event_id)
        ).all()  # fmt: skip
        superseded = set(
            session.scalars(select(ClaimLinkRow.from_claim_id).where(ClaimLinkRow.kind.in_(SUPERSEDING)))
        )
        newest: dict[object, tuple[int, int | None, str, dt.datetime, str | None]] = {}
        for event_id, claim_id, pcn, at, detail in refs:
            newest[claim_id if claim_id is not None else ("unmatched", pcn)] = (
                event_id,
                claim_id,
                pcn,
                at,
                detail,
            )
        ids = [c for _e, c, _p, _a, _d in newest.values() if c is not None and c not in superseded]
        payloads = dict(
            session.execute(select(ClaimRow.id, ClaimRow.payload).where(ClaimRow.id.in_(ids))).all()
        )
    return [
        RecordedAnswer(
            event_id,
            at.date(),
            pcn,
            claim_id,
            json.loads(detail or "{}"),
            payloads.get(claim_id) if claim_id is not None else None,
        )
        for event_id, claim_id, pcn, at, detail in newest.values()
        if claim_id is None or claim_id not in superseded
    ]
