"""The console's own tables: accounts, browser sessions and the audit trail of views and logins.

``console_sessions`` keeps a SHA-256 of the session token, never the token itself, so a copy of
the database does not log anyone in.  ``audit_events`` is append-only: who looked at which claim
(by row id, never by a PHI value), logins, failed logins (the login rate limit counts these, so
it holds across restarts and across several console processes) and logouts.  Operator *actions*
are not written here: they are the ledger events the operator functions write (actor
``operator:NAME``), and ``audit_trail`` reads both.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from gateway.domain.accounts import ACTOR_PREFIX, AuditAction, AuditEntry, ConsoleSession, Role, User
from gateway.errors import InputError
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from gateway.store.schema import Base, ClaimRow, EventRow


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class UserRow(Base):
    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SessionRow(Base):
    __tablename__ = "console_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # The outcome of the last action, shown once on the next page (never in an address).
    flash: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(40))
    claim_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)  # never PHI


def _user(row: UserRow) -> User:
    return User(row.id, row.name, Role(row.role), row.password_hash, row.disabled)


# -- accounts ------------------------------------------------------------------------------------


def add_user(store: Store, name: str, role: Role, password_hash: str) -> User:
    try:
        with store.session() as session:
            row = UserRow(name=name, role=role.value, password_hash=password_hash, disabled=False)
            session.add(row)
            session.flush()
            return _user(row)
    except IntegrityError:
        raise InputError(
            f"user {name} exists already (gateway users passwd {name} sets a new password)"
        ) from None


def set_password(store: Store, name: str, password_hash: str, role: Role | None = None) -> User:
    """A new password (and role) for an existing user; every open session of theirs ends."""
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == name).with_for_update())
        if row is None:
            raise InputError(f"no user {name} (gateway users add {name} --role viewer|operator)")
        row.password_hash = password_hash
        row.disabled = False
        if role is not None:
            row.role = role.value
        session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        return _user(row)


def disable_user(store: Store, name: str) -> None:
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == name).with_for_update())
        if row is None:
            raise InputError(f"no user {name}")
        row.disabled = True
        session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))


def find_user(store: Store, name: str) -> User | None:
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == name))
        return _user(row) if row is not None else None


def list_users(store: Store) -> list[User]:
    with store.session() as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.name))]


# -- sessions ------------------------------------------------------------------------------------


def open_session(store: Store, user: User, token_sha256: str, csrf_token: str) -> None:
    with store.session() as session:
        session.add(SessionRow(token_sha256=token_sha256, user_id=user.id, csrf_token=csrf_token))


def resume_session(store: Store, token_sha256: str, idle: dt.timedelta) -> ConsoleSession | None:
    """The session, with its last use moved to now; None (and the row gone) once idle too long."""
    now = _now()
    with store.session() as session:
        row = session.get(SessionRow, token_sha256, with_for_update=True)
        if row is None:
            return None
        user = session.get(UserRow, row.user_id)
        if user is None or user.disabled or now - _aware(row.last_seen) > idle:
            session.delete(row)
            return None
        row.last_seen = now
        flash, row.flash = row.flash, None
        return ConsoleSession(_user(user), row.csrf_token, now, flash)


def close_session(store: Store, token_sha256: str) -> None:
    with store.session() as session:
        session.execute(delete(SessionRow).where(SessionRow.token_sha256 == token_sha256))


def set_flash(store: Store, token_sha256: str, message: str) -> None:
    with store.session() as session:
        row = session.get(SessionRow, token_sha256)
        if row is not None:
            row.flash = message[:2000]


def forget_idle_sessions(store: Store, idle: dt.timedelta) -> int:
    with store.session() as session:
        gone = session.execute(delete(SessionRow).where(SessionRow.last_seen < _now() - idle))
        return int(gone.rowcount)  # type: ignore[attr-defined]  # a DELETE's CursorResult


# -- audit ---------------------------------------------------------------------------------------


def record_audit(
    store: Store,
    actor: str,
    action: AuditAction,
    *,
    claim_id: int | None = None,
    batch_id: int | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    with store.session() as session:
        session.add(
            AuditRow(
                actor=actor,
                action=action.value,
                claim_id=claim_id,
                batch_id=batch_id,
                detail=json.dumps(detail, sort_keys=True) if detail else None,
            )
        )


def failed_logins_since(store: Store, name: str, since: dt.datetime) -> int:
    with store.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditRow)
                .where(AuditRow.actor == f"{ACTOR_PREFIX}{name}")
                .where(AuditRow.action == AuditAction.LOGIN_FAILED.value)
                .where(AuditRow.at >= since)
            )
            or 0
        )


def audit_trail(
    store: Store,
    *,
    claim_ids: Sequence[int] | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Console views and logins plus operator actions from the ledger, newest first."""
    with store.session() as session:
        audit = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        actions = (
            select(EventRow, BatchRow.id)
            .outerjoin(BatchRow, (BatchRow.file_id == EventRow.file_id) & EventRow.claim_id.is_(None))
            .where(EventRow.actor.like(f"{ACTOR_PREFIX}%"))
            .order_by(EventRow.id.desc())
            .limit(limit)
        )
        if claim_ids is not None:
            audit = audit.where(AuditRow.claim_id.in_(list(claim_ids)))
            actions = actions.where(EventRow.claim_id.in_(list(claim_ids)))
        if actor is not None:
            audit = audit.where(AuditRow.actor == actor)
            actions = actions.where(EventRow.actor == actor)
        if since is not None:
            audit = audit.where(AuditRow.at >= since)
            actions = actions.where(EventRow.at >= since)
        entries = [
            AuditEntry(
                _aware(row.at), row.actor, row.action, row.claim_id, None, row.batch_id, row.detail or ""
            )
            for row in session.scalars(audit)
        ]
        entries += [
            AuditEntry(
                _aware(event.at),
                event.actor,
                event.kind,
                event.claim_id,
                None,
                batch_id,
                _reason(event.detail),
            )
            for event, batch_id in session.execute(actions)
        ]
        entries.sort(key=lambda entry: entry.at, reverse=True)
        entries = entries[:limit]
        ids = sorted({entry.claim_id for entry in entries if entry.claim_id is not None})
        pcns = dict(
            session.execute(
                select(ClaimRow.id, ClaimRow.patient_control_number).where(ClaimRow.id.in_(ids))
            ).all()
        )
    return [
        AuditEntry(
            e.at,
            e.actor,
            e.action,
            e.claim_id,
            pcns.get(e.claim_id) if e.claim_id else None,
            e.batch_id,
            e.detail,
        )
        for e in entries
    ]


def _reason(detail: str | None) -> str:
    if not detail:
        return ""
    try:
        parsed = json.loads(detail)
    except ValueError:
        return detail
    if isinstance(parsed, dict) and "reason" in parsed:
        return f"reason: {parsed['reason']}"
    return detail


def claim_ids_of(store: Store, pcn: str) -> list[int]:
    with store.session() as session:
        return list(session.scalars(select(ClaimRow.id).where(ClaimRow.patient_control_number == pcn)))
