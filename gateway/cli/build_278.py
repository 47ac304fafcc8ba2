"""`gateway build 278 AUTHS.json -o OUT.x12`: auth intake, then the 278 request path
(gateway.pipeline.auth_requests: build, pyx12 gate with our X217 map, write, record)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from gateway.cli.options import partner_options
from gateway.intake import load_auth_requests
from gateway.pipeline.auth_requests import build_278_file
from gateway.settings import Settings
from gateway.store.db import Store
from gateway.x12.envelope import TradingPartners


@click.command("278")
@click.argument("auths_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Where to write the 278."
)
@partner_options
@click.pass_obj
def build_278(
    settings: Settings, auths_file: Path, output: Path | None, sender_id: str, receiver_id: str, usage: str
) -> None:
    """Build one 278 request interchange from AUTHS_FILE; exit non-zero with every problem listed."""
    requests = load_auth_requests(auths_file)
    partners = TradingPartners(
        sender_id=sender_id, receiver_id=receiver_id, usage="P" if usage == "P" else "T"
    )
    out_path = output or settings.outbound / f"{auths_file.stem}.278.x12"
    with Store.open(settings.db_url) as store:
        built = build_278_file(requests, partners, store, out_path, dt.datetime.now())
    click.echo(
        f"{out_path}: {built.request_count} auth request(s), ISA13 {built.control.interchange:09d}, "
        "passed pyx12 with the X217 request map"
    )
    for request_id, facts in built.omitted.items():
        click.echo(
            f"  request {request_id}: {len(facts)} justification fact(s) did not fit the MSG segments; "
            "send the documentation (PWK)",
            err=True,
        )
