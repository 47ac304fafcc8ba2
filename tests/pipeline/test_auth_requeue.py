"""A 278 approval that arrives through the inbound path unblocks the claims held for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.domain.auth import AuthRequest, AuthService
from gateway.domain.claim import Claim
from gateway.errors import ClaimsHeld
from gateway.pipeline.inbound import ingest_file
from gateway.pipeline.outbound import build_837p_file
from gateway.pipeline.screening import screen_claims
from gateway.rules import load_rule_book
from gateway.settings import REPO_ROOT
from gateway.store.auths import auth_outcome, record_request
from gateway.store.db import Store
from gateway.store.operator_ops import hold, release
from gateway.store.schema import ClaimRow, EventRow
from tests.conftest import EXAMPLES
from tests.foundation.helpers import BOOK, PARTNERS
from tests.x12_278.samples import interchange


def wiser_claim() -> Claim:
    (data,) = json.loads((EXAMPLES / "held_esi_wiser_texas_no_prior_auth.json").read_text())["claims"]
    return Claim.model_validate(data)


def request_for(claim: Claim) -> AuthRequest:
    return AuthRequest(
        request_id="PA-TEST-0001",
        umo=claim.payer,
        requester=claim.billing_provider,
        subscriber=claim.subscriber,
        patient=claim.patient,
        service_type="2",
        place_of_service=claim.place_of_service,
        diagnosis_codes=claim.diagnosis_codes,
        services=[
            AuthService(
                procedure_code=line.procedure_code,
                units=line.units,
                start_date=line.service_date,
                end_date=line.service_date.replace(month=12, day=31),
            )
            for line in claim.service_lines
        ],
        evidence=claim.evidence,
    )


def response_file(tmp_path: Path, request: AuthRequest, decision: str, number: str = "") -> Path:
    tax_id = request.requester.tax_id
    hcr = f"HCR*{decision}*{number}".rstrip("*")
    service = request.services[0]
    body = [
        f"BHT*0007*11*{request.request_id}*20260602*1000*18", "HL*1**20*1",
        f"NM1*X3*2*{request.umo.name}*****PI*{request.umo.payer_id}", "HL*2*1*21*1",
        f"NM1*1P*2*CLINIC*****XX*{request.requester.npi}", "HL*3*2*22*1", "NM1*IL*1*X*Y****MI*M1",
        "HL*4*3*EV*1", f"TRN*2*{request.request_id}*1{tax_id}", "UM*HS*I*2*11:B", hcr,
        "HL*5*4*SS*0", f"TRN*2*{request.request_id}-1*1{tax_id}", hcr, f"SV1*HC:{service.procedure_code}**UN*1",
    ]  # fmt: skip
    path = tmp_path / f"response_{decision}.x12"
    path.write_text(interchange(body))
    return path


def held(store: Store, tmp_path: Path, claim: Claim) -> None:
    with pytest.raises(ClaimsHeld, match=r"^1 of 1 claim\(s\) held by payer rules") as caught:
        build_837p_file([claim], PARTNERS, store, tmp_path / "out.x12", book=BOOK)
    # Held for the missing authorization only, so the approval below is what releases it.
    assert [problem.split(" [")[0] for problem in caught.value.problems] == [
        f"claim {claim.patient_control_number}: esi.wiser_prior_auth_tx"
    ]


def status_and_events(store: Store, pcn: str) -> tuple[str, list[str]]:
    with store.session() as session:
        row = session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == pcn)).one()
        kinds = list(
            session.scalars(select(EventRow.kind).where(EventRow.claim_id == row.id).order_by(EventRow.id))
        )
        return row.status, kinds


def test_an_approval_requeues_the_held_claim_and_screening_fills_ref_g1(
    sqlite_store: Store, tmp_path: Path
) -> None:
    claim = wiser_claim()
    held(sqlite_store, tmp_path, claim)
    request = request_for(claim)
    with sqlite_store.session() as session:
        record_request(session, request)
    ingest_file(sqlite_store, response_file(tmp_path, request, "A1", "CERT5150"), tmp_path / "quarantine")
    assert status_and_events(sqlite_store, claim.patient_control_number) == (
        "received",
        ["claim.received", "claim.held", "claim.requeued"],  # the daemon's events, from the CLI too
    )
    outcome = auth_outcome(sqlite_store, request.request_id)
    assert outcome is not None and outcome.status == "approved"
    assert outcome.requeued_claims == (claim.patient_control_number,)
    screened = screen_claims([claim], sqlite_store, load_rule_book(REPO_ROOT / "payer_configs"))
    assert not screened.held and screened.ready[0].claim.prior_authorization == "CERT5150"


def test_a_denial_or_an_operator_hold_is_not_lifted(sqlite_store: Store, tmp_path: Path) -> None:
    claim = wiser_claim()
    held(sqlite_store, tmp_path, claim)
    request = request_for(claim)
    with sqlite_store.session() as session:
        record_request(session, request)
    ingest_file(sqlite_store, response_file(tmp_path, request, "A3"), tmp_path / "quarantine")
    assert status_and_events(sqlite_store, claim.patient_control_number)[0] == "held"
    # An operator's hold stays even when an approval arrives later.
    release(sqlite_store, claim.patient_control_number, "operator:test", "checking the chart")
    hold(sqlite_store, claim.patient_control_number, "operator:test", "waiting for the op note")
    other = request.model_copy(update={"request_id": "PA-TEST-0002"})
    with sqlite_store.session() as session:
        record_request(session, other)
    ingest_file(sqlite_store, response_file(tmp_path, other, "A1", "CERT6000"), tmp_path / "quarantine")
    status, kinds = status_and_events(sqlite_store, claim.patient_control_number)
    assert status == "held" and "claim.requeued" not in kinds
