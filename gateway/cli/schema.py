"""`gateway schema claim`: the published JSON Schema of the intake files."""

from __future__ import annotations

import json

import click

from gateway.domain.auth import AuthBatch
from gateway.domain.claim import ClaimBatch


@click.command()
@click.argument("what", type=click.Choice(["claim", "auth"]))
def schema(what: str) -> None:
    """Print the JSON Schema of an intake file (claim: {"claims": [...]}, auth: {"auth_requests": [...]})."""
    document = AuthBatch.model_json_schema() if what == "auth" else ClaimBatch.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    kind = "prior-authorization request" if what == "auth" else "claim"
    document["title"] = f"Pain-management claims gateway: {kind} intake file"
    click.echo(json.dumps(document, indent=2, sort_keys=True))
