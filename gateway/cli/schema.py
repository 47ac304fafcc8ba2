"""`gateway schema claim`: the published JSON Schema of the intake files."""

from __future__ import annotations

import json

import click

from gateway.domain.claim import ClaimBatch


@click.command()
@click.argument("what", type=click.Choice(["claim"]))
def schema(what: str) -> None:
    """Print the JSON Schema of an intake file (claim: {"claims": [...]})."""
    document = ClaimBatch.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "Pain-management claims gateway: claim intake file"
    click.echo(json.dumps(document, indent=2, sort_keys=True))
