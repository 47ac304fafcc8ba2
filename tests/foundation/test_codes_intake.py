from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.domain import codes
from gateway.domain.claim import Claim
from gateway.errors import InputError
from gateway.intake import load_claims, parse_claims


@pytest.mark.parametrize("npi", ["1234567893", "1748392010", "1564738296"])
def test_valid_npis(npi: str) -> None:
    assert codes.npi_is_valid(npi)


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678930", "123456789X", "1748392011"])
def test_invalid_npis(npi: str) -> None:
    assert not codes.npi_is_valid(npi)


def test_check_digit_round_trip() -> None:
    for first_nine in ("100000000", "299999999", "174839201"):
        assert codes.npi_is_valid(first_nine + codes.npi_check_digit(first_nine))


def _bad_claims(base: dict[str, Any]) -> list[dict[str, Any]]:
    def variant(pcn: str) -> dict[str, Any]:
        claim = copy.deepcopy(base)
        claim["patient_control_number"] = pcn
        return claim

    missing_npi = variant("BAD1")
    del missing_npi["billing_provider"]["npi"]
    bad_digit = variant("BAD2")
    bad_digit["rendering_provider"]["npi"] = "1234567890"
    delimiter = variant("BAD3")
    delimiter["subscriber"]["person"]["last_name"] = "O*BRIEN~"
    pointer = variant("BAD4")
    pointer["service_lines"][0]["diagnosis_pointers"] = [3]
    thirteen = variant("BAD5")
    thirteen["diagnosis_codes"] = [f"M54.1{i}" for i in range(7)] + [f"M51.1{i}" for i in range(4, 10)]
    return [missing_npi, bad_digit, delimiter, pointer, thirteen]


def test_every_bad_claim_is_reported_by_id_without_phi(example_claims: list[dict[str, Any]]) -> None:
    base = example_claims[0]
    good = copy.deepcopy(base)
    with pytest.raises(InputError) as caught:
        parse_claims({"claims": [good, *_bad_claims(base)]}, "claims.json")
    problems = caught.value.problems
    assert len(problems) == 5
    expected = {
        "BAD1": "billing_provider.npi: Field required",
        "BAD2": "rendering_provider.npi: NPI 1234567890 fails",
        "BAD3": "subscriber.person.last_name: contains the X12 delimiter",
        "BAD4": "diagnosis pointer 3 points past the 2 diagnosis code(s)",
        "BAD5": "diagnosis_codes: List should have at most 12 items",
    }
    for problem, (pcn, text) in zip(problems, expected.items(), strict=True):
        assert f"(claim {pcn})" in problem and text in problem
    joined = "\n".join(problems)
    person = base["subscriber"]["person"]
    for phi in (
        person["last_name"],
        person["first_name"],
        person["birth_date"],
        base["subscriber"]["member_id"],
    ):
        assert phi not in joined
    assert "O*BRIEN" not in joined


def test_normalisation_of_codes_and_names(example_claims: list[dict[str, Any]]) -> None:
    data = copy.deepcopy(example_claims[0])
    data["diagnosis_codes"] = ["m54.17", "M51.17"]
    data["subscriber"]["person"]["first_name"] = "José"
    data["service_lines"][0]["modifiers"] = ["lt"]
    claim = Claim.model_validate(data)
    assert claim.diagnosis_codes == ["M5417", "M5117"]
    assert claim.subscriber.person.first_name == "JOSE"
    assert claim.service_lines[0].modifiers == ["LT"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c.update(frequency_code="7"), "needs original_claim_number"),
        (lambda c: c["service_lines"][0].update(procedure_code="6448"), "is not a CPT or HCPCS code"),
        (lambda c: c.update(diagnosis_codes=["ZZZ"]), "is not an ICD-10-CM code"),
        (lambda c: c["billing_provider"]["address"].update(postal_code="85014"), "9 digits"),
        (lambda c: c["service_lines"][0].update(modifiers=["LT", "RT", "59", "XS", "KX"]), "at most 4"),
        (lambda c: c["service_lines"][0].update(diagnosis_pointers=[1, 1]), "repeat"),
    ],
)
def test_model_rules(example_claims: list[dict[str, Any]], mutate: Any, message: str) -> None:
    data = copy.deepcopy(example_claims[0])
    mutate(data)
    with pytest.raises(InputError) as caught:
        parse_claims([data], "x.json")
    assert message in caught.value.problems[0]


def test_load_claims_names_the_file_for_unreadable_json(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text('{"claims": [ }')
    with pytest.raises(InputError, match=r"claims.json: not JSON: .* line 1 column"):
        load_claims(path)
    with pytest.raises(InputError, match="cannot read"):
        load_claims(tmp_path / "missing.json")
    path.write_text(json.dumps({"claims": []}))
    with pytest.raises(InputError, match="no claims"):
        load_claims(path)


def test_duplicate_patient_control_numbers_are_refused(example_claims: list[dict[str, Any]]) -> None:
    with pytest.raises(InputError, match="1 problem"):
        parse_claims([example_claims[0], example_claims[0]], "dup.json")
