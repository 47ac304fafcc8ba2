"""`gateway denials --worklist [--json]`: the rows an office works, most urgent first."""

from __future__ import annotations

import datetime as dt
import json

import click

from gateway.pipeline.worklist import denial_worklist
from gateway.settings import Settings
from gateway.store.db import Store
from gateway.worklist.rows import Deadline, WorklistRow


def _days(deadline: Deadline | None) -> str:
    if deadline is None:
        return "no limit on file"
    flag = "" if deadline.verified else " (unverified)"
    return f"{deadline.days_left} days to {deadline.due}{flag}"


def _line(row: WorklistRow) -> list[str]:
    where = f"line {row.line} {row.procedure}" if row.line is not None else "claim level"
    carcs = "; ".join(f"{c['group']}-{c['reason']} {c['amount']} {c['text']}" for c in row.carcs)
    claim = f"#{row.claim_id}" if row.claim_id is not None else "not sent by us"
    lines = [
        (
            f"{row.patient_control_number} ({claim}) {row.payer}, {where}, service {row.service_date or '?'}: "
            f"denied {row.denied} of {row.charge} -> {row.next_action}"
        ),
        f"    {row.category}: {carcs}",
    ]
    if row.rarcs:
        lines.append("    remarks: " + "; ".join(f"{r['code']} {r['text']}" for r in row.rarcs))
    if row.rule is not None:
        how = (
            "fires on this claim" if row.rule.fires else "checks this code; did not fire on the claim as sent"
        )
        lines.append(f"    our rule: {row.rule.rule_id} ({how}; {row.rule.source}, {row.rule.status})")
    lines.append(f"    filing: {_days(row.filing)}; appeal: {_days(row.appeal)}")
    return lines


def show_worklist(settings: Settings, as_json: bool) -> None:
    with Store.open(settings.db_url) as store:
        rows = denial_worklist(store, settings.payer_configs, dt.date.today())
    if as_json:
        click.echo(json.dumps([row.to_json() for row in rows], indent=2))
        return
    if not rows:
        click.echo("no denied lines to work")
        return
    for row in rows:
        for text in _line(row):
            click.echo(text)
