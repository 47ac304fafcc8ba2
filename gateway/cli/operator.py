"""`gateway claims hold/release PCN --reason` and `gateway status`."""

from __future__ import annotations

import datetime as dt
import json

import click

from gateway.cli.batches import actor_option, reason_option
from gateway.cli.claims_show import claims
from gateway.settings import Settings
from gateway.store import ledger, operator_ops
from gateway.store.db import Store


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _status_json(view: operator_ops.StatusView, unknown_acks: int) -> dict[str, object]:
    return {
        "claims": dict(sorted(view.claims.items())),
        "batches": dict(sorted(view.batches.items())),
        "oldest_waiting_claim": _when(view.oldest_waiting_claim),
        "oldest_unsent_batch": (
            {"id": view.oldest_unsent_batch[0], "since": _when(view.oldest_unsent_batch[1])}
            if view.oldest_unsent_batch
            else None
        ),
        "clearinghouses": [
            {
                "name": c.name,
                "last_contact_at": _when(c.last_contact_at),
                "last_error": c.last_error,
                "last_error_at": _when(c.last_error_at),
                "stopped": {"since": _when(c.stopped_at), "reason": c.stop_reason} if c.stopped_at else None,
                "failing": c.streak.as_json() if c.streak is not None else None,
            }
            for c in view.contacts
        ],
        "alerts": [
            {"at": _when(a.at), "status": a.status, "detail": json.loads(a.detail or "null")}
            for a in view.alerts
        ],
        "acknowledgments_for_unknown_interchanges": unknown_acks,
    }


@claims.command("hold")
@click.argument("pcn")
@reason_option
@actor_option
@click.pass_obj
def hold_command(settings: Settings, pcn: str, reason: str, actor: str) -> None:
    """Keep claim PCN out of the next batches until released."""
    with Store.open(settings.db_url) as store:
        operator_ops.hold(store, pcn, actor, reason)
    click.echo(f"claim {pcn}: held by {actor}")


@claims.command("release")
@click.argument("pcn")
@reason_option
@actor_option
@click.pass_obj
def release_command(settings: Settings, pcn: str, reason: str, actor: str) -> None:
    """Let a held claim go out with the next batch (rules already ran: this overrides them)."""
    with Store.open(settings.db_url) as store:
        row = operator_ops.release(store, pcn, actor, reason)
    click.echo(f"claim {pcn}: released by {actor}, now {row.status}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_obj
def status(settings: Settings, as_json: bool) -> None:
    """Counts by state, the oldest waiting item, last contact per clearinghouse."""
    with Store.open(settings.db_url) as store:
        view = operator_ops.status(store)
        unknown, latest_unknown = ledger.unknown_acks(store)
    if as_json:
        click.echo(json.dumps(_status_json(view, unknown), indent=2))
        return
    click.echo("claims:  " + (", ".join(f"{k} {v}" for k, v in sorted(view.claims.items())) or "none"))
    click.echo("batches: " + (", ".join(f"{k} {v}" for k, v in sorted(view.batches.items())) or "none"))
    if view.oldest_waiting_claim is not None:
        click.echo(f"oldest waiting claim: since {view.oldest_waiting_claim:%Y-%m-%d %H:%M:%S}")
    if view.oldest_unsent_batch is not None:
        batch_id, created = view.oldest_unsent_batch
        click.echo(f"oldest unsent batch: {batch_id}, since {created:%Y-%m-%d %H:%M:%S}")
    for contact in view.contacts:
        last = f"{contact.last_contact_at:%Y-%m-%d %H:%M:%S}" if contact.last_contact_at else "never"
        error = (f"; last error {contact.last_error_at:%Y-%m-%d %H:%M:%S}: {contact.last_error}"
                 if contact.last_error_at else "")  # fmt: skip
        click.echo(f"clearinghouse {contact.name}: last contact {last}{error}")
        if contact.stopped_at is not None:
            click.echo(
                f"clearinghouse {contact.name}: STOPPED since {contact.stopped_at:%Y-%m-%d %H:%M:%S}: "
                f"{contact.stop_reason}; after fixing the cause: "
                f"gateway clearinghouse reset {contact.name} --reason TEXT"
            )
        if contact.streak is not None:
            click.echo(
                f"{contact.streak.one_line()}; the daemon keeps trying (to try at the next cycle instead: "
                f"gateway clearinghouse reset {contact.name} --reason TEXT)"
            )
    for alert in view.alerts:
        click.echo(f"alert {alert.at:%Y-%m-%d %H:%M:%S} [{alert.status}] {alert.detail}")
    if unknown:
        click.echo(f"acknowledgments for interchanges we never sent: {unknown}")
        for ack in latest_unknown:
            click.echo(f"  {ack.at} {ack.file}: {ack.summary}")
