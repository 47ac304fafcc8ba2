"""278 responses into reviews: decision, certification number, reason, traces, procedures, AAA."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gateway.domain.auth_response import AuthResponse
from gateway.errors import ParseError, X12SyntaxError
from gateway.inbound.document import parse_bytes
from gateway.inbound.parse_278 import parse_transaction
from tests.x12_278.conftest import CORPUS
from tests.x12_278.samples import REQUEST_BODY, RESPONSE_BODY, interchange, replaced, responses_in

RESPONSES = CORPUS / "278_response"


def parse_text(text: str) -> list[AuthResponse]:
    return responses_in(text)


def test_our_approved_response() -> None:
    (response,) = parse_text(interchange(RESPONSE_BODY))
    assert (response.purpose, response.reference, response.response_type) == ("11", "REQ0001", "18")
    event, service = response.reviews
    assert (event.level, event.decision, event.certification_number) == ("event", "A1", "AUTH778899")
    assert (event.certified_from, event.certified_to) == (dt.date(2026, 1, 15), dt.date(2026, 4, 15))
    assert [(t.kind, t.number) for t in service.trace_numbers] == [("2", "REQ0001-1")]
    (procedure,) = service.procedures
    assert (procedure.code, procedure.modifiers, procedure.units) == ("64483", ("RT",), 1)
    assert (procedure.quantity_qualifier, procedure.quantity) == ("VS", 1)
    assert event.procedures == service.procedures  # the event lists what its services certify


def test_denied_with_reason_and_certification_dates() -> None:
    body = replaced(RESPONSE_BODY, "HCR*A1", "HCR*A3**0B")
    body = [
        *body[: body.index("DTP*AAH*RD8*20260115-20260415")],
        "DTP*102*D8*20260106",
        *body[body.index("DTP*AAH*RD8*20260115-20260415") :],
    ]
    (response,) = parse_text(interchange(body))
    event = response.reviews[0]
    assert (event.decision, event.decision_text, event.certification_number, event.reason) == (
        "A3",
        "not certified",
        None,
        "0B",
    )
    assert event.issued == dt.date(2026, 1, 6)


def test_rejected_request_reports_aaa_with_its_loop() -> None:
    body = [*RESPONSE_BODY[: RESPONSE_BODY.index("HL*4*3*EV*1")]]
    body.insert(body.index("NM1*IL*1*DOE*JOHN****MI*MEM000000001") + 1, "AAA*N**75*C")
    (response,) = parse_text(interchange(body))
    assert response.reviews == ()
    (error,) = response.request_errors
    assert (error.loop, error.valid, error.reason, error.follow_up) == ("2010C", False, "75", "C")


def test_json_shape_for_gateway_parse() -> None:
    data = parse_bytes(interchange(RESPONSE_BODY).encode(), "r.278").to_json()
    (transaction,) = data["transactions"]
    assert (transaction["type"], transaction["purpose"], transaction["reference"]) == ("278", "11", "REQ0001")
    review = transaction["reviews"][0]
    assert (review["level"], review["decision"], review["decision_text"]) == (
        "event",
        "A1",
        "certified in total",
    )
    assert review["reason"] is None and review["certification_number"] == "AUTH778899"
    assert review["procedures"][0]["code"] == "64483"


def test_the_component_separator_comes_from_isa16() -> None:
    text = interchange(replaced(RESPONSE_BODY, "SV1*", "SV1*HC>64483>RT**UN*2"))
    text = text.replace("*0*T*:~", "*0*T*>~", 1)
    (response,) = parse_text(text)
    procedure = response.reviews[1].procedures[0]
    assert (procedure.code, procedure.modifiers, procedure.units) == ("64483", ("RT",), 2)


def test_a_request_lists_one_review_per_2000e_and_2000f_with_no_decision() -> None:
    second_service = [
        "HL*6*4*SS*0",
        "TRN*1*REQ0001-2*9123456789",
        "UM*HS*I*2*22:B",
        "DTP*472*D8*20260201",
        "SV1*HC:64484:RT**UN*2",
    ]
    data = parse_bytes(interchange([*REQUEST_BODY, *second_service]).encode(), "q.278").to_json()
    (transaction,) = data["transactions"]
    assert (transaction["purpose"], transaction["reference"], transaction["request_errors"]) == (
        "13",
        "REQ0001",
        [],
    )
    reviews = transaction["reviews"]
    assert [(r["level"], r["decision"], r["decision_text"]) for r in reviews] == [
        ("event", None, None),
        ("service", None, None),
        ("service", None, None),
    ]
    event, first, second = reviews
    assert (event["requested_from"], event["requested_to"]) == ("2026-01-15", "2026-04-15")
    assert [p["code"] for p in event["procedures"]] == ["64483", "64484"]
    assert [t["number"] for t in event["trace_numbers"]] == ["REQ0001"]
    assert (first["requested_from"], first["requested_to"]) == ("2026-01-15", "2026-04-15")
    assert [(p["code"], p["modifiers"], p["units"], p["quantity"]) for p in first["procedures"]] == [
        ("64483", ["RT"], "1", "1")
    ]
    assert (second["requested_from"], second["requested_to"]) == ("2026-02-01", "2026-02-01")
    assert [(p["code"], p["units"], p["service_from"]) for p in second["procedures"]] == [
        ("64484", "2", "2026-02-01")
    ]
    assert all(r["certification_number"] is None and r["certified_from"] is None for r in reviews)


def test_a_278_without_bht_is_a_skipped_transaction_and_the_rest_stands() -> None:
    body = [s for s in RESPONSE_BODY if not s.startswith("BHT")]
    text = interchange(body)
    with pytest.raises(
        ParseError, match=r"t.278: nothing readable in the file: segment 4: 278 transaction without BHT"
    ):
        parse_bytes(text.encode(), "t.278")


def test_transaction_without_bht_is_a_parse_error() -> None:
    with pytest.raises(X12SyntaxError, match=r"^segment 1: 278 transaction without BHT$"):
        parse_transaction([["HL", "1", "", "20", "1"]])


CORPUS_EXPECTED = {
    "stupidedi_admission-response-to-request-for-review.edi": [
        ("event", "A6", "AUTH0002", None),
        ("service", "A1", "AUTH0002", None),
    ],
    "stupidedi_emergency-admission-response-to-request-for-review.edi": [("event", "A4", None, "0U")],
    "stupidedi_referral-response-to-request-for-review.edi": [("event", "A1", "AUTH0001", None)],
    "stupidedi_response-to-medical-services-reservation.edi": [("event", "A1", "6735172961", None)],
    "stupidedi_response-to-non-emergency-transportation.edi": [("event", "A1", "2005010796321", None)],
}


@pytest.mark.corpus
@pytest.mark.skipif(not RESPONSES.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_responses(name: str) -> None:
    (response,) = responses_in((RESPONSES / name).read_bytes())
    got = [(r.level, r.decision, r.certification_number, r.reason) for r in response.reviews]
    assert got == CORPUS_EXPECTED[name]


@pytest.mark.corpus
@pytest.mark.skipif(not RESPONSES.is_dir(), reason="../shared/corpus is absent")
def test_corpus_pended_response_keeps_the_umo_reference() -> None:
    path: Path = RESPONSES / "stupidedi_emergency-admission-response-to-request-for-review.edi"
    (response,) = responses_in(path.read_bytes())
    assert response.reviews[0].administrative_reference == "P20030216001"
    assert [t.number for t in response.reviews[0].trace_numbers] == ["YZZ099"]
