"""ICD-10-CM findings for one claim: invalid, header and incomplete codes hold; Excludes1 warns.

Each diagnosis is judged by the release in force on the dates of service of the lines that point
to it (a claim without pointers to it: the claim's first date).  A date no loaded release covers
is judged by the nearest release, and then nothing holds: one warning says which release was
used, and the code findings become warnings too, because the release in force might differ.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from gateway.codesets.icd10cm import Icd10Index, dotted
from gateway.codesets.releases import Icd10Catalog, Judged
from gateway.domain.claim import Claim
from gateway.domain.findings import Category, Finding, Severity, SourceStatus

HEADER = "icd10cm.header"
SEVENTH = "icd10cm.seventh_character"
UNKNOWN = "icd10cm.unknown"
NOT_LOADED = "icd10cm.release_not_loaded"
EXCLUDES1 = "icd10cm.excludes1"
_LISTED = 8
_KIND_HEADER, _KIND_SEVENTH = 2, 3


def choices(index: Icd10Index, codes: Sequence[str]) -> str:
    """'M54.50 Low back pain, unspecified; M54.51 ...' (at most eight, then how many more)."""
    shown = [f"{dotted(code)} {index.title(code) or ''}".strip() for code in codes[:_LISTED]]
    more = f"; and {len(codes) - _LISTED} more (gateway codes show {{code}})" if len(codes) > _LISTED else ""
    return "; ".join(shown) + more


def _source(judged: Judged) -> str:
    return f"ICD-10-CM {judged.release.info.name}"


def _dates_by_pointer(claim: Claim) -> dict[int, set[dt.date]]:
    dates: dict[int, set[dt.date]] = defaultdict(set)
    for line in claim.service_lines:
        for pointer in line.diagnosis_pointers:
            dates[pointer].add(line.service_date)
    return dates


def code_finding(code: str, position: int, judged: Judged, lines: Iterable[int]) -> Finding | None:
    """The finding for one diagnosis, or None when the code is billable in the judging release."""
    index = judged.release.index
    kind = index.kind(code)
    if kind == 1:
        return None
    used = sorted(set(lines))
    where = f"diagnosis {position} (pointer {position}" + (
        f", used by line {', '.join(map(str, used))})" if used else ", not pointed to by any line)"
    )
    title = index.title(code)
    named = f"{dotted(code)}" + (f" '{title}'" if title else "")
    release = judged.release.info.name
    if kind == _KIND_HEADER:
        children = index.billable_under(code)
        rule, message = (
            HEADER,
            f"{named} at {where} is a category header in ICD-10-CM {release}, not billable.",
        )
        fix = "bill one of its codes: " + choices(index, children).replace("{code}", dotted(code))
    elif kind == _KIND_SEVENTH:
        children = index.billable_under(code)
        rule = SEVENTH
        message = f"{named} at {where} needs a 7th character in ICD-10-CM {release}."
        fix = "bill the full code: " + choices(index, children).replace("{code}", dotted(code))
    else:
        rule = UNKNOWN
        message = f"{dotted(code)} at {where} is not an ICD-10-CM code in release {release}."
        near = index.nearest_known(code)
        if near is not None:
            options = index.billable_under(near)
            fix = (
                f"check the record; the nearest existing code is {dotted(near)} '{index.title(near) or ''}'"
                + (
                    f"; its billable codes: {choices(index, options).replace('{code}', dotted(near))}"
                    if options
                    else ""
                )
            )
        else:
            fix = "check the record and use a code of the ICD-10-CM tabular list"
    severity = Severity.ERROR if judged.covered else Severity.WARNING
    if not judged.covered:
        message += f" ({judged.note()}.)"
    return Finding(
        category=Category.CODING,
        severity=severity,
        rule_id=rule,
        source=_source(judged),
        status=SourceStatus.VERIFIED,
        message=message,
        fix=fix,
    )


def icd10_findings(claim: Claim, catalog: Icd10Catalog) -> list[Finding]:
    if not catalog:
        return []
    dates = _dates_by_pointer(claim)
    lines_by_pointer: dict[int, list[int]] = defaultdict(list)
    for number, line in enumerate(claim.service_lines, start=1):
        for pointer in line.diagnosis_pointers:
            lines_by_pointer[pointer].append(number)
    findings: list[Finding] = []
    uncovered: dict[dt.date, Judged] = {}
    releases: dict[str, Judged] = {}
    for position, code in enumerate(claim.diagnosis_codes, start=1):
        days = sorted(dates.get(position) or {claim.first_service_date})
        seen: set[str] = set()
        for day in days:
            judged = catalog.judge_day(day)
            if not judged.covered:
                uncovered.setdefault(day, judged)
            name = judged.release.info.name
            releases.setdefault(name, judged)
            if name in seen:
                continue
            seen.add(name)
            finding = code_finding(code, position, judged, lines_by_pointer.get(position, ()))
            if finding is not None:
                findings.append(finding)
    for _day, judged in sorted(uncovered.items()):
        findings.append(
            Finding(
                category=Category.CODING,
                severity=Severity.WARNING,
                rule_id=NOT_LOADED,
                source=_source(judged),
                status=SourceStatus.VERIFIED,
                message=f"{judged.note()}; its findings cannot hold the claim.",
                fix=(
                    "import the release in force on that date: gateway codes import icd10cm --release NAME "
                    "--codes FILE --tabular FILE --effective DATE"
                ),
            )
        )
        break  # one warning per claim names the first date; the rest are the same story
    for judged in releases.values():
        findings.extend(_excludes1(claim, judged))
    return findings


def _excludes1(claim: Claim, judged: Judged) -> Iterable[Finding]:
    index = judged.release.index
    reported: set[frozenset[str]] = set()
    for code, other, owner, note in index.excludes1_pairs(claim.diagnosis_codes):
        pair = frozenset((code, other))
        if pair in reported:
            continue
        reported.add(pair)
        yield Finding(
            category=Category.CODING,
            severity=Severity.WARNING,
            rule_id=EXCLUDES1,
            source=_source(judged),
            status=SourceStatus.VERIFIED,
            message=(
                f"{dotted(code)} and {dotted(other)} are on one claim, but {dotted(owner)} has an Excludes1 "
                f"note: '{note}'."
            ),
            fix="Excludes1 means 'not coded here': keep the code the record supports and remove the other",
        )


def describe(codes: Sequence[str], day: dt.date, catalog: Icd10Catalog) -> list[tuple[str, str]]:
    """(dotted code, title) for a claim's diagnoses, from the release in force on ``day``."""
    judged = catalog.judge_day(day)
    index = judged.release.index
    missing = f"(not a billable code in ICD-10-CM {judged.release.info.name})"
    return [(dotted(code), index.title(code) or missing) for code in codes]
