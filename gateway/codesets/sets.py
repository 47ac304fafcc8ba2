"""Everything the rules and the gate may ask about codes, as one object passed in.

``CodeSets`` is built by the caller that owns the I/O: ``default_code_sets()`` (the shipped
ICD-10-CM release, no database) or ``gateway.store.codesets.load_code_sets(store)`` (plus every
release imported into the database).  The rule engine only reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from gateway.codesets.lcd_articles import Article
from gateway.codesets.ncci import MueValue, PtpEdit
from gateway.codesets.releases import CodeSetKind, Icd10Catalog, ReleaseInfo
from gateway.codesets.shipped import shipped_release


def settle_windows(releases: Sequence[ReleaseInfo]) -> tuple[ReleaseInfo, ...]:
    """NCCI quarters: each in force until the day before the next loaded one; the newest stays open
    (the files carry every edit's own effective and deletion dates, so a quarter's file keeps
    judging until a newer one is loaded)."""
    ordered = sorted(releases, key=lambda info: info.effective_from)
    settled = []
    for position, info in enumerate(ordered):
        end = None
        if position + 1 < len(ordered):
            end = ordered[position + 1].effective_from - dt.timedelta(days=1)
        settled.append(replace(info, effective_to=end))
    return tuple(settled)


class NcciTables:
    """Imported PTP and MUE quarters; subclasses fetch the rows (``gateway.store.codesets``)."""

    def __init__(self, releases: Sequence[ReleaseInfo]) -> None:
        self.ptp = settle_windows([r for r in releases if r.kind is CodeSetKind.NCCI_PTP])
        self.mue = settle_windows([r for r in releases if r.kind is CodeSetKind.MUE])
        self._ptp_memo: dict[tuple[str, frozenset[str]], list[PtpEdit]] = {}
        self._mue_memo: dict[tuple[str, frozenset[str]], list[MueValue]] = {}

    @staticmethod
    def _in_force(releases: Sequence[ReleaseInfo], day: dt.date) -> ReleaseInfo | None:
        return next((info for info in releases if info.covers(day)), None)

    def ptp_release_for(self, day: dt.date) -> ReleaseInfo | None:
        return self._in_force(self.ptp, day)

    def mue_release_for(self, day: dt.date) -> ReleaseInfo | None:
        return self._in_force(self.mue, day)

    def ptp_edits(self, release: ReleaseInfo, codes: Collection[str]) -> list[PtpEdit]:
        key = (release.name, frozenset(codes))
        found = self._ptp_memo.get(key)
        if found is None:
            found = self._ptp_memo[key] = self._fetch_ptp(release, codes) if len(codes) > 1 else []
        return found

    def mue_values(self, release: ReleaseInfo, codes: Collection[str]) -> list[MueValue]:
        key = (release.name, frozenset(codes))
        found = self._mue_memo.get(key)
        if found is None:
            found = self._mue_memo[key] = self._fetch_mue(release, codes)
        return found

    def _fetch_ptp(self, release: ReleaseInfo, codes: Collection[str]) -> list[PtpEdit]:
        raise NotImplementedError

    def _fetch_mue(self, release: ReleaseInfo, codes: Collection[str]) -> list[MueValue]:
        raise NotImplementedError


@dataclass(frozen=True)
class CodeSets:
    icd10: Icd10Catalog
    ncci: NcciTables | None = None
    # Imported MCD billing & coding articles: 'A58403' -> every imported version.
    articles: dict[str, tuple[Article, ...]] = field(default_factory=dict)


@cache
def default_code_sets() -> CodeSets:
    """The ICD-10-CM release shipped with the package (loaded lazily on the first look-up)."""
    return CodeSets(icd10=Icd10Catalog([shipped_release()]))
