"""Backing off from a clearinghouse that keeps failing, and the one alert when it fails too long.

Before a cycle contacts a clearinghouse it reads the failure streaks from the database
(``refresh_streaks``); a clearinghouse whose next attempt is not due is left alone this cycle
(``may_contact``) and counted on the health line (``clearinghouses_backing_off``).  A temporary
failure (refused, timeout, DNS, connection closed) lengthens the wait (``contact_failed``);
the first success ends the streak (``contact_succeeded``).  A streak older than the profile's
``backoff.alert_after_minutes`` is alerted once across every process on the database: one
ERROR line, a ``clearinghouse.alert`` event with status ``unreachable`` (``gateway status``), and
``clearinghouses_unreachable`` on every health line until it ends.  Permanent failures are not
handled here: they stop the clearinghouse (gateway.pipeline.stops).
"""

from __future__ import annotations

import logging

from gateway.errors import TemporaryTransportError
from gateway.pipeline.cycle_context import Context, CycleReport
from gateway.store.contact_backoff import (
    FailureStreak,
    failure_streaks,
    raise_unreachable_alert,
    record_failure,
    record_success,
)

log = logging.getLogger("gateway.pipeline.backoff")


def _alert_if_due(ctx: Context, streak: FailureStreak) -> FailureStreak:
    if streak.alerted_at is not None:
        return streak
    policy = ctx.profiles[streak.clearinghouse].connection.backoff.policy()
    now = ctx.now()
    if now - streak.since < policy.alert_after:
        return streak
    alerted = raise_unreachable_alert(ctx.store, streak.clearinghouse, now, policy.alert_after, ctx.actor)
    if alerted is None:
        return streak  # another process raised it first
    log.error(
        "unreachable alert: %s; failing for %d minute(s), alert_after_minutes %g; the daemon keeps trying",
        alerted.one_line(),
        (now - streak.since).total_seconds() // 60,
        policy.alert_after_minutes,
    )
    return alerted


def refresh_streaks(ctx: Context, report: CycleReport) -> None:
    """Read every failure streak, raise the alerts now due, and count them on the health line."""
    streaks = {name: s for name, s in failure_streaks(ctx.store).items() if name in ctx.profiles}
    now = ctx.now()
    ctx.failing = {name: _alert_if_due(ctx, streak) for name, streak in streaks.items()}
    report.counts["clearinghouses_backing_off"] = sum(s.waiting(now) for s in ctx.failing.values())
    report.counts["clearinghouses_unreachable"] = sum(s.alerted_at is not None for s in ctx.failing.values())


def may_contact(ctx: Context, name: str) -> bool:
    streak = ctx.failing.get(name)
    return streak is None or not streak.waiting(ctx.now())


def contact_failed(ctx: Context, name: str, error: TemporaryTransportError, report: CycleReport) -> None:
    policy = ctx.profiles[name].connection.backoff.policy()
    streak = record_failure(
        ctx.store,
        name,
        error.kind,
        str(error),
        ctx.now(),
        lambda failures: policy.delay(failures, ctx.random),
    )
    was_alerted = name in ctx.failing and ctx.failing[name].alerted_at is not None
    ctx.failing[name] = _alert_if_due(ctx, streak)
    report.errors.append(f"{name}: {error}")
    if ctx.failing[name].alerted_at is not None and not was_alerted:
        report.counts["clearinghouses_unreachable"] = report.counts.get("clearinghouses_unreachable", 0) + 1


def contact_succeeded(ctx: Context, name: str) -> None:
    ended = record_success(ctx.store, name, ctx.now(), ctx.actor)
    ctx.failing.pop(name, None)
    if ended is not None and ended.alerted_at is not None:
        log.warning(
            "clearinghouse %s reachable again after %d failed contact(s) since %s",
            name, ended.failures, f"{ended.since:%Y-%m-%d %H:%M:%S %Z}",
        )  # fmt: skip
    elif ended is not None:
        log.info("clearinghouse %s reachable again after %d failed contact(s)", name, ended.failures)
