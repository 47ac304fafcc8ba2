"""`gateway claims correct/void/secondary PCN`: what follows a claim's answer, queued for the daemon."""

from __future__ import annotations

from pathlib import Path

import click

from gateway.cli.batches import actor_option, reason_option
from gateway.cli.claims_show import claims
from gateway.pipeline import corrections, secondary
from gateway.settings import Settings
from gateway.store.db import Store

payer_number_option = click.option(
    "--payer-claim-number",
    default=None,
    help="The payer's claim control number for REF*F8, when no 835 or 277CA on file names it.",
)


@claims.command("correct")
@click.argument("pcn")
@click.option("--from", "source", type=click.Path(path_type=Path), required=True,
              help="Claims JSON file holding the corrected claim (same PCN).")  # fmt: skip
@reason_option
@payer_number_option
@actor_option
@click.pass_obj
def correct_command(
    settings: Settings, pcn: str, source: Path, reason: str, payer_claim_number: str | None, actor: str
) -> None:
    """Send a replacement (frequency 7, REF*F8) of a claim the payer already has."""
    with Store.open(settings.db_url) as store:
        done = corrections.correct(store, pcn, source, reason, actor, payer_claim_number)
    click.echo(
        f"claim {pcn}: replacement #{done.new_id} of #{done.original_id} queued for rules, gate and the "
        f"next batch (REF*F8 {done.payer_claim_number} from {done.number_source})"
    )


@claims.command("void")
@click.argument("pcn")
@reason_option
@payer_number_option
@click.option("--payer", "payer_id", default=None, help="Payer id, when the PCN was sent to several payers.")
@actor_option
@click.pass_obj
def void_command(
    settings: Settings,
    pcn: str,
    reason: str,
    payer_claim_number: str | None,
    payer_id: str | None,
    actor: str,
) -> None:
    """Void (frequency 8, REF*F8) a claim the payer already has."""
    with Store.open(settings.db_url) as store:
        done = corrections.void(store, pcn, reason, actor, payer_claim_number, payer_id)
    click.echo(
        f"claim {pcn}: void #{done.new_id} of #{done.original_id} queued for rules, gate and the next batch "
        f"(REF*F8 {done.payer_claim_number} from {done.number_source})"
    )


@claims.command("secondary")
@click.argument("pcn")
@actor_option
@click.pass_obj
def secondary_command(settings: Settings, pcn: str, actor: str) -> None:
    """Bill the next payer (secondary, tertiary) with the answered payer's 835 in 2320/2430."""
    with Store.open(settings.db_url) as store:
        done = secondary.bill_next_payer(store, pcn, actor)
    click.echo(
        f"claim {pcn}: #{done.new_id} for payer {done.payer_id} (SBR01 {done.responsibility}) queued after "
        f"#{done.answered_id}'s 835, for rules, gate and the next batch"
    )
