"""Stopped clearinghouses: read from the database before each cycle contacts anyone.

A permanent transport failure stops a clearinghouse in the database
(``gateway.store.clearinghouse_stops``), so every process on it (a restarted daemon, a second
daemon, a cron ``gateway run --once``) leaves it alone until an operator resets it; a reset is
seen by a running daemon at its next cycle.  While stopped, every outbound and poll health line
counts it (``clearinghouses_stopped``) and carries one warning naming it, since when, why, and
the command that resumes it.
"""

from __future__ import annotations

import logging

from gateway.errors import PermanentTransportError
from gateway.pipeline.cycle_context import Context, CycleReport
from gateway.store.batches import record_contact
from gateway.store.clearinghouse_stops import Stop, record_stop, stopped_clearinghouses

log = logging.getLogger("gateway.pipeline.stops")


def resume_hint(name: str) -> str:
    return f"after fixing the cause: gateway clearinghouse reset {name} --reason TEXT"


def describe(stop: Stop) -> str:
    return (
        f"clearinghouse {stop.clearinghouse} stopped since {stop.since:%Y-%m-%d %H:%M:%S %Z}: "
        f"{stop.reason}; {resume_hint(stop.clearinghouse)}"
    )


def refresh_stops(ctx: Context, report: CycleReport) -> None:
    """Bring ``ctx.stopped`` in line with the database and report what is stopped."""
    stops = {name: stop for name, stop in stopped_clearinghouses(ctx.store).items() if name in ctx.profiles}
    for name in list(ctx.stopped):
        if name not in stops:  # an operator reset it
            del ctx.stopped[name]
            transport = ctx.transports.get(name)
            if transport is not None:
                transport.reset()
            log.info("clearinghouse %s: reset by an operator, contacting it again", name)
    for name, stop in stops.items():
        ctx.stopped[name] = stop.reason
        report.errors.append(describe(stop))
    report.counts["clearinghouses_stopped"] = len(stops)


def stop_clearinghouse(ctx: Context, name: str, error: PermanentTransportError, report: CycleReport) -> None:
    """Stop contacting ``name`` (every process, until reset); batches wait for the operator."""
    record_stop(ctx.store, name, str(error), ctx.actor)
    ctx.stopped[name] = str(error)
    record_contact(ctx.store, name, str(error))
    report.errors.append(f"{name}: {error}; clearinghouse stopped, {resume_hint(name)}")
    report.counts["clearinghouses_stopped"] = report.counts.get("clearinghouses_stopped", 0) + 1
