"""``ccyymmdd``'s direct reading of eight digits accepts and refuses exactly what ``strptime`` did."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gateway.x12.values import ccyymmdd


def _by_strptime(text: str) -> dt.date | None:
    """The reading ``ccyymmdd`` had before its fast path."""
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


EDGES = [
    "20240229",  # leap day of a leap year
    "20230229",  # and of a year that is not
    "19000229",  # a century that is not a leap year
    "20000229",  # a century that is
    "20231301",  # month 13
    "20230001",  # month 00
    "20230100",  # day 00
    "20230132",  # day 32
    "20230431",  # April 31
    "00000101",  # year 0000
    "00010101",
    "99991231",
    "2023010a",  # not digits
    "2023-01-",
    "2023 101",
    "２０２３０１０１",  # full-width digits: not ASCII
    "٢٠٢٣٠١٠١",  # Arabic-Indic digits
    "2023011",  # wrong lengths (strptime is lenient with some of these)
    "2026922",
    "202301011",
    "",
    "2023",
    " 20230101",
    "20230101 ",
    "+2023010",
]


def test_edges_read_as_strptime_read_them() -> None:
    for text in EDGES:
        assert ccyymmdd(text) == _by_strptime(text), text
    assert ccyymmdd("20240229") == dt.date(2024, 2, 29)
    assert ccyymmdd("20230229") is None
    assert ccyymmdd("20231301") is None
    assert ccyymmdd("20230100") is None
    assert ccyymmdd("2023010a") is None


def test_every_day_of_two_years_and_their_neighbours() -> None:
    for year in (2023, 2024):
        for month in range(14):
            for day in range(33):
                text = f"{year:04d}{month:02d}{day:02d}"
                assert ccyymmdd(text) == _by_strptime(text), text


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_any_eight_digits(text: str) -> None:
    assert ccyymmdd(text) == _by_strptime(text)


@given(st.text(alphabet="0123456789 -a٣", max_size=10))
def test_any_short_text(text: str) -> None:
    assert ccyymmdd(text) == _by_strptime(text)
