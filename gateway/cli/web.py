"""`gateway web` (the operator console), `gateway users add/list/passwd/disable`, `gateway audit`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from gateway.domain.accounts import Role, actor_of, check_user_name
from gateway.errors import InputError
from gateway.settings import Settings
from gateway.store import console
from gateway.store.db import Store

MIN_PASSWORD = 12


@click.command("web")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (keep loopback behind a proxy)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8640, show_default=True)
@click.option(
    "--idle-minutes",
    type=click.IntRange(1, 24 * 60),
    default=15,
    show_default=True,
    help="A session ends after this long without a request.",
)
@click.option(
    "--behind-tls", is_flag=True, help="A TLS proxy is in front: Secure cookies, HSTS, its X-Forwarded-For."
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Cookie signing key (created 0600 if missing; default $GATEWAY_HOME/console.key).",
)
@click.pass_obj
def web(
    settings: Settings, host: str, port: int, idle_minutes: int, behind_tls: bool, key_file: Path | None
) -> None:
    """The operator console: Today, Claims, Holds, Batches, Denials, in a browser."""
    from gateway.web.app import WebConfig
    from gateway.web.server import build_console, serve

    config = WebConfig(
        host=host, port=port, idle_timeout=dt.timedelta(minutes=idle_minutes), behind_tls=behind_tls
    )
    with Store.open(settings.db_url) as store:
        if not console.list_users(store):
            click.echo("no console users yet: gateway users add NAME --role operator", err=True)
        click.echo(f"console on http://{host}:{port}/ (Ctrl-C stops it)")
        serve(build_console(store, settings, config, key_file))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


@click.group()
def users() -> None:
    """Console accounts (viewer reads, operator also acts)."""


password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@password_stdin
@click.pass_obj
def add_command(settings: Settings, name: str, role: str, password_stdin: bool) -> None:
    """Add user NAME with a password (argon2 hash stored, never the password)."""
    from gateway.web.security import hash_password

    check_user_name(name)
    digest = hash_password(_password(password_stdin))
    with Store.open(settings.db_url) as store:
        user = console.add_user(store, name, Role(role), digest)
    click.echo(f"user {user.name} added ({user.role.value}); actions are recorded as {user.actor}")


@users.command("passwd")
@click.argument("name")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=None, help="Also change the role."
)
@password_stdin
@click.pass_obj
def passwd_command(settings: Settings, name: str, role: str | None, password_stdin: bool) -> None:
    """Set a new password for NAME (ends their open sessions)."""
    from gateway.web.security import hash_password

    digest = hash_password(_password(password_stdin))
    with Store.open(settings.db_url) as store:
        user = console.set_password(store, name, digest, Role(role) if role else None)
    click.echo(f"user {user.name}: new password set ({user.role.value}); open sessions ended")


@users.command("disable")
@click.argument("name")
@click.pass_obj
def disable_command(settings: Settings, name: str) -> None:
    """Stop NAME from logging in (their open sessions end; their audit trail stays)."""
    with Store.open(settings.db_url) as store:
        console.disable_user(store, name)
    click.echo(f"user {name}: disabled")


@users.command("list")
@click.pass_obj
def list_command(settings: Settings) -> None:
    with Store.open(settings.db_url) as store:
        rows = console.list_users(store)
    if not rows:
        click.echo("no console users")
    for user in rows:
        click.echo(f"{user.name:<20} {user.role.value:<9}" + (" disabled" if user.disabled else ""))


@click.command("audit")
@click.option("--claim", "pcn", help="Only this claim (patient control number).")
@click.option("--user", "name", help="Only this console user / operator (NAME of operator:NAME).")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="From this UTC date/time."
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.pass_obj
def audit(
    settings: Settings, pcn: str | None, name: str | None, since: dt.datetime | None, limit: int
) -> None:
    """Who looked at which claim, logins, and every operator action (console and CLI), newest first."""
    with Store.open(settings.db_url) as store:
        claim_ids = console.claim_ids_of(store, pcn) if pcn else None
        if pcn and not claim_ids:
            raise InputError(f"no claim with patient control number {pcn}")
        entries = console.audit_trail(
            store,
            claim_ids=claim_ids,
            actor=actor_of(name) if name else None,
            since=since.replace(tzinfo=dt.UTC) if since else None,
            limit=limit,
        )
    if not entries:
        click.echo("no audit entries")
    for entry in entries:
        subject = (
            f"claim {entry.patient_control_number} (#{entry.claim_id})"
            if entry.claim_id
            else (f"batch {entry.batch_id}" if entry.batch_id else "-")
        )
        click.echo(
            f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.actor:<24} {entry.action:<24} {subject:<28} {entry.detail}"
        )
