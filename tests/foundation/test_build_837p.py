from __future__ import annotations

import copy
from typing import Any

import pytest

from gateway.domain.claim import Claim
from gateway.errors import BuildError
from gateway.x12 import build_837p as builder
from gateway.x12.envelope import ControlNumbers
from gateway.x12.gate import validate_text
from gateway.x12.reader import read_segments
from tests.foundation.helpers import build, claims_from, pyx12_independent


def segs(text: str) -> list[list[str]]:
    return [s.elements for s in read_segments(text.encode())]


def test_every_example_builds_into_a_file_pyx12_accepts(example_claims: list[dict[str, Any]]) -> None:
    assert len(example_claims) >= 10
    for data in example_claims:
        built = build(claims_from([data]))
        ok, errors = pyx12_independent(built.text)
        assert ok, (data["patient_control_number"], errors)
        assert validate_text(built.text).ok


def test_all_examples_in_one_file(example_claims: list[dict[str, Any]]) -> None:
    claims = claims_from(example_claims)
    built = build(claims)
    ok, errors = pyx12_independent(built.text)
    assert ok, errors
    rows = segs(built.text)
    clms = [row for row in rows if row[0] == "CLM"]
    assert sorted(row[1] for row in clms) == sorted(
        pcn for pcns in built.transaction_claims.values() for pcn in pcns
    )
    assert sorted(row[1] for row in clms) == sorted(c.patient_control_number for c in claims)
    # One 2000A per billing provider; patients sharing a subscriber share one 2000B.
    hl_levels = [row[3] for row in rows if row[0] == "HL"]
    assert hl_levels.count("20") == len({c.billing_provider for c in claims})
    subscribers = {(c.subscriber, c.payer) for c in claims}
    assert hl_levels.count("22") == len(subscribers)
    assert hl_levels.count("23") == sum(1 for c in claims if c.patient)


def test_hl_parents_and_counts_are_consistent(example_claims: list[dict[str, Any]]) -> None:
    rows = segs(build(claims_from(example_claims)).text)
    seen: dict[str, str] = {}
    for row in rows:
        if row[0] == "HL":
            assert row[1] == str(len(seen) + 1)
            if row[3] == "20":
                assert row[2] == ""
            else:
                assert seen[row[2]] == {"22": "20", "23": "22"}[row[3]]
            seen[row[1]] = row[3]
    st_index = next(i for i, row in enumerate(rows) if row[0] == "ST")
    se_index = next(i for i, row in enumerate(rows) if row[0] == "SE")
    assert rows[se_index][1] == str(se_index - st_index + 1)


def test_clm_charge_is_the_sum_of_the_lines_and_codes_are_in_place(
    example_claims: list[dict[str, Any]],
) -> None:
    data = next(c for c in example_claims if len(c["service_lines"]) == 2)
    claim = Claim.model_validate(data)
    rows = segs(build([claim]).text)
    clm = next(row for row in rows if row[0] == "CLM")
    sv1 = [row for row in rows if row[0] == "SV1"]
    assert clm[2] == builder.x12_decimal(claim.total_charge)
    assert sum(float(row[2]) for row in sv1) == float(clm[2])
    assert sv1[0][1].split(":")[:3] == ["HC", claim.service_lines[0].procedure_code, "50"]
    hi = next(row for row in rows if row[0] == "HI")
    assert hi[1] == f"ABK:{claim.diagnosis_codes[0]}"


def test_replacement_claim_has_ref_f8_and_prior_auth_ref_g1(example_claims: list[dict[str, Any]]) -> None:
    data = copy.deepcopy(example_claims[0])
    data.update(frequency_code="7", original_claim_number="PAYER12345", prior_authorization="AUTH42")
    text = build(claims_from([data])).text
    rows = segs(text)
    assert ["REF", "F8", "PAYER12345"] in rows and ["REF", "G1", "AUTH42"] in rows
    clm = next(row for row in rows if row[0] == "CLM")
    assert clm[5].split(":") == [data["place_of_service"], "B", "7"]
    assert pyx12_independent(text)[0]


def test_transaction_sets_split_at_the_limit(
    monkeypatch: pytest.MonkeyPatch, example_claims: list[dict[str, Any]]
) -> None:
    monkeypatch.setattr(builder, "MAX_CLAIMS_PER_TRANSACTION", 4)
    claims = claims_from(example_claims)
    built = build(claims, ControlNumbers(5, 6, 20))
    expected = [f"{20 + n:04d}" for n in range(-(-len(claims) // 4))]
    assert len(expected) >= 3
    assert list(built.transaction_claims) == expected
    assert all(len(pcns) <= 4 for pcns in built.transaction_claims.values())
    rows = segs(built.text)
    assert [row[2] for row in rows if row[0] == "ST"] == expected
    assert next(row for row in rows if row[0] == "GE")[1:] == [str(len(expected)), "6"]
    ok, errors = pyx12_independent(built.text)
    assert ok, errors


def test_a_delimiter_that_reaches_the_builder_is_reported_per_claim(
    example_claims: list[dict[str, Any]],
) -> None:
    good, bad = claims_from(example_claims[:2])
    # model_construct skips validation: the builder's own writer must still refuse the value.
    address = bad.subscriber.person.address.model_copy(update={"line1": "12 MAIN~ST"})
    person = bad.subscriber.person.model_copy(update={"address": address})
    bad = bad.model_copy(update={"subscriber": bad.subscriber.model_copy(update={"person": person})})
    text_before = build([good]).text
    with pytest.raises(BuildError) as caught:
        build([good, bad])
    assert caught.value.problems == [
        f"claim {bad.patient_control_number}: subscriber: N301 contains an X12 delimiter character (* : ^ ~); refusing to write it"
    ]
    assert "MAIN~ST" not in caught.value.problems[0]
    assert build([good]).text == text_before


def test_x12_decimal() -> None:
    from decimal import Decimal

    assert builder.x12_decimal(Decimal("900.00")) == "900"
    assert builder.x12_decimal(Decimal("900.50")) == "900.5"
    assert builder.x12_decimal(Decimal("0.00")) == "0"
    assert builder.x12_decimal(Decimal("1E+3")) == "1000"
