"""Claims and X12 files in the database: row <-> domain mapping lives here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.domain.claim import Claim
from gateway.domain.identity import patient_key
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow, ServiceLineRow, X12FileRow


def upsert_claim(session: Session, claim: Claim, status: str, reason: str | None = None) -> ClaimRow:
    """Store a claim (or replace the stored copy of the same PCN that was never sent)."""
    row = session.execute(
        select(ClaimRow)
        .where(ClaimRow.patient_control_number == claim.patient_control_number)
        .where(ClaimRow.billing_npi == claim.billing_provider.npi)
        .order_by(ClaimRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None or row.status in SENT_STATES:
        row = ClaimRow(
            patient_control_number=claim.patient_control_number, billing_npi=claim.billing_provider.npi
        )
        session.add(row)
    row.payer_id = claim.payer.payer_id
    row.patient_key = patient_key(claim)
    row.first_service_date = claim.first_service_date
    row.total_charge = claim.total_charge
    row.frequency_code = claim.frequency_code.value
    row.status = status
    row.status_reason = reason
    row.payload = claim.model_dump_json()
    row.lines = service_line_rows(claim)
    session.flush()
    return row


def service_line_rows(claim: Claim) -> list[ServiceLineRow]:
    """The claim's lines as rows (what history look-ups and the rules query)."""
    return [
        ServiceLineRow(
            line_number=number,
            procedure_code=line.procedure_code,
            modifiers=":".join(line.modifiers),
            units=line.units,
            charge=line.charge,
            service_date=line.service_date,
        )
        for number, line in enumerate(claim.service_lines, start=1)
    ]


SENT_STATES = frozenset({"sent", "acknowledged", "accepted", "rejected", "paid", "denied"})


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
        claim_row.status = "built"
        record_event(
            session,
            "claim.built",
            claim_id=claim_row.id,
            file_id=row.id,
            status="built",
            detail={"isa13": interchange_control_number, "st02": st02},
            actor=actor,
        )
    return row
