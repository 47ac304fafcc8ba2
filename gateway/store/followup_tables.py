"""Tables for what follows a claim's answer: links between versions and payers, scan cursors.

``claim_links`` ties a claim row to the row that follows from it: a replacement (frequency 7)
or a void (8) of a sent claim, or the claim billed to the next payer after an 835 (secondary,
tertiary).  One row per (original, kind): a claim is replaced or voided once, and billed to its
next payer once; a second correction must start from the replacement.
``followup_cursors`` remembers the last ledger event a scan has looked at (the daemon's
secondary-claim scan reads each 835 event once).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.schema import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ClaimLinkRow(Base):
    __tablename__ = "claim_links"
    __table_args__ = (UniqueConstraint("from_claim_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    to_claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # replacement | void | secondary
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FollowupCursorRow(Base):
    __tablename__ = "followup_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer)
