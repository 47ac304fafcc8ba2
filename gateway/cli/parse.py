"""`gateway parse FILE [--json]` and `gateway ingest FILE...`: inbound files in, records out.

``parse`` only reads (nothing is stored or moved): exit 0 when every transaction was read,
1 when some were skipped (the rest is still printed), 2 when the file is not readable X12.
``ingest`` records files in the status ledger, once per content, and quarantines the
unreadable ones (exit 2 if any was quarantined).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gateway.errors import ParseError, X12Error
from gateway.inbound.document import DEFAULT_MAX_INBOUND_BYTES, ParsedFile, parse_file
from gateway.inbound.json_view import transaction_json

if TYPE_CHECKING:
    from gateway.settings import Settings


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object (the issue 5 shape), as it is read."
)
@click.option("--pretty", is_flag=True, help="With --json: indent the JSON (2 spaces).")
def parse(file: Path, as_json: bool, pretty: bool) -> None:
    """Parse an inbound TA1/999/277CA/277/835 (or any X12) file and show what it says."""
    if as_json:
        from gateway.inbound.json_stream import write_parse_json

        # Written transaction by transaction while the file is read: memory flat in its size.
        failed = write_parse_json(file, sys.stdout, pretty=pretty)
    else:
        parsed = parse_file(file)
        _print_summary(parsed)
        failed = parsed.failed_transactions
    if failed:
        raise X12Error(f"{file}: {len(failed)} transaction(s) could not be read; the others are shown")


def _print_summary(parsed: ParsedFile) -> None:
    click.echo(f"{parsed.path}: {len(parsed.transactions)} transaction(s), {len(parsed.ta1)} TA1")
    for ack in parsed.ta1:
        click.echo(f"  TA1 interchange {ack.interchange_control_number}: {ack.ack_code} note {ack.note_code}")
    for transaction in parsed.transactions:
        data = transaction_json(transaction)
        head = f"  {data['type']} ST {data['control_number']} (ISA {data['interchange_control_number']})"
        if "claims" in data:
            head += f": {len(data['claims'])} claim(s)"
        if "payment" in data:
            head += f", payment {data['payment']['amount']} {data['payment']['method']}"
        if "transaction_acks" in data:
            acks = " ".join(f"{a['control_number']}={a['ack_code']}" for a in data["transaction_acks"])
            head += f": group {data['acknowledged_group_control_number']} {data['group_ack_code']} [{acks}]"
        click.echo(head)
    for finding in parsed.findings:
        where = f"segment {finding.segment_index}: " if finding.segment_index else ""
        click.echo(f"  {finding.kind}: {where}{finding.message}")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_INBOUND_BYTES,
    show_default=True,
    help="Inbound cap: a larger file is quarantined without being read.",
)
@click.pass_obj
def ingest(settings: Settings, files: tuple[Path, ...], max_bytes: int) -> None:
    """Record inbound files in the claim status ledger (idempotent; bad files are quarantined)."""
    # Imported here: `parse` (above) must not pay for the store's imports (SQLAlchemy) it never uses.
    from gateway.pipeline.inbound import QUARANTINE, ingest_file
    from gateway.store.db import Store

    quarantined: list[str] = []
    with Store.open(settings.db_url) as store:
        for path in files:
            try:
                outcome = ingest_file(store, path, settings.inbound / QUARANTINE, max_bytes=max_bytes)
            except ParseError as error:
                click.echo(f"error: {error}", err=True)
                quarantined.append(str(path))
                continue
            click.echo(outcome.describe())
    if quarantined:
        raise ParseError(f"{len(quarantined)} of {len(files)} file(s) quarantined: {', '.join(quarantined)}")
