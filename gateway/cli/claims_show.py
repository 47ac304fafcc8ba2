"""`gateway claims show PCN [--json]` (one claim's timeline) and `gateway denials [--json]`."""

from __future__ import annotations

import datetime as dt
import json

import click

from gateway.codesets import CodeSets
from gateway.codesets.claim_checks import describe
from gateway.errors import InputError
from gateway.settings import Settings
from gateway.store.codesets import load_code_sets
from gateway.store.db import Store
from gateway.store.followups import claim_version, links_of
from gateway.store.ledger_read import denials as denial_rows
from gateway.store.ledger_read import timeline

FREQUENCY = {"1": "", "7": "replacement, ", "8": "void, "}


@click.group()
def claims() -> None:
    """Claims and what happened to them."""


def _diagnoses(payload: str, first_service_date: str, codes: CodeSets) -> list[tuple[str, str]]:
    """The stored claim's diagnoses with their ICD-10-CM titles (release in force on its DOS)."""
    try:
        listed = json.loads(payload).get("diagnosis_codes") or []
    except (ValueError, AttributeError):
        return []
    return describe([str(code) for code in listed], dt.date.fromisoformat(first_service_date), codes.icd10)


@claims.command()
@click.argument("pcn")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.pass_obj
def show(settings: Settings, pcn: str, as_json: bool) -> None:
    """Timeline of claim PCN: built, sent, TA1, 999, 277CA, 835, in time order."""
    with Store.open(settings.db_url) as store:
        result = timeline(store, pcn)
        links = links_of(store, [claim.id for claim in result.claims])
        versions = {claim.id: claim_version(store, claim.id) for claim in result.claims}
        frequencies = {claim_id: version.frequency_code for claim_id, version in versions.items()}
        diagnoses = {
            claim.id: _diagnoses(versions[claim.id].payload, claim.first_service_date, load_code_sets(store))
            for claim in result.claims
        }
    if not result.claims and not result.events:
        raise InputError(f"no claim or inbound record with patient control number {pcn}")
    if as_json:
        described = {
            str(claim_id): [{"code": code, "description": title} for code, title in rows]
            for claim_id, rows in diagnoses.items()
        }
        document = {**result.to_json(), "links": [vars(link) for link in links], "diagnoses": described}
        click.echo(json.dumps(document, indent=2))
        return
    for claim in result.claims:
        click.echo(
            f"claim {pcn} (#{claim.id}) payer {claim.payer_id}, {FREQUENCY[frequencies.get(claim.id, '1')]}"
            f"charge {claim.total_charge}, "
            f"service {claim.first_service_date}: {claim.status}"
        )
        for position, (code, title) in enumerate(diagnoses[claim.id], start=1):
            click.echo(f"  diagnosis {position}: {code} {title}")
    for link in links:
        click.echo(f"  #{link.from_claim_id} -> #{link.to_claim_id}: {link.kind} ({link.to_status}), "
                   f"by {link.actor}" + (f": {link.reason}" if link.reason else ""))  # fmt: skip
    if not result.claims:
        click.echo(f"claim {pcn}: not sent through this gateway; inbound records only")
    for event in result.events:
        click.echo(f"  {event.at}  {event.kind:<14} {event.status:<12} {event.summary}")


@click.command()
@click.option("--include-contractual", is_flag=True, help="Also list CO-45 (charge above fee schedule).")
@click.option(
    "--worklist", is_flag=True, help="One row per denied line: category, rule, days left, next action."
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.pass_obj
def denials(settings: Settings, include_contractual: bool, worklist: bool, as_json: bool) -> None:
    """Denied and adjusted amounts from 835s by CARC group and reason, payer and CPT."""
    if worklist:
        from gateway.cli.denial_worklist import show_worklist  # only this view loads the rule book

        show_worklist(settings, as_json)
        return
    with Store.open(settings.db_url) as store:
        rows = denial_rows(store, include_contractual=include_contractual)
    if as_json:
        click.echo(json.dumps([row.to_json() for row in rows], indent=2))
        return
    if not rows:
        click.echo("no denials or adjustments recorded")
        return
    click.echo(f"{'group':<5} {'reason':<6} {'payer':<24} {'CPT':<8} {'claims':>6} {'amount':>12}  reason")
    for row in rows:
        click.echo(
            f"{row.group:<5} {row.reason:<6} {row.payer[:24]:<24} {row.procedure:<8} {len(row.claims):>6} "
            f"{row.amount:>12}  {row.reason_text}"
        )
