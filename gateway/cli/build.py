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
@partner_options
@click.pass_obj
def build_837p_command(
    settings: Settings, claims_file: Path, output: Path | None, sender_id: str, receiver_id: str, usage: str
) -> None:
    """Build one 837P interchange from CLAIMS_FILE; exit non-zero with every problem listed."""
    claims = load_claims(claims_file)
    partners = TradingPartners(
        sender_id=sender_id, receiver_id=receiver_id, usage="P" if usage == "P" else "T"
    )
    store = Store.open(settings.db_url)
    try:
        out_path = output or settings.outbound / f"{claims_file.stem}.x12"
        outcome = build_837p_file(claims, partners, store, out_path)
    finally:
        store.close()
    click.echo(
        f"{outcome.path}: {outcome.built.claim_count} claim(s), ISA13 "
        f"{outcome.built.control.interchange:09d}, passed our checks and pyx12"
    )


def _attach_278() -> None:
    from gateway.cli.build_278 import build_278

    build.add_command(build_278)


_attach_278()
