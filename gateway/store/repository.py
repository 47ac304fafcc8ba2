"""Claims and X12 files in the database: row <-> domain mapping lives here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.domain.claim import Claim
from gateway.domain.identity import patient_key
from gateway.domain.status import ClaimStatus, Held, can_move_claim
from gateway.errors import StoreError
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow, ServiceLineRow, X12FileRow


def claim_columns(claim: Claim) -> dict[str, object]:
    """The one claim -> ``claims`` row mapping (every writer of claim rows uses it)."""
    return {
        "patient_control_number": claim.patient_control_number,
        "billing_npi": claim.billing_provider.npi,
        "payer_id": claim.payer.payer_id,
        "patient_key": patient_key(claim),
        "first_service_date": claim.first_service_date,
        "total_charge": claim.total_charge,
        "frequency_code": claim.frequency_code.value,
        "payload": claim.model_dump_json(),
    }


def line_columns(claim: Claim) -> list[dict[str, object]]:
    """The claim's lines as ``service_lines`` columns (what history look-ups and the rules query)."""
    return [
        {
            "line_number": number,
            "procedure_code": line.procedure_code,
            "modifiers": ":".join(line.modifiers),
            "units": line.units,
            "charge": line.charge,
            "service_date": line.service_date,
        }
        for number, line in enumerate(claim.service_lines, start=1)
    ]


def service_line_rows(claim: Claim) -> list[ServiceLineRow]:
    return [ServiceLineRow(**columns) for columns in line_columns(claim)]


def new_claim_row(claim: Claim, status: ClaimStatus) -> ClaimRow:
    """A claim row (not yet added to a session)."""
    row = ClaimRow(**claim_columns(claim), status=status, lines=service_line_rows(claim))
    return row


def upsert_claim(session: Session, claim: Claim, status: ClaimStatus) -> ClaimRow:
    """Store a claim (or replace the stored copy of the same PCN that was never sent)."""
    row = session.execute(
        select(ClaimRow)
        .where(ClaimRow.patient_control_number == claim.patient_control_number)
        .where(ClaimRow.billing_npi == claim.billing_provider.npi)
        .order_by(ClaimRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None or not row.status.before_batch:  # never rewrite a claim that is in a batch
        row = new_claim_row(claim, status)
        session.add(row)
    else:
        for key, value in claim_columns(claim).items():
            setattr(row, key, value)
        row.lines = service_line_rows(claim)
        row.status = status
    row.status_reason, row.hold_kind = None, None
    session.flush()
    return row


def move_claim(row: ClaimRow, target: ClaimStatus, reason: str | None = None) -> None:
    """Change a claim's status along ``CLAIM_TRANSITIONS`` (a hold goes through ``hold_claim``)."""
    current = ClaimStatus(row.status)  # a row built in this session holds what it was given
    if not can_move_claim(current, target):
        raise StoreError(f"claim {row.id}: cannot go from {current.value} to {target.value}")
    row.status, row.status_reason = target, reason
    row.hold_kind = None


def hold_claim(session: Session, row: ClaimRow, held: Held, reason: str, actor: str) -> None:
    """The one way a claim is held: status, kind, the reason an operator reads, one event."""
    move_claim(row, ClaimStatus.HELD, reason[:4000])
    row.hold_kind = held.hold
    record_event(
        session, "claim.held", claim_id=row.id, status=ClaimStatus.HELD, detail=held.to_detail(), actor=actor
    )


def record_event(
    session: Session,
    kind: str,
    *,
    claim_id: int | None = None,
    file_id: int | None = None,
    status: str | None = None,
    detail: dict[str, object] | None = None,
    actor: str = "gateway",
) -> EventRow:
    event = EventRow(
        claim_id=claim_id,
        file_id=file_id,
        kind=kind,
        status=status,
        detail=json.dumps(detail, sort_keys=True, default=str) if detail else None,
        actor=actor,
    )
    session.add(event)
    return event


def record_outbound_file(
    session: Session,
    *,
    kind: str,
    path: str,
    data: bytes,
    sender_id: str,
    receiver_id: str,
    interchange_control_number: str,
    group_control_number: str,
    claims: Sequence[tuple[ClaimRow, str]],
    actor: str = "gateway",
) -> X12FileRow:
    """Record a built file and link each (claim row, ST02) to it."""
    row = X12FileRow(
        direction="outbound",
        kind=kind,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        sender_id=sender_id,
        receiver_id=receiver_id,
        interchange_control_number=interchange_control_number,
        group_control_number=group_control_number,
    )
    session.add(row)
    session.flush()
    for claim_row, st02 in claims:
        session.add(FileClaimRow(file_id=row.id, claim_id=claim_row.id, transaction_control_number=st02))
        move_claim(claim_row, ClaimStatus.BUILT)
        record_event(
            session,
            "claim.built",
            claim_id=claim_row.id,
            file_id=row.id,
            status=ClaimStatus.BUILT,
            detail={"isa13": interchange_control_number, "st02": st02},
            actor=actor,
        )
    return row


def latest_claim_payload(store: Store, pcn: str) -> str | None:
    """The intake JSON of the newest stored version of claim ``pcn``, if any."""
    with store.session() as session:
        return session.scalar(
            select(ClaimRow.payload)
            .where(ClaimRow.patient_control_number == pcn)
            .order_by(ClaimRow.id.desc())
            .limit(1)
        )


def record_event_now(
    store: Store,
    kind: str,
    *,
    status: str | None = None,
    detail: dict[str, object] | None = None,
    actor: str = "gateway",
) -> None:
    """``record_event`` in a transaction of its own (a clearinghouse alert, an operator action)."""
    with store.session() as session:
        record_event(session, kind, status=status, detail=detail, actor=actor)
