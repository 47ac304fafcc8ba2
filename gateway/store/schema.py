"""Tables of the gateway's own data (claims, lines, X12 files, control numbers, ledger events).

Other subsystems add their tables in their own modules on the same ``Base`` (so that one
Alembic history covers all of them) and import them in ``gateway.store.models``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from gateway.domain.status import ClaimStatus, HoldKind


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


E = TypeVar("E", bound=StrEnum)


class _EnumText(TypeDecorator[E]):
    """A StrEnum stored as its text; an unknown stored value is an error, not a stray string."""

    impl = String(20)
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class ClaimRow(Base):
    """One claim as received, with its current status.  ``payload`` is the intake JSON."""

    __tablename__ = "claims"
    # For the console's lists on many claims (migration 0008_console says why).
    __table_args__ = (
        Index("ix_claims_status_updated_at", "status", "updated_at"),
        Index("ix_claims_status_created_at", "status", "created_at"),
        Index("ix_claims_status_hold_kind", "status", "hold_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_control_number: Mapped[str] = mapped_column(String(38), index=True)
    payer_id: Mapped[str] = mapped_column(String(80), index=True)
    billing_npi: Mapped[str] = mapped_column(String(10))
    # A stable, non-reversible key for "the same patient" (history look-ups) that avoids
    # querying on names or member ids: gateway.domain.identity.patient_key.
    patient_key: Mapped[str] = mapped_column(String(64), index=True)
    first_service_date: Mapped[dt.date] = mapped_column(Date, index=True)
    total_charge: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    frequency_code: Mapped[str] = mapped_column(String(1), default="1")
    status: Mapped[ClaimStatus] = mapped_column(_EnumText(ClaimStatus), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set exactly while status is held: what may lift the hold (gateway.domain.status.HoldKind).
    hold_kind: Mapped[HoldKind | None] = mapped_column(_EnumText(HoldKind), nullable=True)
    rule_pack_version: Mapped[str | None] = mapped_column(String(80), nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    lines: Mapped[list[ServiceLineRow]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ServiceLineRow.line_number"
    )


class ServiceLineRow(Base):
    __tablename__ = "service_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    line_number: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str] = mapped_column(String(5), index=True)
    modifiers: Mapped[str] = mapped_column(String(11), default="")
    units: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    charge: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    service_date: Mapped[dt.date] = mapped_column(Date, index=True)

    claim: Mapped[ClaimRow] = relationship(back_populates="lines")


class X12FileRow(Base):
    """An X12 file we wrote or received, identified by its content hash."""

    __tablename__ = "x12_files"
    __table_args__ = (UniqueConstraint("direction", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # outbound | inbound
    kind: Mapped[str] = mapped_column(String(10))  # 837P, 278, 999, 277CA, 835, TA1 ...
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sender_id: Mapped[str] = mapped_column(String(15))
    receiver_id: Mapped[str] = mapped_column(String(15))
    interchange_control_number: Mapped[str] = mapped_column(String(9), index=True)
    group_control_number: Mapped[str | None] = mapped_column(String(9), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FileClaimRow(Base):
    """Which claims a file carries, and in which transaction set (ST02)."""

    __tablename__ = "file_claims"

    file_id: Mapped[int] = mapped_column(ForeignKey("x12_files.id", ondelete="CASCADE"), primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    transaction_control_number: Mapped[str] = mapped_column(String(9))


class ControlCounterRow(Base):
    """Last allocated ISA13 / GS06 / ST02 per sender-receiver pair; only ever increases."""

    __tablename__ = "control_counters"

    sender_id: Mapped[str] = mapped_column(String(15), primary_key=True)
    receiver_id: Mapped[str] = mapped_column(String(15), primary_key=True)
    kind: Mapped[str] = mapped_column(String(3), primary_key=True)  # ISA | GS | ST
    last_value: Mapped[int] = mapped_column(BigInteger)


class EventRow(Base):
    """Append-only ledger: every status change of a claim, file or batch, with time and actor."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_claim_at", "claim_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, server_default=func.now())
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), nullable=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("x12_files.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON text, never PHI
    actor: Mapped[str] = mapped_column(String(80), default="gateway")
