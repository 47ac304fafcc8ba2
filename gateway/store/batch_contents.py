"""The bytes of every built batch, kept in the database: the database is the shared spool.

Several daemons on one PostgreSQL database (on several hosts) may send any batch: the file in
``outbound/<clearinghouse>/`` is a cache of this row, written again from it (checked against the
batch's sha256) when the daemon that sends is not the one that built, or the copy was lost.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.store.batches import BatchRow
from gateway.store.db import Store
from gateway.store.schema import Base


class BatchContentRow(Base):
    __tablename__ = "batch_contents"

    batch_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


def add_content(session: Session, batch_id: int, data: bytes) -> None:
    """Store a batch's bytes in the transaction that records the batch."""
    session.add(BatchContentRow(batch_id=batch_id, data=data))


def content_of(store: Store, batch_id: int) -> bytes | None:
    """The bytes built for ``batch_id``; None for batches recorded before contents were kept."""
    with store.session() as session:
        row = session.get(BatchContentRow, batch_id)
        return None if row is None else bytes(row.data)


def spooled_names(store: Store, clearinghouse: str) -> set[str]:
    """The file names of every batch recorded for ``clearinghouse`` (its spool folder's rightful files)."""
    with store.session() as session:
        return set(
            session.scalars(select(BatchRow.remote_name).where(BatchRow.clearinghouse == clearinghouse))
        )
