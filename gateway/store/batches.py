"""Tables of the daemon: batches, intake files, clearinghouse contact; and the work locks.

``batches`` is one row per outbound file per clearinghouse; its claims are the file's
``file_claims``, its transitions are ``events`` rows on the batch's ``x12_files`` row (kind
``batch.<status>``, with the actor).  ``intake_files`` makes the watched folder idempotent: a
claims file is taken once per content hash, in the same transaction as its claims.
``clearinghouse_contacts`` keeps the last successful contact and the last error per
clearinghouse for ``gateway status``.

Several daemons on one PostgreSQL database share work through ``WorkLocks``: session-level
advisory locks held on their own connection for the duration of one step (build a batch for a
clearinghouse, upload one batch, poll one clearinghouse).  A killed daemon's connection dies
with it and PostgreSQL releases its locks at once, so nothing waits for a lease to expire.
SQLite has no such locks; there the daemon takes an exclusive lock file instead (one daemon per
SQLite database), and these locks only order the threads of that one process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from gateway.errors import StoreError
from gateway.store.db import Store, make_engine, migrate
from gateway.store.schema import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BatchRow(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clearinghouse: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("x12_files.id"), index=True)
    spool_path: Mapped[str] = mapped_column(Text)
    # Decided once, at build time, so every retry and every restart uploads under the same name.
    remote_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    interchange_control_number: Mapped[str] = mapped_column(String(9))
    claim_count: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    replay_of: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IntakeFileRow(Base):
    __tablename__ = "intake_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    claims: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ClearinghouseContactRow(Base):
    __tablename__ = "clearinghouse_contacts"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_contact_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # A permanent transport failure (host key, rejected key, permission): no contact until an
    # operator resets it (gateway.store.clearinghouse_stops), across restarts and cron runs.
    stopped_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    stop_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A streak of temporary failures (gateway.store.contact_backoff): how many, since when, the
    # earliest next contact, the last failure's kind (a slug, never data) and the alert raised.
    contact_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    failing_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failure_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    unreachable_alert_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock`` from a readable name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class WorkLocks:
    """Non-blocking named locks shared by every daemon on the same database (see module doc)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.shared = store.engine.dialect.name == "postgresql"
        self._local: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        """Yield True with the lock held, or False at once if someone else holds it."""
        with self._guard:
            local = self._local.setdefault(name, threading.Lock())
        if not local.acquire(blocking=False):
            yield False
            return
        try:
            if not self.shared:
                yield True
                return
            key = lock_key(name)
            with self.store.engine.connect() as connection:
                got = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar())
                connection.commit()
                try:
                    yield got
                finally:
                    if got:
                        connection.execute(select(func.pg_advisory_unlock(key)))
                        connection.commit()
        finally:
            local.release()


def record_contact(store: Store, name: str, error: str | None = None) -> None:
    """Remember a successful contact (error None) or the last error for ``gateway status``."""
    now = _now()
    with store.session() as session:
        row = session.get(ClearinghouseContactRow, name, with_for_update=True)
        if row is None:
            row = ClearinghouseContactRow(name=name)
            session.add(row)
        if error is None:
            row.last_contact_at = now
        else:
            row.last_error, row.last_error_at = error[:500], now


def ensure_contact_rows(store: Store, names: list[str]) -> None:
    """Create the contact rows up front so two daemons never race on the first insert."""
    try:
        with store.session() as session:
            known = set(session.scalars(select(ClearinghouseContactRow.name)))
            for name in names:
                if name not in known:
                    session.add(ClearinghouseContactRow(name=name))
    except IntegrityError:
        pass  # another daemon created them at the same moment: that is all we wanted


def open_shared_store(url: str) -> Store:
    """``Store.open`` for daemons: on PostgreSQL the migration runs under an advisory lock.

    Two daemons started at the same moment on a new release would otherwise both run the
    Alembic upgrade and one would fail on a table the other just created.
    """
    engine = make_engine(url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        return Store.open(url)
    key = lock_key("gateway:migrate")
    try:
        with engine.connect() as connection:
            connection.execute(select(func.pg_advisory_lock(key)))
            connection.commit()
            try:
                migrate(engine)
            finally:
                connection.execute(select(func.pg_advisory_unlock(key)))
                connection.commit()
    except SQLAlchemyError as error:
        engine.dispose()
        raise StoreError(f"cannot open database: {error.__class__.__name__}: {error}") from error
    return Store(engine)
