"""The simulator after the 835: a COB-aware answer to secondary and tertiary claims, a coding
denial (CO-11) the worklist categorises, and a replacement (frequency 7) paid like any claim."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.domain.claim import Claim
from gateway.simulator.policy import DEFAULT_POLICY
from tests.cob.claims import facet_claim, secondary_claim, tertiary_claim
from tests.simulator.helpers import Harness, claim_file
from tests.simulator.test_claims_and_remittance import by_claim, remit


def _answer(tmp_path: Path, claim: dict[str, Any]) -> dict[str, Any]:
    sim = Harness(tmp_path, DEFAULT_POLICY)
    sim.put("claims.x12", claim_file([Claim.model_validate(claim)], 81))
    sim.cycle()
    sim.cycle()
    transactions, path = remit(sim)  # parsed, and our inbound balancing checks found nothing
    answer = by_claim(transactions)[claim["patient_control_number"]]
    answer["clp"] = next(s for s in path.read_text().split("~") if s.strip().startswith("CLP*")).strip()
    return answer


def _lines(answer: dict[str, Any]) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    return [
        (
            line["procedure"],
            line["paid"],
            [(a["group"], a["reason"], a["amount"]) for a in line["adjustments"]],
        )
        for line in answer["service_lines"]
    ]


def test_the_secondary_pays_what_medicare_left_to_the_patient(tmp_path: Path) -> None:
    answer = _answer(tmp_path, secondary_claim())
    # Medicare's 2430 PR amounts: coinsurance 80 on line 1, deductible 200 on line 2.
    assert (answer["status_code"], answer["charge"], answer["paid"]) == ("2", "1660", "280")
    assert _lines(answer) == [
        ("64493", "80", [("OA", "23", "1020")]),
        ("64494", "200", [("OA", "23", "360")]),
    ]


def test_the_tertiary_pays_what_the_secondary_left(tmp_path: Path) -> None:
    answer = _answer(tmp_path, tertiary_claim())
    assert (answer["status_code"], answer["paid"]) == ("3", "10")  # the supplement left PR-3 10 on line 2
    assert _lines(answer) == [("64493", "0", [("OA", "23", "1100")]), ("64494", "10", [("OA", "23", "550")])]


def test_unspecified_low_back_pain_is_denied_co_11_and_the_replacement_is_paid(tmp_path: Path) -> None:
    claim = facet_claim()
    claim["diagnosis_codes"] = ["M54.50"]
    claim["service_lines"] = claim["service_lines"][:1]  # 64493-50, 1100.00
    denied = _answer(tmp_path / "first", claim)
    assert denied["status_code"] == "4"
    assert _lines(denied)[0] == ("64493", "0", [("CO", "11", "1100")])
    assert denied["service_lines"][0]["remark_codes"] == ["M76"]
    claim.update(
        diagnosis_codes=["M47.816"],
        frequency_code="7",
        original_claim_number=denied["payer_claim_control_number"],
    )
    paid = _answer(tmp_path / "replacement", claim)
    # CLP09 echoes the frequency: the payer took it as the replacement of its claim.
    assert (
        paid["clp"]
        == f"CLP*MBB2026061004*1*1100*{paid['paid']}*{paid['patient_responsibility']}*MB*{paid['payer_claim_control_number']}*11*7"
    )
    assert paid["status_code"] == "1"
    assert _lines(paid) == [("64493", "484", [("CO", "45", "495"), ("PR", "2", "121")])]
    assert (paid["paid"], paid["adjustments"][0]["reason"]) == (
        "384",
        "1",
    )  # PR-1 deductible 100 at claim level
