"""A clearinghouse's streak of temporary failures, kept so every process backs off together.

One row per clearinghouse (``clearinghouse_contacts``): how many contacts failed in a row,
since when, the earliest next contact, the last failure's kind (a slug such as
``connection_refused``, never a message with data in it) and when the unreachable alert was
raised.  Each change is one transaction on the locked row, so two daemons on one PostgreSQL
database count one streak and raise its alert once.  The first successful contact ends it.
The wait itself is computed by the caller (gateway.transport.backoff).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.store import repository
from gateway.store.batches import ClearinghouseContactRow
from gateway.store.db import Store

UNREACHABLE_ALERT = "clearinghouse.alert"  # status "unreachable": listed with the other alerts
REACHABLE_EVENT = "clearinghouse.reachable"
CONTACT_NOW_EVENT = "clearinghouse.contact_now"


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (every value stored is UTC); PostgreSQL hands back the
    # session's time zone.  Operators read UTC either way.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class FailureStreak:
    clearinghouse: str
    failures: int
    since: dt.datetime
    next_attempt_at: dt.datetime | None  # None: contact at the next cycle (an operator asked)
    kind: str
    alerted_at: dt.datetime | None

    def one_line(self) -> str:
        """What an operator reads (health line, alert, status); no data, the kind is a slug."""
        state = "UNREACHABLE" if self.alerted_at is not None else "failing"
        next_attempt = (
            f"next attempt after {self.next_attempt_at:%Y-%m-%d %H:%M:%S %Z}"
            if self.next_attempt_at is not None
            else "next attempt at the next cycle"
        )
        return (
            f"clearinghouse {self.clearinghouse} {state} since {self.since:%Y-%m-%d %H:%M:%S %Z}: "
            f"{self.failures} failed contact(s) in a row, last {self.kind}; {next_attempt}"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "failures": self.failures,
            "since": self.since.isoformat(),
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "kind": self.kind,
            "unreachable_alert_at": self.alerted_at.isoformat() if self.alerted_at else None,
        }

    def waiting(self, now: dt.datetime) -> bool:
        """True while the next contact is not due yet."""
        return self.next_attempt_at is not None and now < self.next_attempt_at


def streak_of(row: ClearinghouseContactRow) -> FailureStreak | None:
    """The row's failure streak, None when its last contact worked (or none was made)."""
    if not row.contact_failures or row.failing_since is None:
        return None
    return FailureStreak(
        row.name,
        row.contact_failures,
        _utc(row.failing_since),
        _utc(row.next_attempt_at) if row.next_attempt_at else None,
        row.failure_kind or "network",
        _utc(row.unreachable_alert_at) if row.unreachable_alert_at else None,
    )


def _locked_row(session: Session, name: str) -> ClearinghouseContactRow:
    row = session.get(ClearinghouseContactRow, name, with_for_update=True)
    if row is None:
        row = ClearinghouseContactRow(name=name, contact_failures=0)
        session.add(row)
    return row


def failure_streaks(store: Store) -> dict[str, FailureStreak]:
    """Every clearinghouse whose last contacts failed, by name."""
    with store.session() as session:
        rows = session.scalars(
            select(ClearinghouseContactRow).where(ClearinghouseContactRow.contact_failures > 0)
        )
        return {row.name: streak for row in rows if (streak := streak_of(row)) is not None}


def record_failure(
    store: Store,
    name: str,
    kind: str,
    message: str,
    now: dt.datetime,
    delay: Callable[[int], dt.timedelta],
) -> FailureStreak:
    """One more failed contact; ``delay(failures)`` is the wait before the next one."""
    with store.session() as session:
        row = _locked_row(session, name)
        row.contact_failures = (row.contact_failures or 0) + 1
        row.failing_since = row.failing_since or now
        row.next_attempt_at = now + delay(row.contact_failures)
        row.failure_kind = kind[:40]
        row.last_error, row.last_error_at = message[:500], now
        streak = streak_of(row)
        assert streak is not None
        return streak


def record_success(store: Store, name: str, now: dt.datetime, actor: str) -> FailureStreak | None:
    """A contact worked: remember when, and end the streak; the streak that ended, if any."""
    with store.session() as session:
        row = _locked_row(session, name)
        ended = streak_of(row)
        row.last_contact_at = now
        row.contact_failures = 0
        row.failing_since = row.next_attempt_at = row.failure_kind = row.unreachable_alert_at = None
        if ended is not None and ended.alerted_at is not None:
            repository.record_event(
                session, REACHABLE_EVENT, status="reachable", actor=actor,
                detail={"clearinghouse": name, "failures": ended.failures, "since": ended.since.isoformat()},
            )  # fmt: skip
        return ended


def raise_unreachable_alert(
    store: Store, name: str, now: dt.datetime, alert_after: dt.timedelta, actor: str
) -> FailureStreak | None:
    """Mark a streak of at least ``alert_after`` as alerted; the streak if this call raised it.

    None when there is no such streak or it was alerted before (by this or another process),
    so the caller's alert line is written once per streak.
    """
    with store.session() as session:
        row = session.get(ClearinghouseContactRow, name, with_for_update=True)
        streak = streak_of(row) if row is not None else None
        if row is None or streak is None or streak.alerted_at is not None or now - streak.since < alert_after:
            return None
        row.unreachable_alert_at = now
        repository.record_event(
            session, UNREACHABLE_ALERT, status="unreachable", actor=actor,
            detail={"clearinghouse": name, "failures": streak.failures, "since": streak.since.isoformat(),
                    "kind": streak.kind},
        )  # fmt: skip
        alerted = streak_of(row)
        assert alerted is not None
        return alerted


def contact_now(store: Store, name: str, reason: str, actor: str) -> FailureStreak | None:
    """An operator fixed the cause: the next cycle contacts ``name`` without waiting (audited).

    The streak goes on (a new failure waits longer still); the streak, None if there is none.
    """
    with store.session() as session:
        row = session.get(ClearinghouseContactRow, name, with_for_update=True)
        streak = streak_of(row) if row is not None else None
        if row is None or streak is None:
            return None
        row.next_attempt_at = None
        repository.record_event(
            session, CONTACT_NOW_EVENT, status="contact_now", actor=actor,
            detail={"clearinghouse": name, "reason": reason, "failures": streak.failures},
        )  # fmt: skip
        return streak
