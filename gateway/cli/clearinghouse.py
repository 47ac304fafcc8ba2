"""`gateway clearinghouse check`, `gateway clearinghouse test NAME`, `... reset NAME --reason`.

``check`` reads the ``clearinghouses:`` key of the config file and lists what is missing on this
machine (key files, environment variables, pinned host keys, folders) without connecting.
``test NAME`` connects once (no retries), checks both folders and reports in one line; a
failure is one line too, raised as a TransportError for main.py to print.  ``reset NAME``
lets the daemon contact a clearinghouse again after a permanent stop (recorded with who and why).
"""

from __future__ import annotations

import logging

import click

from gateway.cli.batches import actor_option, reason_option
from gateway.errors import ConfigError
from gateway.settings import Settings
from gateway.store.clearinghouse_stops import reset_stop
from gateway.store.contact_backoff import contact_now
from gateway.store.db import Store
from gateway.transport import open_transport
from gateway.transport.checks import ProfileProblems, check_profiles
from gateway.transport.profiles import get_profile, load_profiles


@click.group()
def clearinghouse() -> None:
    """Clearinghouse connections from the config file's `clearinghouses:` key."""


@clearinghouse.command()
@click.pass_obj
def check(settings: Settings) -> None:
    """Check every clearinghouse profile offline: keys, env vars, pinned host keys, folders."""
    profiles = load_profiles(settings.config_file)
    if not profiles:
        raise ConfigError(f"{settings.config_file}: no clearinghouses configured")
    problems = check_profiles(profiles)
    if problems:
        raise ProfileProblems(
            f"{settings.config_file}: {len(problems)} problem(s) in clearinghouse profiles", problems
        )
    click.echo(
        f"{settings.config_file}: {len(profiles)} clearinghouse profile(s) ready: {', '.join(profiles)}"
    )


@clearinghouse.command()
@click.argument("name")
@click.pass_context
def test(ctx: click.Context, name: str) -> None:
    """Connect to NAME once, check its upload and response folders, report in one line."""
    settings: Settings = ctx.obj
    profile = get_profile(settings.config_file, name)
    problems = check_profiles({name: profile})
    if problems:
        raise ProfileProblems(f"clearinghouse {name} is not ready", problems)
    transport_log = logging.getLogger("gateway.transport")
    level = transport_log.level
    if not ctx.meta.get("debug"):
        # The failure is this command's one line of output; the alert log would repeat it.
        transport_log.setLevel(logging.CRITICAL)
    transport = open_transport(profile)
    try:
        report = transport.probe()
    finally:
        transport.close()
        transport_log.setLevel(level)
    click.echo(report.one_line())


@clearinghouse.command()
@click.argument("name")
@reason_option
@actor_option
@click.pass_obj
def reset(settings: Settings, name: str, reason: str, actor: str) -> None:
    """Let the daemon contact NAME again after a permanent stop, or now while it backs off."""
    get_profile(settings.config_file, name)  # a typo must not look like a reset
    with Store.open(settings.db_url) as store:
        stop = reset_stop(store, name, reason, actor)
        streak = contact_now(store, name, reason, actor)
    if stop is None and streak is None:
        click.echo(f"clearinghouse {name}: not stopped; nothing to reset")
        return
    if stop is not None:
        click.echo(
            f"clearinghouse {name}: reset by {actor} (stopped since {stop.since:%Y-%m-%d %H:%M:%S %Z}: "
            f"{stop.reason}); the next cycle contacts it"
        )
    if streak is not None:
        click.echo(
            f"clearinghouse {name}: backoff ended by {actor} ({streak.failures} failed contact(s) since "
            f"{streak.since:%Y-%m-%d %H:%M:%S %Z}, last {streak.kind}); the next cycle contacts it"
        )
