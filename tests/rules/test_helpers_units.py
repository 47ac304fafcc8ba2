"""Small pieces the rules lean on: code selectors, calendar months, overlapping therapy spans."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.domain.evidence import ConservativeTherapy
from gateway.rules.codes import expand
from gateway.rules.kinds.clinical import _covered_days, months_before


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (["64490-64492"], {"64490", "64491", "64492"}),
        (["0213T-0215T"], {"0213T", "0214T", "0215T"}),
        (["@tf", "62323"], {"64483", "64484", "62323"}),
        (["*"], {"*"}),
    ],
)
def test_expand(selector: list[str], expected: set[str]) -> None:
    assert expand(selector, {"tf": frozenset({"64483", "64484"})}) == expected


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["64495-64490"], "code range '64495-64490' must have matching shape and low <= high"),
        (["0213T-64495"], "code range '0213T-64495' must have matching shape and low <= high"),
        (["@nope"], "unknown code group '@nope' (groups come from procedures.yaml)"),
    ],
)
def test_expand_refuses_bad_selectors(bad: list[str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        expand(bad, {})
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 9, 16), 3, dt.date(2026, 6, 16)),
        (dt.date(2026, 5, 31), 3, dt.date(2026, 2, 28)),
        (dt.date(2026, 2, 15), 6, dt.date(2025, 8, 15)),
    ],
)
def test_months_before(day: dt.date, months: int, expected: dt.date) -> None:
    assert months_before(day, months) == expected


def test_overlapping_therapies_count_each_day_once() -> None:
    def therapy(start: str, end: str | None) -> ConservativeTherapy:
        return ConservativeTherapy.model_validate(
            {"kind": "physical_therapy", "start_date": start, "end_date": end, "response": "failed"}
        )

    until = dt.date(2026, 3, 1)
    spans = [
        therapy("2026-01-01", "2026-01-21"),
        therapy("2026-01-11", "2026-01-31"),
        therapy("2026-02-20", None),
    ]
    assert _covered_days(spans, until) == 30 + 9
