"""837P coordination of benefits: 2320/2330A/2330B/2430 built, gated by pyx12 and balanced."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from gateway.domain.claim import Claim
from gateway.x12.checks_837p import check_837p
from gateway.x12.gate import validate_text
from gateway.x12.reader import read_segments
from tests.cob.claims import (
    SUPPLEMENT,
    facet_claim,
    primary_with_other_coverage,
    secondary_claim,
    tertiary_claim,
)
from tests.foundation.helpers import build, pyx12_independent


def _text(claim: dict[str, Any]) -> str:
    return build([Claim.model_validate(claim)]).text


def _claim_body(text: str) -> list[str]:
    segments = text.split("~")
    start = next(n for n, s in enumerate(segments) if s.startswith("CLM*"))
    end = next(n for n, s in enumerate(segments) if s.startswith("SE*"))
    return segments[start:end]


def _passes_every_check(text: str) -> None:
    assert validate_text(text).issues == []
    ok, found = pyx12_independent(text)
    assert ok
    report: Any = found  # pyx12's fd_json report: a dict, whatever the helper's annotation says
    transactions = report["interchanges"][0]["groups"][0]["transactions"]
    assert [t["errors"] + t["segments"] for t in transactions] == [[]]
    assert check_837p(read_segments(text.encode())) == []


def test_a_claim_without_other_coverage_renders_no_cob_loops() -> None:
    body = _claim_body(_text(facet_claim()))
    assert not [s for s in body if s.startswith(("SBR", "OI", "SVD", "AMT"))]


def test_primary_claim_names_the_payers_that_come_after_it() -> None:
    text = _text(primary_with_other_coverage())
    _passes_every_check(text)
    body = _claim_body(text)
    start = body.index("SBR*S*18*******CI")
    assert body[start : start + 10] == [
        "SBR*S*18*******CI",
        "OI***Y***Y",
        "NM1*IL*1*OLSEN*KAREN****MI*AARP55501",
        "N3*3320 E INDIAN SCHOOL RD",
        "N4*PHOENIX*AZ*85018",
        "NM1*PR*2*AARP MEDICARE SUPPLEMENT*****PI*36273",
        "SBR*T*18*******MC",
        "OI***Y***Y",
        "NM1*IL*1*OLSEN*KAREN****MI*AZ0099887",
        "N3*3320 E INDIAN SCHOOL RD",
    ]
    assert not [s for s in body if s.startswith(("SVD", "AMT", "CAS"))]


def test_secondary_claim_carries_the_primarys_adjudication() -> None:
    text = _text(secondary_claim())
    _passes_every_check(text)
    segments = text.split("~")
    assert "SBR*S*18*******CI" in segments  # 2000B: the supplement is billed as secondary
    body = _claim_body(text)
    start = body.index("SBR*P*18*******MB")
    assert body[start : start + 10] == [
        "SBR*P*18*******MB",
        "CAS*CO*253*6.4",
        "CAS*PI*94*2",
        "AMT*D*311.6",
        "AMT*EAF*280",
        "OI***Y***Y",
        "NM1*IL*1*OLSEN*KAREN****MI*3GJ6VG7PM95",
        "N3*3320 E INDIAN SCHOOL RD",
        "N4*PHOENIX*AZ*85018",
        "NM1*PR*2*NORIDIAN JF PART B*****PI*03102",
    ]
    assert body[start + 10] == "REF*F8*26182000123401"
    first_line = body.index("LX*1")
    assert body[first_line : first_line + 7] == [
        "LX*1",
        "SV1*HC:64493:50*1100*UN*1***1",
        "DTP*472*D8*20260610",
        "SVD*03102*320*HC:64493:50**1",
        "CAS*CO*45*700",
        "CAS*PR*2*80",
        "DTP*573*D8*20260701",
    ]
    # The line Medicare paid nothing on still gets its 2430: SVD02 0 and the reasons why.
    assert body[-4:] == ["SVD*03102*0*HC:64494:50**1", "CAS*CO*45*360", "CAS*PR*1*200", "DTP*573*D8*20260701"]


def test_tertiary_claim_carries_both_earlier_payers() -> None:
    text = _text(tertiary_claim())
    _passes_every_check(text)
    body = _claim_body(text)
    assert [s for s in body if s.startswith("SBR")] == ["SBR*P*18*******MB", "SBR*S*18*******CI"]
    assert [s for s in body if s.startswith("AMT*D")] == ["AMT*D*311.6", "AMT*D*270"]
    assert [s for s in body if s.startswith("SVD")] == [
        "SVD*03102*320*HC:64493:50**1",
        "SVD*36273*80*HC:64493:50**1",
        "SVD*03102*0*HC:64494:50**1",
        "SVD*36273*190*HC:64494:50**1",
    ]
    assert "CAS*PR*3*10" in body and "CAS*OA*23*360*" not in body


def test_our_checks_name_an_unbalanced_claim_and_line() -> None:
    text = _text(secondary_claim())
    broken = text.replace("AMT*D*311.6~", "AMT*D*301.6~").replace("SVD*03102*320*", "SVD*03102*330*")
    messages = [issue.message for issue in check_837p(read_segments(broken.encode()))]
    assert messages == [
        "claim MBB2026061004: 2430 of payer 03102: SVD02 330 + CAS 780 = 1110, not the line's SV102 1100",
        (
            "claim MBB2026061004: payer 03102: AMT*D 301.6 + 2320 CAS 8.4 + 2430 CAS 1340 = 1650, "
            "not the 1660 charged on the lines it adjudicated"
        ),
    ]


def test_svd_must_name_a_2330b_payer() -> None:
    text = _text(secondary_claim()).replace("SVD*03102*0*", "SVD*99999*0*")
    messages = [issue.message for issue in check_837p(read_segments(text.encode()))]
    assert "claim MBB2026061004: SVD01 99999 is not a 2330B payer of the claim" in messages


def test_claim_level_only_answer_dates_the_2330b_loop() -> None:
    claim = secondary_claim()
    answer = claim["other_coverage"][0]["adjudication"]
    answer["lines"] = []
    answer["claim_adjustments"] = [
        {"group": "CO", "reason": "45", "amount": "1060.00"},
        {"group": "PR", "reason": "2", "amount": "288.40"},
    ]
    text = _text(claim)
    _passes_every_check(text)
    body = _claim_body(text)
    payer = body.index("NM1*PR*2*NORIDIAN JF PART B*****PI*03102")
    assert body[payer + 1 : payer + 3] == ["DTP*573*D8*20260701", "REF*F8*26182000123401"]


def test_a_replacement_with_cob_still_needs_its_own_ref_f8() -> None:
    """The 2330B REF*F8 is the other payer's number and does not satisfy frequency 7."""
    claim = secondary_claim()
    claim["frequency_code"] = "7"
    claim["original_claim_number"] = "SUP0001"
    text = _text(claim).replace("REF*F8*SUP0001~", "")
    messages = [issue.message for issue in check_837p(read_segments(text.encode()))]
    assert messages == ["claim MBB2026061004: frequency 7 needs REF*F8"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["other_coverage"].__setitem__(0, {**c["other_coverage"][0], "payer": c["payer"]}),
            "other_coverage[0]: payer 36273 is the payer this claim is billed to",
        ),
        (
            lambda c: c["other_coverage"][1].update(relationship="01"),
            "relationship 01 needs the subscriber (the policy holder)",
        ),
        (
            lambda c: c["other_coverage"][0]["adjudication"]["lines"][0].update(line_number=3),
            "other_coverage[0].adjudication: line 3 is past the 2 service line(s)",
        ),
        (
            lambda c: c["subscriber"].update(payer_responsibility="P"),
            "other_coverage[0]: a payer after this claim's payer cannot have adjudicated it",
        ),
    ],
)
def test_intake_refuses_inconsistent_other_coverage(change: Any, message: str) -> None:
    claim = secondary_claim()
    change(claim)
    with pytest.raises(ValidationError, match=re.escape(message)):
        Claim.model_validate(claim)


def test_other_coverage_is_optional_and_backwards_compatible() -> None:
    claim = Claim.model_validate(facet_claim())
    assert claim.other_coverage == []
    assert Claim.model_validate({**facet_claim(), "other_coverage": [{"payer": SUPPLEMENT, "member_id": "X1",
            "claim_filing_indicator": "MB"}]}).responsibility_of(0) == "S"  # fmt: skip
