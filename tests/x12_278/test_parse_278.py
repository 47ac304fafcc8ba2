"""278 responses into reviews: decision, certification number, reason, traces, procedures, AAA."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gateway.errors import ParseError
from gateway.inbound.parse_278 import (
    AuthResponse,
    parse_278_segments,
    parse_transaction,
    transaction_278_to_json,
)
from gateway.x12.reader import read_segments
from tests.x12_278.conftest import CORPUS
from tests.x12_278.samples import RESPONSE_BODY, interchange, replaced

RESPONSES = CORPUS / "278_response"


def parse_text(text: str) -> list[AuthResponse]:
    return list(parse_278_segments(read_segments(text.encode())))


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
    rows = [
        s.elements
        for s in read_segments(interchange(RESPONSE_BODY).encode())
        if s.id not in ("ISA", "GS", "GE", "IEA")
    ]
    data = transaction_278_to_json(rows)
    review = data["reviews"][0]
    assert {"decision", "certification_number", "reason", "trace_numbers", "procedures"} <= set(review)
    assert review["decision"] == "A1" and review["reason"] is None
    assert review["procedures"][0]["code"] == "64483"


def test_component_separator_is_inferred() -> None:
    rows = [
        ["BHT", "0007", "11", "R1"],
        ["HL", "1", "", "EV", "1"],
        ["HCR", "A1", "N1"],
        ["HL", "2", "1", "SS", "0"],
        ["HCR", "A1", "N1"],
        ["SV1", "HC>64483>RT", "", "UN", "2"],
    ]
    data = transaction_278_to_json(rows)
    assert data["reviews"][1]["procedures"][0]["modifiers"] == ["RT"]


def test_transaction_without_bht_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="without BHT"):
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
    (response,) = list(parse_278_segments(read_segments(RESPONSES / name)))
    got = [(r.level, r.decision, r.certification_number, r.reason) for r in response.reviews]
    assert got == CORPUS_EXPECTED[name]


@pytest.mark.corpus
@pytest.mark.skipif(not RESPONSES.is_dir(), reason="../shared/corpus is absent")
def test_corpus_pended_response_keeps_the_umo_reference() -> None:
    path: Path = RESPONSES / "stupidedi_emergency-admission-response-to-request-for-review.edi"
    (response,) = list(parse_278_segments(read_segments(path)))
    assert response.reviews[0].administrative_reference == "P20030216001"
    assert [t.number for t in response.reviews[0].trace_numbers] == ["YZZ099"]
