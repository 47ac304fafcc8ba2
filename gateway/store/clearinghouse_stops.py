"""Permanent transport stops, kept in the database so a restart or a cron run does not log in again.

A wrong host key, a rejected client key or a permission problem stops a clearinghouse: no
process contacts it again (every daemon on the database, every ``gateway run --once``) until an
operator fixes the cause and runs ``gateway clearinghouse reset NAME --reason TEXT``, which is
recorded as an event with the operator's name and reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from gateway.store import repository
from gateway.store.batches import ClearinghouseContactRow
from gateway.store.db import Store

STOPPED_EVENT = "clearinghouse.stopped"
RESET_EVENT = "clearinghouse.reset"


@dataclass(frozen=True)
class Stop:
    clearinghouse: str
    since: dt.datetime
    reason: str


def _stop_of(row: ClearinghouseContactRow) -> Stop | None:
    if row.stopped_at is None:
        return None
    return Stop(row.name, row.stopped_at, row.stop_reason or "")


def record_stop(store: Store, name: str, reason: str, actor: str) -> Stop:
    """Stop ``name`` (the first reason is kept if it is stopped already); returns the stop."""
    with store.session() as session:
        row = session.get(ClearinghouseContactRow, name, with_for_update=True)
        if row is None:
            row = ClearinghouseContactRow(name=name)
            session.add(row)
        if row.stopped_at is None:
            row.stopped_at, row.stop_reason = dt.datetime.now(dt.UTC), reason[:2000]
            repository.record_event(session, STOPPED_EVENT, status="stopped",
                                    detail={"clearinghouse": name, "reason": reason}, actor=actor)  # fmt: skip
        stop = _stop_of(row)
        assert stop is not None
        return stop


def stopped_clearinghouses(store: Store) -> dict[str, Stop]:
    """Every stopped clearinghouse by name."""
    with store.session() as session:
        rows = session.scalars(
            select(ClearinghouseContactRow).where(ClearinghouseContactRow.stopped_at.is_not(None))
        )
        return {row.name: stop for row in rows if (stop := _stop_of(row)) is not None}


def reset_stop(store: Store, name: str, reason: str, actor: str) -> Stop | None:
    """Allow contact with ``name`` again (audited); the stop that was cleared, None if none."""
    with store.session() as session:
        row = session.get(ClearinghouseContactRow, name, with_for_update=True)
        stop = _stop_of(row) if row is not None else None
        if row is None or stop is None:
            return None
        row.stopped_at = row.stop_reason = None
        repository.record_event(
            session, RESET_EVENT, status="reset", actor=actor,
            detail={"clearinghouse": name, "reason": reason, "stopped_since": stop.since.isoformat(),
                    "stop_reason": stop.reason},
        )  # fmt: skip
        return stop
