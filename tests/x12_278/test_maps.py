"""Our 278 X217 and 277 X212 maps: good files pass pyx12, broken ones fail with the right error."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.x12.gate import GateIssue, validate_text
from tests.x12_278.conftest import CORPUS
from tests.x12_278.samples import REQUEST_BODY, RESPONSE_BODY, interchange, replaced, without


def issues(text: str, maps: Path) -> list[GateIssue]:
    result = validate_text(text, maps)
    assert result.fatal is None, result.fatal
    return result.issues


def test_our_request_passes(request_maps: Path) -> None:
    assert issues(interchange(REQUEST_BODY), request_maps) == []


def test_our_response_passes(response_maps: Path) -> None:
    assert issues(interchange(RESPONSE_BODY), response_maps) == []


def test_response_does_not_pass_the_request_map(request_maps: Path) -> None:
    found = issues(interchange(RESPONSE_BODY), request_maps)
    assert any(i.segment_id == "HCR" for i in found)  # no HCR in a request
    assert any(i.element == "BHT02" and i.code == "7" for i in found)


def test_missing_um_is_a_missing_mandatory_segment(request_maps: Path) -> None:
    body = without(REQUEST_BODY, "UM*HS")  # the 2000E UM (the first one)
    found = issues(interchange(body), request_maps)
    assert [(i.level, i.code, i.segment_id) for i in found] == [("seg", "3", "UM")]
    assert "Mandatory segment" in found[0].message


@pytest.mark.parametrize("code", ["ZZ", "D", "IP", "A5"])
def test_bad_hcr_code_is_an_invalid_code_on_hcr01(response_maps: Path, code: str) -> None:
    body = replaced(RESPONSE_BODY, "HCR*A1", f"HCR*{code}*AUTH778899")
    found = issues(interchange(body), response_maps)
    assert [(i.level, i.code, i.element) for i in found] == [("ele", "7", "HCR01")]


def test_a2_is_valid_at_2000e_but_not_at_2000f(response_maps: Path) -> None:
    at_event = replaced(RESPONSE_BODY, "HCR*A1", "HCR*A2*AUTH778899")
    assert issues(interchange(at_event), response_maps) == []
    service_index = RESPONSE_BODY.index("HL*5*4*SS*0")
    at_service = RESPONSE_BODY[:service_index] + replaced(RESPONSE_BODY[service_index:], "HCR*A1", "HCR*A2*X")
    found = issues(interchange(at_service), response_maps)
    assert [(i.code, i.element) for i in found] == [("7", "HCR01")]


def test_service_level_before_event_level_is_out_of_order(request_maps: Path) -> None:
    event = REQUEST_BODY.index("HL*4*3*EV*1")
    service = REQUEST_BODY.index("HL*5*4*SS*0")
    swapped = [
        *REQUEST_BODY[:event],
        "HL*4*3*SS*0",
        *REQUEST_BODY[service + 1 :],
        "HL*5*4*EV*1",
        *REQUEST_BODY[event + 1 : service],
    ]
    found = issues(interchange(swapped), request_maps)
    assert found, "a service level under the subscriber must not validate"
    first = found[0]
    assert (first.level, first.code, first.segment_id) == ("seg", "1", "HL")
    assert "HL*4*3*SS" in first.message


def test_segment_out_of_order_inside_the_service_level(request_maps: Path) -> None:
    body = list(REQUEST_BODY)
    dtp, sv1 = body.index("DTP*472*RD8*20260115-20260415"), body.index("SV1*HC:64483:RT**UN*1")
    body[dtp], body[sv1] = body[sv1], body[dtp]
    found = issues(interchange(body), request_maps)
    assert [(i.code, i.segment_id) for i in found] == [("1", "DTP")]


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        ("UM*HS", "UM*HS*Q*2*22:B", "UM02"),
        ("BHT", "BHT*0019*13*REQ0001*20260105*0930", "BHT01"),
        ("HI*ABK", "HI*ZZZ:M5416", "HI01-1"),
        ("DTP*AAH", "DTP*AAH*RD8*20260230-20260415", "DTP03"),
        ("PER*IC", "PER*ZZ*AUTH DESK*TE*2175550100", "PER01"),
        ("SV1", "SV1*XX:64483:RT**UN*1", "SV101-1"),
        ("TRN*1*REQ0001*", "TRN*7*REQ0001*9123456789", "TRN01"),
        ("DMG", "DMG*D8*19600101*Q", "DMG03"),
        ("UM*HS", "UM*HS*I*2*22:Z", "UM04-2"),
    ],
)
def test_bad_element_values_are_reported_on_the_element(
    request_maps: Path, old: str, new: str, element: str
) -> None:
    found = issues(interchange(replaced(REQUEST_BODY, old, new)), request_maps)
    assert element in {i.element for i in found}, found


def test_sv1_in_the_event_level_is_unexpected(request_maps: Path) -> None:
    event_msg = REQUEST_BODY.index("MSG*FAILED PT 12 WEEKS 20250901-20251124; NRS 8/10; ODI 46")
    body = [*REQUEST_BODY[: event_msg + 1], "SV1*HC:64483**UN*1", *REQUEST_BODY[event_msg + 1 :]]
    found = issues(interchange(body), request_maps)
    assert [(i.code, i.segment_id) for i in found] == [("1", "SV1")]


# --- third-party files -------------------------------------------------------------------------

# Files of the corpus that are not conformant, with the exact reason.  Everything else in
# 278_request, 278_response and 277 must validate with zero issues.
NON_CONFORMANT: dict[str, tuple[str, str, str, str]] = {
    # file: (level, pyx12 code, what pyx12 says, the IG/standard reason)
    "stupidedi_admission-request-for-review.edi": (
        "st",
        "4",
        "SE count of 25 for SE02=0001 is wrong. I count 26",
        "SE01 must count every segment from ST to SE inclusive (X12.6); the file has 26, says 25",
    ),
    "stupidedi_request-for-home-health-care.edi": (
        "st",
        "4",
        "SE count of 19 for SE02=0001 is wrong. I count 20",
        "SE01 must count every segment from ST to SE inclusive (X12.6); the file has 20, says 19",
    ),
    "stupidedi_X212_HR277_1.era": (
        "isa",
        "001",
        "IEA id=267365555 does not match ISA id=269895334",
        "IEA02 must repeat ISA13, the interchange control number (X12.5)",
    ),
}


def _corpus_files() -> list[Path]:
    folders = ("278_request", "278_response", "277")
    return sorted(p for folder in folders if (CORPUS / folder).is_dir() for p in (CORPUS / folder).iterdir())


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file(path: Path, request_maps: Path, response_maps: Path) -> None:
    text = path.read_bytes().decode("ascii")
    maps = response_maps if path.parent.name == "278_response" else request_maps
    found = issues(text, maps)
    expected = NON_CONFORMANT.get(path.name)
    if expected is None:
        assert found == [], [str(i) for i in found]
    else:
        level, code, says, reason = expected
        assert [(i.level, i.code, i.message) for i in found] == [(level, code, says)], reason


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_every_278_corpus_folder_has_files() -> None:
    for folder in ("278_request", "278_response", "277"):
        assert list((CORPUS / folder).iterdir()), folder
