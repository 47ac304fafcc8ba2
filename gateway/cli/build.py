"""`gateway build 837p CLAIMS.json -o OUT.x12`: intake, build, gate, write, record."""

from __future__ import annotations

from pathlib import Path

import click

from gateway.cli.options import partner_options
from gateway.intake import load_claims
from gateway.pipeline.outbound import build_837p_file
from gateway.settings import Settings
from gateway.store.db import Store
from gateway.x12.envelope import TradingPartners


@click.group()
def build() -> None:
    """Build X12 files from claim or prior-auth JSON (every file is gated by pyx12)."""


@build.command("837p")
@click.argument("claims_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Where to write the 837P."
)
@click.option(
    "--skip-held",
    is_flag=True,
    help="Build the claims that pass and record the held ones (default: any held claim stops the build).",
)
@partner_options
@click.pass_obj
def build_837p_command(
    settings: Settings,
    claims_file: Path,
    output: Path | None,
    skip_held: bool,
    sender_id: str,
    receiver_id: str,
    usage: str,
) -> None:
    """Screen CLAIMS_FILE (prior auth, payer rules), then build one 837P interchange.

    Exit 0 with a clean file; 2 for unreadable or invalid claims; 3 when claims are held (each
    reason listed with its rule, source and fix); 1 when the built file fails the pyx12 gate.
    """
    claims = load_claims(claims_file)
    partners = TradingPartners(
        sender_id=sender_id, receiver_id=receiver_id, usage="P" if usage == "P" else "T"
    )
    with Store.open(settings.db_url) as store:
        out_path = output or settings.outbound / f"{claims_file.stem}.x12"
        outcome = build_837p_file(claims, partners, store, out_path, skip_held=skip_held)
    for item in outcome.screened.ready:
        for finding in item.rules.warnings:
            click.echo(
                f"warning: claim {item.claim.patient_control_number}: {finding.rule_id} "
                f"[{finding.source}; {finding.status.value}]: {finding.message}",
                err=True,
            )
    for item in outcome.screened.held:
        click.echo(f"held: claim {item.claim.patient_control_number}: {'; '.join(item.reasons())}", err=True)
    if outcome.built is None:
        click.echo("no claim was ready to build; nothing was written")
        raise click.exceptions.Exit(3)
    click.echo(
        f"{outcome.path}: {outcome.built.claim_count} claim(s), ISA13 "
        f"{outcome.built.control.interchange:09d}, passed our checks and pyx12"
        + (f"; {len(outcome.screened.held)} held" if outcome.screened.held else "")
    )


def _attach_278() -> None:
    from gateway.cli.build_278 import build_278

    build.add_command(build_278)


_attach_278()
