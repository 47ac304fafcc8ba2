"""`gateway packet ID -o FILE.pdf`: the documentation packet of a claim or a prior-auth request.

ID is a patient control number (or, with ``--auth``, an auth request id).  The claim or request
comes from ``--from FILE`` (a claims or auth intake JSON) or else from the database.  The PDF is
written atomically with mode 0600 (it holds PHI: it is for the payer), its attachment control
number and the documentation score are recorded with the claim/auth when a database exists, and
the command prints the PWK fragment to add to the claim or request so the 837P/278 point at it.
Nothing about the patient is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from gateway.domain.auth import AuthRequest
from gateway.domain.claim import Claim
from gateway.domain.history import History
from gateway.errors import InputError, StoreError
from gateway.intake import load_auth_requests, load_claims
from gateway.packet.content import assemble
from gateway.packet.subject import Subject, for_auth, for_claim
from gateway.rules.book import load_rule_book
from gateway.settings import Settings
from gateway.spool import write_atomic
from gateway.store import documentation as records
from gateway.store.auths import request_payload
from gateway.store.db import Store
from gateway.store.history import HistoryProvider
from gateway.store.repository import latest_claim_payload

log = logging.getLogger(__name__)


def _database(settings: Settings) -> Store | None:
    """The store (migrated) when a database exists; None for a fresh SQLite setup."""
    url = settings.db_url
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return None
    return Store.open(url)


def _from_file(path: Path, identifier: str, auth: bool) -> Subject:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: cannot read as JSON ({error.__class__.__name__})") from None
    if auth or (isinstance(document, dict) and "auth_requests" in document):
        for request in load_auth_requests(path):
            if request.request_id == identifier:
                return for_auth(request)
        raise InputError(f"{path}: no auth request {identifier}")
    for claim in load_claims(path):
        if claim.patient_control_number == identifier:
            return for_claim(claim)
    raise InputError(f"{path}: no claim {identifier}")


def _from_store(store: Store | None, identifier: str, auth: bool) -> Subject:
    what = "auth request" if auth else "claim"
    if store is None:
        raise InputError(f"no database yet: give the {what} file with --from FILE")
    payload = request_payload(store, identifier) if auth else latest_claim_payload(store, identifier)
    if payload is None:
        raise InputError(f"no {what} {identifier} in the database (give the file with --from FILE)")
    try:
        return (
            for_auth(AuthRequest.model_validate_json(payload))
            if auth
            else for_claim(Claim.model_validate_json(payload))
        )
    except ValidationError:
        raise StoreError(f"stored {what} {identifier} no longer validates against the intake model") from None


def pwk_fragment(control_number: str, report_type: str, transmission: str) -> str:
    """The JSON to add to the claim/request so its 837P/278 carries the PWK for this packet."""
    entry = {"report_type": report_type, "transmission": transmission, "control_number": control_number}
    return json.dumps({"attachments": [entry]})


@click.command("packet")
@click.argument("identifier")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="PDF file to write (mode 0600).",
)
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Claims or auth intake JSON to read instead of the database.",
)
@click.option("--auth", is_flag=True, help="IDENTIFIER is a prior-auth request id, not a claim.")
@click.option("--report-type", default="M1", show_default=True, help="PWK01 for the attachment.")
@click.option(
    "--transmission", default="EL", show_default=True, help="PWK02 (EL electronically, FX fax, BM mail)."
)
@click.pass_obj
def packet(
    settings: Settings,
    identifier: str,
    output: Path,
    source: Path | None,
    auth: bool,
    report_type: str,
    transmission: str,
) -> None:
    """Render the documentation packet of claim IDENTIFIER (or auth request, --auth) to a PDF."""
    from gateway.packet.render import render_pdf  # reportlab + matplotlib: only for this command

    started = time.perf_counter()
    book = load_rule_book(settings.payer_configs)
    store = _database(settings)
    try:
        subject = (
            _from_file(source, identifier, auth)
            if source is not None
            else _from_store(store, identifier, auth)
        )
        history = (
            HistoryProvider(store).for_claim(subject.claim)
            if store is not None and subject.performed
            else History.empty()
        )
        content = assemble(subject, book, history)
        pdf = render_pdf(content)
        write_atomic(output, pdf)
        recorded = False
        if store is not None:
            records.record_now(
                store,
                subject,
                content.completeness,
                pack_version=content.pack_version,
                control_number=content.control_number,
                packet_sha256=hashlib.sha256(pdf).hexdigest(),
            )
            recorded = True
    finally:
        if store is not None:
            store.close()
    log.debug("packet %s rendered in %.2f s", content.control_number, time.perf_counter() - started)
    click.echo(
        f"{output}: packet {content.control_number} for {subject.kind} {subject.identifier}, "
        f"{len(pdf):,} bytes; {content.completeness.summary()}; "
        f"{len(content.findings)} open finding(s)"
    )
    click.echo("recorded in the database" if recorded else "not recorded (no database yet)")
    click.echo(
        f"add to the {'request' if subject.kind == 'auth' else 'claim'} for PWK: "
        f"{pwk_fragment(content.control_number, report_type, transmission)}"
    )
