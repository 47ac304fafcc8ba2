"""`gateway batches list/show/replay/cancel`: what the daemon sent, and the operator's levers."""

from __future__ import annotations

import getpass

import click

from gateway.domain.batch import BatchStatus
from gateway.settings import Settings
from gateway.store import operator_ops
from gateway.store.db import Store


def default_operator() -> str:
    return f"operator:{getpass.getuser()}"


actor_option = click.option("--actor", default=default_operator, show_default="operator:$USER",
                            help="Who is acting (recorded on the event).")  # fmt: skip
reason_option = click.option("--reason", required=True, help="Why (recorded on the event).")


@click.group()
def batches() -> None:
    """Outbound batches: one 837P file per clearinghouse per cycle."""


@batches.command("list")
@click.option("--status", type=click.Choice([s.value for s in BatchStatus]), default=None)
@click.option("--limit", type=int, default=200, show_default=True)
@click.pass_obj
def list_command(settings: Settings, status: str | None, limit: int) -> None:
    """Newest batches first."""
    with Store.open(settings.db_url) as store:
        rows = operator_ops.list_batches(store, status, limit)
    if not rows:
        click.echo("no batches" + (f" with status {status}" if status else ""))
        return
    click.echo(f"{'id':>6}  {'clearinghouse':<16} {'status':<18} {'claims':>6}  {'ISA13':<9}  created")
    for row in rows:
        click.echo(f"{row.id:>6}  {row.clearinghouse:<16} {row.status:<18} {row.claim_count:>6}  "
                   f"{row.interchange_control_number:<9}  {row.created_at:%Y-%m-%d %H:%M:%S}"
                   + (f"  ({row.status_reason})" if row.status_reason else ""))  # fmt: skip


@batches.command("show")
@click.argument("batch_id", type=int)
@click.pass_obj
def show_command(settings: Settings, batch_id: int) -> None:
    """One batch: its file, its claims and every transition with time and actor."""
    with Store.open(settings.db_url) as store:
        view = operator_ops.show_batch(store, batch_id)
    batch = view.batch
    click.echo(
        f"batch {batch.id}: {batch.status}" + (f" ({batch.status_reason})" if batch.status_reason else "")
    )
    click.echo(f"  clearinghouse {batch.clearinghouse}, ISA13 {batch.interchange_control_number}, "
               f"{batch.claim_count} claim(s), {batch.size} bytes, sha256 {batch.sha256[:16]}")  # fmt: skip
    click.echo(f"  spool {batch.spool_path}")
    click.echo(
        f"  remote name {batch.remote_name}"
        + (f", replay of batch {batch.replay_of}" if batch.replay_of else "")
    )
    click.echo("  events:")
    for event in view.events:
        click.echo(
            f"    {event.at:%Y-%m-%d %H:%M:%S}  {event.kind:<28} {event.actor:<28} {event.detail or ''}"
        )
    click.echo("  claims:")
    for pcn, status in view.claims:
        click.echo(f"    {pcn:<20} {status}")


@batches.command("replay")
@click.argument("batch_id", type=int)
@reason_option
@actor_option
@click.pass_obj
def replay_command(settings: Settings, batch_id: int, reason: str, actor: str) -> None:
    """Re-send the same bytes if never acknowledged; rebuild if rejected or its claims were corrected."""
    with Store.open(settings.db_url) as store:
        mode, claims = operator_ops.replay(store, batch_id, actor, reason)
    if mode.value == "resend":
        click.echo(f"batch {batch_id}: will be re-sent as is (same bytes and control numbers) by the daemon")
    else:
        click.echo(
            f"batch {batch_id}: replaced; {claims} claim(s) queued for a new batch with new control numbers"
        )


@batches.command("cancel")
@click.argument("batch_id", type=int)
@reason_option
@actor_option
@click.pass_obj
def cancel_command(settings: Settings, batch_id: int, reason: str, actor: str) -> None:
    """Stop a batch that has not been sent; its claims are held."""
    with Store.open(settings.db_url) as store:
        held = operator_ops.cancel(store, batch_id, actor, reason)
    click.echo(
        f"batch {batch_id}: cancelled; {held} claim(s) held (gateway claims release PCN to send again)"
    )
