"""Code-set releases and the effective window each one is in force.

An ICD-10-CM release is in force from its effective date (October 1 for a fiscal-year release,
April 1 for an April update) until the day before the next loaded release, and never past the
September 30 that ends its fiscal year: a release is not assumed to describe a year nobody has
loaded.  A date of service no loaded release covers is judged by the nearest release, and the
caller is told so (``Judged.covered`` False) so that it warns instead of holding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from gateway.codesets.icd10cm import Icd10Index

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip


class CodeSetKind(StrEnum):
    ICD10CM = "icd10cm"
    NCCI_PTP = "ncci-ptp"
    MUE = "mue"
    LCD_ARTICLES = "lcd-articles"


@dataclass(frozen=True)
class ReleaseInfo:
    """What ``gateway codes status`` shows of one loaded release."""

    kind: CodeSetKind
    name: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    sha256: str
    rows: int
    origin: str  # "shipped (simple-icd-10-cm 1.5.0)" or "imported 2026-12-03T09:40Z"

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def window(self) -> str:
        return f"{self.effective_from} .. {self.effective_to or 'open'}"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "release": self.name,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "source": self.source,
            "sha256": self.sha256,
            "rows": self.rows,
            "origin": self.origin,
        }


def fiscal_year_end(day: dt.date) -> dt.date:
    """September 30 of the federal fiscal year ``day`` falls in."""
    return dt.date(day.year if day.month < 10 else day.year + 1, 9, 30)


def release_label(day: dt.date) -> str:
    """'April 2026' for an April update, 'FY2027' for a release effective October 1, 2026."""
    if day.month == 10 and day.day == 1:
        return f"FY{day.year + 1}"
    return f"{_MONTHS[day.month - 1]} {day.year}"


def effective_from_name(name: str) -> dt.date | None:
    """'code-list-April-2026.txt' -> 2026-04-01; None when the name carries no month and year."""
    for number, month in enumerate(_MONTHS, start=1):
        marker = f"{month}-"
        at = name.find(marker)
        if at >= 0:
            year = name[at + len(marker) : at + len(marker) + 4]
            if year.isdigit():
                return dt.date(int(year), number, 1)
    return None


@dataclass
class Icd10Release:
    info: ReleaseInfo
    loader: Callable[[], Icd10Index] = field(repr=False)
    _index: Icd10Index | None = field(default=None, repr=False)

    @property
    def index(self) -> Icd10Index:
        if self._index is None:
            self._index = self.loader()
        return self._index


@dataclass(frozen=True)
class Judged:
    """The release a date of service is judged by, and whether that release is in force on it."""

    release: Icd10Release
    covered: bool
    day: dt.date

    def note(self) -> str:
        return f"ICD-10-CM release for {self.day} not loaded; judged by {self.release.info.name}"


class Icd10Catalog:
    """Every loaded ICD-10-CM release, in effective order, with their windows settled."""

    def __init__(self, releases: Sequence[Icd10Release]) -> None:
        by_start: dict[dt.date, Icd10Release] = {}
        for release in releases:  # a later entry (imported) replaces one with the same start (shipped)
            by_start[release.info.effective_from] = release
        ordered = [by_start[start] for start in sorted(by_start)]
        settled: list[Icd10Release] = []
        for position, release in enumerate(ordered):
            end = fiscal_year_end(release.info.effective_from)
            if position + 1 < len(ordered):
                end = min(end, ordered[position + 1].info.effective_from - dt.timedelta(days=1))
            # A copy: the shipped release object is shared by every catalog of the process.
            settled.append(
                Icd10Release(replace(release.info, effective_to=end), release.loader, release._index)
            )
        self.releases: tuple[Icd10Release, ...] = tuple(settled)
        self._memo: dict[dt.date, Judged] = {}

    def __bool__(self) -> bool:
        return bool(self.releases)

    def judge_day(self, day: dt.date) -> Judged:
        known = self._memo.get(day)
        if known is not None:
            return known
        if not self.releases:
            raise LookupError("no ICD-10-CM release is loaded")
        chosen = next((r for r in self.releases if r.info.covers(day)), None)
        if chosen is not None:
            judged = Judged(chosen, True, day)
        elif day < self.releases[0].info.effective_from:
            judged = Judged(self.releases[0], False, day)
        else:
            earlier = [r for r in self.releases if r.info.effective_from <= day]
            judged = Judged(earlier[-1], False, day)
        if len(self._memo) > 4096:
            self._memo.clear()
        self._memo[day] = judged
        return judged
