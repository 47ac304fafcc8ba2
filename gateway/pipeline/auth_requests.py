"""The 278 request path: which claims need a request, build, gate, write, record.

Used by ``gateway build 278`` (requests from a file) and ``gateway demo`` (the clinic's part:
a claim the payer rules hold only for prior authorization, with nothing on file, gets a
request built from the claim itself).  Same order as the 837P path: control numbers are
allocated (and committed) first, the file is built and must pass pyx12 with
``edi_maps/278.5010.X217.request.xml``, and only then is it written (0600, atomically) and
recorded with each request as ``requested``.  A file that fails the gate is never written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gateway.domain.auth import AuthRequest, AuthService
from gateway.domain.claim import Claim
from gateway.errors import ValidationFailed
from gateway.pipeline.outbound import allocate_control_numbers
from gateway.pipeline.screening import screen_claim
from gateway.rules import RuleBook
from gateway.spool import write_atomic
from gateway.store import auths
from gateway.store.db import Store
from gateway.store.history import HistoryProvider
from gateway.x12.build_278 import Built278, build_278
from gateway.x12.envelope import TradingPartners
from gateway.x12.gate import GateIssue, validate_text
from gateway.x12.pyx12_maps import map_path_for

# How long after the first date of service a request built from a claim asks to be valid.
AUTH_WINDOW = dt.timedelta(days=60)
SURGICAL = "2"  # UM03 service type of the interventional pain procedures


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
    """Allocate, build, gate, write and record one 278 request interchange."""
    control = allocate_control_numbers(store, partners, len(requests))
    built = build_278(requests, partners, control, when)
    issues = gate_278(built.text)
    if issues:
        raise ValidationFailed(
            f"{out_path}: the built 278 failed the gate with {len(issues)} error(s); nothing was written",
            [str(issue) for issue in issues],
        )
    data = built.text.encode("ascii")
    write_atomic(out_path, data)
    auths.record_request_file(
        store, str(out_path), data, partners.sender_id, partners.receiver_id, control, requests
    )
    return built


def request_id_for(claim: Claim) -> str:
    return f"PA-{claim.patient_control_number}"[:50]


def request_for_claim(claim: Claim, codes: frozenset[str]) -> AuthRequest:
    """A 278 request for the claim's lines with ``codes``: its parties, diagnoses and evidence."""
    services = [
        AuthService(
            procedure_code=line.procedure_code,
            modifiers=line.modifiers,
            units=line.units,
            start_date=line.service_date,
            end_date=line.service_date + AUTH_WINDOW,
        )
        for line in claim.service_lines
        if line.procedure_code in codes
    ]
    return AuthRequest(
        request_id=request_id_for(claim),
        umo=claim.payer,
        requester=claim.billing_provider,
        subscriber=claim.subscriber,
        patient=claim.patient,
        rendering_provider=claim.rendering_provider,
        facility=claim.service_facility,
        service_type=SURGICAL,
        place_of_service=claim.place_of_service,
        diagnosis_codes=claim.diagnosis_codes,
        services=services,
        evidence=claim.evidence,
    )


def requests_needed(store: Store, book: RuleBook) -> list[tuple[str, AuthRequest]]:
    """(PCN, request) for each claim held for prior authorization that needs a 278 request.

    A claim needs one when only prior-auth rules hold it and no authorization for its codes is
    on file (``Screened.codes_to_request``, from screening it again now), and no request built
    from it is on file either.
    """
    history = HistoryProvider(store)
    needed = []
    for claim in auths.claims_held_for_auth(store):
        if auths.request_on_file(store, request_id_for(claim)):
            continue
        codes = screen_claim(claim, store, book, history).codes_to_request
        if codes:
            needed.append((claim.patient_control_number, request_for_claim(claim, codes)))
    return needed
