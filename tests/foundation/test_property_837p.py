"""Property-based: claims of many shapes build into files that pyx12 (its own entry point) accepts,
and reading the file back gives the claims' numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.codesets import default_code_sets
from gateway.domain.claim import Claim
from gateway.domain.codes import npi_check_digit
from gateway.x12.checks_837p import check_837p
from gateway.x12.reader import read_segments
from tests.foundation.helpers import build, pyx12_independent

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
name = (
    st.text(alphabet=LETTERS + " '-.", min_size=1, max_size=25)
    .map(str.strip)
    .filter(lambda s: s and s[0].isalpha())
)
digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
npi = (
    st.text(alphabet="123456789", min_size=1, max_size=1)
    .flatmap(
        lambda first: st.text(alphabet="0123456789", min_size=8, max_size=8).map(lambda rest: first + rest)
    )
    .map(lambda nine: nine + npi_check_digit(nine))
)
# Billable codes of the shipped ICD-10-CM release: the gate judges codes against the code set, so
# a made-up code of the right shape is (rightly) an issue now.  Codes with a letter in the second
# place (QA0...) are left out: the claim model's shape check predates them.
icd10 = st.sampled_from(
    [
        code
        for code in default_code_sets().icd10.judge_day(dt.date(2026, 6, 1)).release.index.billable_codes()
        if code[1].isdigit()
    ]
)
procedure = st.one_of(
    st.sampled_from(
        [
            "64483",
            "64484",
            "64490",
            "64493",
            "64494",
            "64635",
            "64636",
            "62321",
            "62323",
            "27096",
            "20552",
            "20553",
            "63650",
            "77003",
            "99214",
            "J1030",
            "J3301",
            "0213T",
        ]
    ),
    st.text(alphabet="0123456789", min_size=5, max_size=5),
)
modifiers = st.lists(
    st.sampled_from(["RT", "LT", "50", "59", "XS", "XU", "KX", "GA", "GZ", "26", "TC", "25"]),
    max_size=4,
    unique=True,
)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
day = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 11, 1))


def address(nine_digit: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    zip_len = 9 if nine_digit else 5
    return st.fixed_dictionaries(
        {
            "line1": st.text(alphabet=LETTERS + "0123456789 #", min_size=1, max_size=40)
            .map(str.strip)
            .filter(bool),
            "city": st.text(alphabet=LETTERS + " ", min_size=2, max_size=30)
            .map(str.strip)
            .filter(lambda s: len(s) >= 2),
            "state": st.sampled_from(["AZ", "CA", "TX", "NY", "FL", "WA", "OH"]),
            "postal_code": st.text(alphabet="0123456789", min_size=zip_len, max_size=zip_len),
        },
        optional={
            "line2": st.text(alphabet=LETTERS + "0123456789 ", min_size=1, max_size=20)
            .map(str.strip)
            .filter(bool)
        },
    )


def person() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "last_name": name,
            "birth_date": st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 1, 1)),
            "gender": st.sampled_from(["F", "M", "U"]),
            "address": address(),
        },
        optional={"first_name": name, "middle_name": name, "suffix": st.sampled_from(["JR", "SR", "III"])},
    )


@st.composite
def claim(draw: st.DrawFn, pcn: str) -> Claim:
    dx = draw(st.lists(icd10, min_size=1, max_size=12, unique=True))
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        start = draw(day)
        line: dict[str, Any] = {
            "procedure_code": draw(procedure),
            "modifiers": draw(modifiers),
            "charge": str(draw(money)),
            "units": draw(st.sampled_from(["1", "2", "3", "1.5", "4"])),
            "diagnosis_pointers": draw(
                st.lists(st.integers(1, len(dx)), min_size=1, max_size=min(4, len(dx)), unique=True)
            ),
            "service_date": start.isoformat(),
        }
        if draw(st.booleans()) and draw(st.booleans()):
            line["service_date_end"] = (start + dt.timedelta(days=draw(st.integers(0, 5)))).isoformat()
        if draw(st.integers(0, 5)) == 0:
            line.update(
                ndc=draw(st.text(alphabet="0123456789", min_size=11, max_size=11)),
                ndc_quantity="2",
                ndc_unit="ML",
            )
        if draw(st.booleans()):
            line["line_control_number"] = f"L{draw(st.integers(1, 10**6))}"
        lines.append(line)
    data: dict[str, Any] = {
        "patient_control_number": pcn,
        "place_of_service": draw(st.sampled_from(["11", "22", "24", "19"])),
        "diagnosis_codes": dx,
        "billing_provider": {
            "npi": draw(npi),
            "tax_id": draw(digits),
            "taxonomy": draw(st.sampled_from(["208VP0014X", "207LP2900X", "2084P0800X"])),
            "name": draw(name),
            "address": draw(address(nine_digit=True)),
        },
        "subscriber": {
            "member_id": draw(st.text(alphabet=LETTERS + "0123456789", min_size=2, max_size=20)),
            "claim_filing_indicator": draw(st.sampled_from(["MB", "CI", "BL", "HM", "MC", "12"])),
            "payer_responsibility": draw(st.sampled_from(["P", "S"])),
            "person": draw(person()),
        },
        "payer": {
            "name": draw(name),
            "payer_id": draw(st.text(alphabet="0123456789", min_size=5, max_size=5)),
        },
        "service_lines": lines,
    }
    if draw(st.booleans()):
        data["patient"] = {
            "relationship": draw(st.sampled_from(["01", "19", "G8"])),
            "person": draw(person()),
        }
    if draw(st.booleans()):
        data["rendering_provider"] = {"npi": draw(npi), "last_name": draw(name), "first_name": draw(name)}
    if draw(st.booleans()):
        data["referring_provider"] = {"npi": draw(npi), "last_name": draw(name)}
    if draw(st.booleans()):
        data["service_facility"] = {
            "name": draw(name),
            "npi": draw(npi),
            "address": draw(address(nine_digit=True)),
        }
    frequency = draw(st.sampled_from(["1", "1", "7", "8"]))
    if frequency != "1":
        data.update(frequency_code=frequency, original_claim_number=f"PCCN{draw(st.integers(1, 10**9))}")
    if draw(st.booleans()):
        data["prior_authorization"] = f"AUTH{draw(st.integers(1, 10**8))}"
    if draw(st.booleans()):
        data["onset_date"] = draw(day).isoformat()
    return Claim.model_validate(data)


@st.composite
def claim_batches(draw: st.DrawFn) -> list[Claim]:
    count = draw(st.integers(1, 4))
    return [draw(claim(f"PCN{n:04d}{draw(st.integers(0, 999))}")) for n in range(count)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(claim_batches())
def test_generated_claims_pass_pyx12_and_read_back(claims: list[Claim]) -> None:
    built = build(claims)
    ok, errors = pyx12_independent(built.text)
    assert ok, errors
    assert check_837p(read_segments(built.text.encode())) == []
    segments = list(read_segments(built.text.encode()))
    clms = {seg[1]: Decimal(seg[2]) for seg in segments if seg.id == "CLM"}
    assert clms == {c.patient_control_number: c.total_charge for c in claims}
    assert sum(1 for seg in segments if seg.id == "LX") == sum(len(c.service_lines) for c in claims)
