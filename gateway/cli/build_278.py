"""`gateway build 278 AUTHS.json -o OUT.x12`: auth intake, build, pyx12 gate with our X217 map.

Same order as the 837P command: control numbers are allocated (and committed) first, the file
is built and must pass pyx12 with ``edi_maps/278.5010.X217.request.xml``, and only then is it
written (0600, atomically) and recorded.  A file that fails the gate is never written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from gateway.cli.options import partner_options
from gateway.domain.auth import AuthRequest
from gateway.errors import ValidationFailed
from gateway.intake import load_auth_requests
from gateway.settings import Settings
from gateway.spool import write_atomic
from gateway.store import repository
from gateway.store.auths import record_request
from gateway.store.db import Store
from gateway.x12.build_278 import Built278
from gateway.x12.build_278 import build_278 as build_278_interchange
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.gate import GateIssue, validate_text
from gateway.x12.pyx12_maps import map_path_for


def gate_278(text: str) -> list[GateIssue]:
    """pyx12 with our X217 maps; empty means the file may leave."""
    result = validate_text(text, map_path_for(text))
    issues = list(result.issues)
    if result.fatal:
        issues.insert(0, GateIssue("fatal", "pyx12", result.fatal))
    return issues


def build_278_file(
    requests: list[AuthRequest], partners: TradingPartners, store: Store, out_path: Path, when: dt.datetime
) -> Built278:
    from gateway.pipeline.outbound import allocate_control_numbers

    control: ControlNumbers = allocate_control_numbers(store, partners, len(requests))
    built = build_278_interchange(requests, partners, control, when)
    issues = gate_278(built.text)
    if issues:
        raise ValidationFailed(
            f"{out_path}: the built 278 failed the gate with {len(issues)} error(s); nothing was written",
            [str(issue) for issue in issues],
        )
    data = built.text.encode("ascii")
    write_atomic(out_path, data)
    with store.session() as session:
        repository.record_outbound_file(
            session,
            kind="278",
            path=str(out_path),
            data=data,
            sender_id=partners.sender_id,
            receiver_id=partners.receiver_id,
            interchange_control_number=f"{control.interchange:09d}",
            group_control_number=str(control.group),
            claims=[],
        )
        for request in requests:
            record_request(session, request)  # status "requested", units asked per service
    return built


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
