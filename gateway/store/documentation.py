"""The completeness score and the packet's control number, stored with the claim or auth request.

(Moved from gateway/packet/records.py: only the store holds tables.)

``documentation_records`` keeps one row per assessment (append-only: a reviewer may ask what the
record looked like when the packet went out): the subject (claim PCN or auth request id, linked
to ``claims.id`` / ``auths.id`` when the store has them), present/required element counts, the
missing element names, the rule-pack version, and the packet's attachment control number (the
837P/278 PWK06) and SHA-256 when a packet was rendered.  No PHI: element names and numbers only.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.store.auths import AuthRow
from gateway.store.db import Store
from gateway.store.schema import Base, ClaimRow

if TYPE_CHECKING:  # the table module stays light: gateway.store.models imports it for Alembic
    from gateway.packet.completeness import Completeness
    from gateway.packet.subject import Subject


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DocumentationRecordRow(Base):
    __tablename__ = "documentation_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(5))  # claim | auth
    subject_id: Mapped[str] = mapped_column(String(50), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), nullable=True)
    auth_id: Mapped[int | None] = mapped_column(ForeignKey("auths.id", ondelete="CASCADE"), nullable=True)
    present: Mapped[int] = mapped_column(Integer)
    required: Mapped[int] = mapped_column(Integer)
    missing: Mapped[str] = mapped_column(Text)  # JSON list of element names
    pack_version: Mapped[str | None] = mapped_column(String(80), nullable=True)
    packet_control_number: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    packet_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


def record(
    session: Session,
    subject: Subject,
    completeness: Completeness,
    *,
    pack_version: str | None,
    control_number: str | None = None,
    packet_sha256: str | None = None,
    claim_id: int | None = None,
) -> DocumentationRecordRow:
    """Append the assessment (and the packet, if one was rendered) for ``subject``.

    ``claim_id`` links the row when the caller has the claim row at hand; otherwise the newest
    stored claim (or auth) with the subject's identifier is linked, if any.
    """
    auth_id = None
    if subject.kind == "auth":
        auth_id = session.scalar(select(AuthRow.id).where(AuthRow.request_id == subject.identifier))
    elif claim_id is None:
        claim_id = session.scalar(
            select(ClaimRow.id)
            .where(ClaimRow.patient_control_number == subject.identifier)
            .where(ClaimRow.billing_npi == subject.claim.billing_provider.npi)
            .order_by(ClaimRow.id.desc())
            .limit(1)
        )
    required = completeness.required
    row = DocumentationRecordRow(
        subject_kind=subject.kind,
        subject_id=subject.identifier,
        claim_id=claim_id,
        auth_id=auth_id,
        present=len(required) - len(completeness.missing),
        required=len(required),
        missing=json.dumps([check.element for check in completeness.missing]),
        pack_version=pack_version,
        packet_control_number=control_number,
        packet_sha256=packet_sha256,
    )
    session.add(row)
    session.flush()
    return row


def claim_score_columns(
    claim_id: int, pcn: str, completeness: Completeness, pack_version: str | None
) -> dict[str, object]:
    """A claim's score as ``documentation_records`` columns (the daemon inserts a chunk's at once)."""
    required = completeness.required
    return {
        "subject_kind": "claim",
        "subject_id": pcn,
        "claim_id": claim_id,
        "present": len(required) - len(completeness.missing),
        "required": len(required),
        "missing": json.dumps([check.element for check in completeness.missing]),
        "pack_version": pack_version,
    }


def record_claim_score(
    session: Session, claim_id: int, pcn: str, completeness: Completeness, pack_version: str | None
) -> None:
    """The screening step's call: the claim's score, stored with its row (daemon and CLI alike)."""
    session.add(DocumentationRecordRow(**claim_score_columns(claim_id, pcn, completeness, pack_version)))


def latest(session: Session, kind: str, identifier: str) -> DocumentationRecordRow | None:
    return session.scalar(
        select(DocumentationRecordRow)
        .where(DocumentationRecordRow.subject_kind == kind)
        .where(DocumentationRecordRow.subject_id == identifier)
        .order_by(DocumentationRecordRow.id.desc())
        .limit(1)
    )


def record_now(
    store: Store,
    subject: Subject,
    completeness: Completeness,
    *,
    pack_version: str | None,
    control_number: str | None = None,
    packet_sha256: str | None = None,
) -> None:
    """``record`` in a transaction of its own (``gateway packet``)."""
    with store.session() as session:
        record(session, subject, completeness, pack_version=pack_version, control_number=control_number,
               packet_sha256=packet_sha256)  # fmt: skip
