"""End to end: 278 request -> UMO response -> auth record -> claim built with REF*G1, or held."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import select

from gateway.domain.auth import AuthDecision, AuthRequest, AuthStatus, match_claim
from gateway.domain.auth_response import AuthResponse
from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus
from gateway.pipeline.auth_requests import gate_278
from gateway.settings import REPO_ROOT
from gateway.store.auths import (
    AuthRow,
    apply_response,
    authorize_claim,
    auths_for_claim,
    record_request,
    take_units,
)
from gateway.store.db import Store
from gateway.store.repository import upsert_claim
from gateway.x12.build_278 import build_278
from gateway.x12.build_837p import build_837p
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.gate import validate_text
from tests.foundation.helpers import SUBMITTER
from tests.x12_278.samples import interchange, responses_in

PARTNERS = TradingPartners("PAINCLINIC", "NORIDIAN", identity=SUBMITTER)
WHEN = dt.datetime(2026, 6, 1, 9, 0)


def auth_request(request_id: str = "AUTH-MBB-0001") -> AuthRequest:
    data = json.loads((REPO_ROOT / "examples/auths/facet_mbb_lumbar_bilateral.json").read_text())
    return AuthRequest.model_validate(data["auth_requests"][0] | {"request_id": request_id})


def claim(pcn: str = "MBB2026061001", day: str | None = None) -> Claim:
    data = json.loads((REPO_ROOT / "examples/claims/facet_mbb_lumbar_bilateral.json").read_text())["claims"][
        0
    ]
    data["patient_control_number"] = pcn
    if day:
        for line in data["service_lines"]:
            line["service_date"] = day
    return Claim.model_validate(data)


def umo_response(request: AuthRequest, decision: str, number: str = "", reason: str = "") -> AuthResponse:
    """What the UMO sends back: the request's tree with HCR on the event and on each service."""
    body = [
        f"BHT*0007*11*{request.request_id}*20260602*1000*18",
        "HL*1**20*1",
        "NM1*X3*2*NORIDIAN JF PART B*****PI*03102",
        "HL*2*1*21*1",
        f"NM1*1P*2*CLINIC*****XX*{request.requester.npi}",
        "HL*3*2*22*1",
        "NM1*IL*1*X*Y****MI*M1",
        "HL*4*3*EV*1",
        f"TRN*2*{request.request_id}*1{request.requester.tax_id}",
        "UM*HS*I*2*11:B",
        f"HCR*{decision}*{number}*{reason}".rstrip("*"),
        "DTP*AAH*RD8*20260603-20260802",
    ]
    for n, service in enumerate(request.services, start=1):
        body += [
            f"HL*{4 + n}*4*SS*0",
            f"TRN*2*{request.request_id}-{n}*1{request.requester.tax_id}",
            f"HCR*{decision}*{number}*{reason}".rstrip("*"),
            "DTP*472*RD8*20260603-20260802",
            f"SV1*HC:{service.procedure_code}:50**UN*1",
        ]
    text = interchange(body)
    assert gate_278(text) == [], "the simulated response must itself be a valid X217 response"
    (response,) = responses_in(text)
    return response


def decide(store: Store, c: Claim) -> AuthDecision:
    with store.session() as session:
        return authorize_claim(session, c, required_codes={"64493", "64494"})


def test_approved_auth_puts_its_number_on_the_claim_and_units_are_consumed(any_store: Store) -> None:
    request = auth_request()
    built = build_278([request], PARTNERS, ControlNumbers(1, 1, 1), WHEN)
    assert gate_278(built.text) == []
    with any_store.session() as session:
        assert record_request(session, request).status == AuthStatus.REQUESTED
    with any_store.session() as session:
        row = apply_response(session, umo_response(request, "A1", "CERT4455"))
        assert (row.status, row.certification_number) == ("approved", "CERT4455")
        assert [e.status for e in row.events] == ["requested", "approved"]

    decision = decide(any_store, claim())
    assert not decision.held, decision.reasons
    assert decision.claim.prior_authorization == "CERT4455"
    text = build_837p([decision.claim], PARTNERS, ControlNumbers(2, 2, 1), WHEN).text
    assert "REF*G1*CERT4455~" in text
    assert validate_text(text).ok

    with any_store.session() as session:
        claim_id = upsert_claim(session, decision.claim, ClaimStatus.QUEUED).id
        assert take_units(session, claim_id, decision.claim) is None
        assert take_units(session, claim_id, decision.claim) is None  # a rebuild consumes nothing more
    with any_store.session() as session:
        row = session.scalars(select(AuthRow)).one()
        assert [s.units_consumed for s in row.services] == [Decimal(1), Decimal(1)]

    again = decide(any_store, claim("MBB2026061002"))
    assert again.held
    assert "exhausted: 0.000 of 1.000 unit(s) left" in again.reasons[0]


def test_denied_auth_holds_the_claim(any_store: Store) -> None:
    request = auth_request("AUTH-MBB-0002")
    with any_store.session() as session:
        record_request(session, request)
        row = apply_response(session, umo_response(request, "A3", reason="0B"))
        assert (row.status, row.reason) == ("denied", "0B")
    decision = decide(any_store, claim())
    assert decision.held and decision.claim.prior_authorization is None
    assert "authorization AUTH-MBB-0002 for 64493 is denied, not approved" in decision.reasons[0]


def test_pended_then_approved(sqlite_store: Store) -> None:
    request = auth_request("AUTH-MBB-0003")
    with sqlite_store.session() as session:
        record_request(session, request)
        apply_response(session, umo_response(request, "A4"))
    assert "is pended" in decide(sqlite_store, claim()).reasons[0]
    with sqlite_store.session() as session:
        row = apply_response(session, umo_response(request, "A1", "CERT9"))
        assert [e.status for e in row.events] == ["requested", "pended", "approved"]
    assert decide(sqlite_store, claim()).claim.prior_authorization == "CERT9"


def test_expired_auth_holds_the_claim_with_the_window(sqlite_store: Store) -> None:
    request = auth_request("AUTH-MBB-0004")
    with sqlite_store.session() as session:
        record_request(session, request)
        apply_response(session, umo_response(request, "A1", "CERT5"))
    decision = decide(sqlite_store, claim(day="2026-08-20"))
    assert decision.held
    assert decision.reasons[0] == (
        "line 1: authorization CERT5 for 64493 is valid 2026-06-03 to 2026-08-02; service date 2026-08-20 "
        "is outside it (expired)"
    )


def test_no_auth_on_file(sqlite_store: Store) -> None:
    decision = decide(sqlite_store, claim())
    assert decision.reasons == (
        "line 1: no authorization on file covers 64493",
        "line 2: no authorization on file covers 64494",
    )


def test_codes_that_need_no_auth_are_left_alone(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        decision = match_claim(claim(), auths_for_claim(session, claim()), required_codes={"63650"})
    assert not decision.held and decision.claim.prior_authorization is None


def test_one_claim_cannot_carry_two_authorization_numbers() -> None:
    from gateway.domain.auth import AuthorizedService, AuthRecord

    window = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    first = AuthRecord(
        "R1", AuthStatus.APPROVED, "N1", (AuthorizedService("64493", Decimal(1), Decimal(0), *window),)
    )
    second = AuthRecord(
        "R2", AuthStatus.MODIFIED, "N2", (AuthorizedService("64494", Decimal(1), Decimal(0), *window),)
    )
    decision = match_claim(claim(), [first, second])
    assert decision.reasons == ("lines are covered by different authorizations (N1, N2): split the claim",)
    both = AuthRecord("R3", AuthStatus.APPROVED, "N3", (*first.services, *second.services))
    assert match_claim(claim(), [both]).claim.prior_authorization == "N3"


def test_service_decisions_without_traces_follow_the_service_order(any_store: Store) -> None:
    request = auth_request("AUTH-MBB-0005")
    text = interchange(
        [
            f"BHT*0007*11*{request.request_id}*20260602*1000*18",
            "HL*1**20*1",
            "NM1*X3*2*P*****PI*03102",
            "HL*2*1*21*1",
            "NM1*1P*2*C*****XX*1234567893",
            "HL*3*2*22*1",
            "NM1*IL*1*X*Y****MI*M1",
            "HL*4*3*EV*1",
            "UM*HS*I*2*11:B",
            "HL*5*4*SS*0",
            "HCR*A1*CERT77",
            "DTP*472*RD8*20260603-20260630",
            "SV1*HC:64493:50**UN*1",
            "HL*6*4*SS*0",
            "HCR*A3**0B",
            "SV1*HC:64494:50**UN*1",
        ]
    )
    (response,) = responses_in(text)
    with any_store.session() as session:
        record_request(session, request)
        row = apply_response(session, response)
        assert (row.status, row.certification_number) == ("modified", "CERT77")
        assert [(s.decision_code, s.units_approved) for s in row.services] == [("A1", 1), ("A3", 0)]
        assert row.services[0].end_date == dt.date(2026, 6, 30)
    decision = decide(any_store, claim())
    assert decision.reasons == ("line 2: authorization CERT77 did not certify 64494",)


def test_rejected_request_is_recorded_with_its_reason(sqlite_store: Store) -> None:
    request = auth_request("AUTH-MBB-0006")
    text = interchange(
        [
            f"BHT*0007*11*{request.request_id}*20260602*1000*18",
            "HL*1**20*1",
            "NM1*X3*2*P*****PI*03102",
            "HL*2*1*21*1",
            "NM1*1P*2*C*****XX*1234567893",
            "HL*3*2*22*0",
            "NM1*IL*1*X*Y****MI*M1",
            "AAA*N**75*C",
        ]
    )
    (response,) = responses_in(text)
    with sqlite_store.session() as session:
        record_request(session, request)
        row = apply_response(session, response)
        assert (row.status, row.reason) == ("rejected", "75")
        assert row.events[-1].detail == "rejected in loop 2010C: AAA03 75"
