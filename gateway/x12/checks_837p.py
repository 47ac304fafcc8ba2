"""Our own checks on an 837P file: what pyx12 does not check (SNIP levels 3 and 5, in part).

Balancing (CLM02 = sum of SV102), NPI check digits, ICD-10-CM and CPT/HCPCS shapes, modifier
shapes, diagnosis pointers within the claim's HI codes, real service dates not after the file
date, REF*F8 on replacement/void claims, and the COB loops' balancing (checks_837p_cob).  Works on any 837P, ours or a third party's.

ICD-10-CM codes are also judged against the code set (``gateway.codesets``) in force on the
claim's first date of service: a header, a code missing its 7th character or an unknown code is a
SNIP 5 issue naming the diagnosis position and the billable codes to use instead.  A date no
loaded release covers is left to the rules (they warn); the gate reports only what it can know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.codesets import Icd10Catalog, default_code_sets
from gateway.codesets.claim_checks import choices
from gateway.codesets.icd10cm import dotted
from gateway.domain import codes
from gateway.x12.checks_837p_cob import CobChecker
from gateway.x12.gate import GateIssue
from gateway.x12.reader import Segment
from gateway.x12.values import ccyymmdd, decimal_or_none

ICD10_QUALIFIERS = {"ABK", "ABF"}
ICD9_QUALIFIERS = {"BK", "BF"}
# The segments the loop below looks at; a third of an 837P's segments (N3, N4, LX, PRV, DMG,
# PAT, SBR, PER) are passed over without walking its chain of tests.
_CHECKED_IDS = frozenset({"GS", "CLM", "SE", "HL", "NM1", "REF", "HI", "SV1", "DTP"})


@dataclass
class _ClaimState:
    clm: Segment
    pcn: str
    charge: Decimal | None
    line_total: Decimal = Decimal(0)
    diagnosis_count: int = 0
    frequency: str = ""
    has_f8: bool = False
    pointer_segments: list[Segment] = field(default_factory=list)
    cob: CobChecker | None = None  # from the first 2320 SBR on
    diagnoses: list[tuple[Segment, int, int, str]] = field(default_factory=list)  # seg, number, HI pos, code
    service_dates: list[dt.date] = field(default_factory=list)


def _issue(seg: Segment, code: str, message: str, element: str | None = None) -> GateIssue:
    return GateIssue("check", code, message, seg.index, seg.id, None, element)


def _code_set_issues(claim: _ClaimState, catalog: Icd10Catalog) -> list[GateIssue]:
    if not claim.diagnoses or not claim.service_dates or not catalog:
        return []
    judged = catalog.judge_day(min(claim.service_dates))
    if not judged.covered:
        return []
    index = judged.release.index
    release = judged.release.info.name
    found: list[GateIssue] = []
    for seg, number, position, code in claim.diagnoses:
        kind = index.kind(code)
        if kind == 1:
            continue
        if kind == 0:
            near = index.nearest_known(code)
            what = f"is not an ICD-10-CM code in release {release}" + (
                f" (nearest existing code {dotted(near)})" if near else ""
            )
        else:
            label = "a category header, not billable" if kind == 2 else "missing its 7th character"
            options = choices(index, index.billable_under(code)).replace("{code}", dotted(code))
            what = f"is {label} in ICD-10-CM {release}; use {options}"
        found.append(
            _issue(
                seg,
                "SNIP5",
                f"claim {claim.pcn}: diagnosis {number} {dotted(code)} {what}",
                f"HI{position:02d}-2",
            )
        )
    return found


def check_837p(segments: Iterable[Segment], icd10: Icd10Catalog | None = None) -> list[GateIssue]:
    """``icd10``: the ICD-10-CM releases to judge codes by (default: the shipped release)."""
    catalog = icd10 if icd10 is not None else default_code_sets().icd10
    issues: list[GateIssue] = []
    claim: _ClaimState | None = None
    file_date: dt.date | None = None

    def close_claim() -> None:
        if claim is None:
            return
        where = f"claim {claim.pcn}"
        if claim.charge is not None and claim.charge != claim.line_total:
            issues.append(
                _issue(
                    claim.clm,
                    "SNIP3",
                    f"{where}: CLM02 {claim.charge} does not equal the sum of its SV102 {claim.line_total}",
                    "CLM02",
                )
            )
        if claim.frequency in ("7", "8") and not claim.has_f8:
            issues.append(
                _issue(claim.clm, "SNIP5", f"{where}: frequency {claim.frequency} needs REF*F8", "CLM05-3")
            )
        if claim.cob is not None:
            issues.extend(claim.cob.close())
        issues.extend(_code_set_issues(claim, catalog))
        for seg in claim.pointer_segments:
            for pointer in seg.components(7):
                if not pointer.isdigit() or not 1 <= int(pointer) <= claim.diagnosis_count:
                    issues.append(
                        _issue(
                            seg,
                            "SNIP5",
                            f"{where}: diagnosis pointer {pointer} is outside 1-{claim.diagnosis_count}",
                            "SV107",
                        )
                    )

    npi_valid: dict[str, bool] = {}  # a batch names the same few providers on every claim
    for seg in segments:
        sid = seg.elements[0]
        if claim is not None and (claim.cob is not None or sid == "SBR"):
            if claim.cob is None:
                claim.cob = CobChecker(claim.pcn, claim.clm, claim.charge or Decimal(0))
            if sid not in ("SE", "HL", "CLM"):
                claim.cob.feed(seg)
        if sid not in _CHECKED_IDS:
            continue
        if sid == "GS":
            file_date = ccyymmdd(seg[4])
        elif sid == "CLM":
            close_claim()
            claim = _ClaimState(seg, seg[1], decimal_or_none(seg[2]))
            claim.frequency = seg.component(5, 3)
            if claim.charge is None:
                issues.append(_issue(seg, "SNIP3", f"claim {seg[1]}: CLM02 is not a number", "CLM02"))
        elif sid in ("SE", "HL") and claim is not None:
            close_claim()
            claim = None
        elif sid == "NM1" and seg[8] == "XX":
            npi = seg[9]
            valid = npi_valid.get(npi)
            if valid is None:
                valid = npi_valid[npi] = codes.npi_is_valid(npi)
            if not valid:
                issues.append(_issue(seg, "SNIP5", f"NM1*{seg[1]} NPI {npi} fails the check digit", "NM109"))
        elif sid == "REF" and seg[1] == "F8" and claim is not None and claim.cob is None:
            # After a 2320 SBR, REF*F8 is the other payer's claim number (2330B), not ours.
            claim.has_f8 = True
        elif sid == "HI" and claim is not None:
            separator = seg.delimiters.component
            for position, element in enumerate(seg.elements[1:], start=1):
                qualifier, _, rest = element.partition(separator)
                code = rest.partition(separator)[0]
                if qualifier in ICD9_QUALIFIERS:
                    # Counted for the pointer check so that one finding does not cascade.
                    claim.diagnosis_count += 1
                    issues.append(_issue(seg, "SNIP5", f"claim {claim.pcn}: ICD-9 qualifier {qualifier}"))
                elif qualifier in ICD10_QUALIFIERS:
                    claim.diagnosis_count += 1
                    if codes.ICD10CM_RE.fullmatch(code):
                        claim.diagnoses.append((seg, claim.diagnosis_count, position, code))
                    else:
                        issues.append(
                            _issue(
                                seg,
                                "SNIP5",
                                f"claim {claim.pcn}: {code!r} is not ICD-10-CM",
                                f"HI{position:02d}-2",
                            )
                        )
        elif sid == "SV1" and claim is not None:
            parts = seg.components(1)
            procedure = parts[1] if len(parts) > 1 else ""
            if not codes.PROCEDURE_RE.fullmatch(procedure):
                issues.append(
                    _issue(
                        seg, "SNIP5", f"claim {claim.pcn}: {procedure!r} is not a CPT/HCPCS code", "SV101-2"
                    )
                )
            for modifier in parts[2:6]:
                if modifier and not codes.MODIFIER_RE.fullmatch(modifier):
                    issues.append(
                        _issue(seg, "SNIP5", f"claim {claim.pcn}: bad modifier {modifier!r}", "SV101")
                    )
            charge = decimal_or_none(seg[2])
            if charge is None:
                issues.append(_issue(seg, "SNIP3", f"claim {claim.pcn}: SV102 is not a number", "SV102"))
            else:
                claim.line_total += charge
            claim.pointer_segments.append(seg)
        elif sid == "DTP" and seg[1] == "472" and claim is not None:
            for text in seg[3].split("-"):
                day = ccyymmdd(text)
                if day is None:
                    issues.append(
                        _issue(seg, "SNIP5", f"claim {claim.pcn}: bad service date {text!r}", "DTP03")
                    )
                else:
                    claim.service_dates.append(day)
                if day is not None and file_date is not None and day > file_date:
                    issues.append(
                        _issue(
                            seg,
                            "SNIP5",
                            f"claim {claim.pcn}: service date {text} is after the file date",
                            "DTP03",
                        )
                    )
    close_claim()
    return issues
