"""What the rules look at, worked out once per claim: lines with their catalogue entry, and the
patient's earlier procedures merged from the store (dates, codes) and the evidence block
(dates, codes and outcomes).

An earlier service counts once per (date, code): the evidence entry wins because it carries
the outcome.  Whether an earlier block was diagnostic comes from the evidence, or from a KX
modifier on the stored line (the articles ask for KX on diagnostic facet/SNRB blocks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from gateway.codesets.sets import CodeSets
from gateway.domain.claim import Claim
from gateway.domain.codes import ImagingGuidance, SpinalRegion
from gateway.domain.evidence import ClinicalEvidence, LineIntent
from gateway.domain.history import History
from gateway.rules.config import Procedure

if TYPE_CHECKING:
    from gateway.rules.compiled import CompiledRule
    from gateway.rules.kinds.documentation import ElementCheck

_EVIDENCE_REGION = {
    SpinalRegion.CERVICAL: "cervical_thoracic",
    SpinalRegion.THORACIC: "cervical_thoracic",
    SpinalRegion.LUMBAR: "lumbar_sacral",
    SpinalRegion.SACRAL: "lumbar_sacral",
    SpinalRegion.SACROILIAC: "sacroiliac",
}
DIAGNOSTIC_MODIFIER = "KX"
REGION_TEXT = {
    "cervical_thoracic": "cervical/thoracic",
    "lumbar_sacral": "lumbar/sacral",
    "sacroiliac": "sacroiliac",
}


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    code: str
    modifiers: frozenset[str]
    units: Decimal
    date: dt.date
    place_of_service: str
    dx: tuple[str, ...]
    region: str | None
    levels_per_unit: int
    intent: LineIntent | None = None
    guidance: ImagingGuidance | None = None  # what the code itself states


@dataclass(frozen=True, slots=True)
class Prior:
    date: dt.date
    code: str
    region: str | None
    diagnostic: bool | None
    percent_relief: Decimal | None
    relief_days: int | None
    from_evidence: bool
    levels: tuple[str, ...] = ()
    successful: bool | None = None
    relief_hours: Decimal | None = None
    agent: str | None = None
    function_percent: Decimal | None = None
    synovial_cyst: bool | None = None


def phase_matches(phase: str, diagnostic: bool | None) -> bool:
    """'diagnostic' needs a known diagnostic block; anything not marked diagnostic is therapeutic."""
    if phase == "any":
        return True
    if phase == "diagnostic":
        return diagnostic is True
    return diagnostic is not True


class Facts:
    __slots__ = (
        "catalog",
        "claim",
        "codes",
        "codesets",
        "diagnostic",
        "documented",
        "dos",
        "evidence",
        "lines",
        "priors",
        "state",
    )

    def __init__(
        self,
        claim: Claim,
        history: History,
        catalog: Mapping[str, Procedure],
        codesets: CodeSets | None = None,
    ) -> None:
        self.claim = claim
        # The imported code sets (NCCI quarters) the ncci_files kind reads; None: none loaded.
        self.codesets = codesets
        self.catalog = catalog
        self.evidence: ClinicalEvidence = claim.evidence
        self.dos = claim.first_service_date
        self.state = claim.payer.state or claim.billing_provider.address.state
        self.lines = tuple(_lines(claim, catalog))
        self.codes = frozenset(line.code for line in self.lines)
        self.priors = _priors(claim, history, catalog, self.dos)
        flag = self.evidence.diagnostic_block
        intents = {line.intent for line in self.lines}
        if flag is None and LineIntent.DIAGNOSTIC in intents:
            flag = True
        if flag is None and LineIntent.THERAPEUTIC in intents:
            flag = False
        if flag is None and any(DIAGNOSTIC_MODIFIER in line.modifiers for line in self.lines):
            flag = True
        self.diagnostic = flag
        # Documentation rules' element checks by (rule, performed): the engine's check and the
        # completeness review of the same screening read them (gateway.rules.kinds.documentation).
        self.documented: dict[tuple[int, bool], tuple[CompiledRule, list[ElementCheck]]] = {}

    def has_dx(self, prefixes: list[str]) -> bool:
        """Whether any ICD-10 code of the claim starts with one of ``prefixes`` (an exemption)."""
        return bool(prefixes) and any(code.startswith(tuple(prefixes)) for code in self.claim.diagnosis_codes)

    def lines_in(self, codes: frozenset[str]) -> list[Line]:
        if "*" in codes:
            return list(self.lines)
        return [line for line in self.lines if line.code in codes]

    def priors_in(
        self, codes: frozenset[str], region: str | None, window_days: int | None, phase: str = "any"
    ) -> list[Prior]:
        """Earlier procedures (newest first) in ``codes``, same region, inside the look-back window."""
        earliest = self.dos - dt.timedelta(days=window_days) if window_days is not None else dt.date.min
        return [
            prior
            for prior in self.priors
            if prior.code in codes
            and earliest <= prior.date
            and (region is None or prior.region is None or prior.region == region)
            and phase_matches(phase, prior.diagnostic)
        ]


def _lines(claim: Claim, catalog: Mapping[str, Procedure]) -> Iterable[Line]:
    dx = claim.diagnosis_codes
    intents = {item.line: item.intent for item in claim.evidence.lines}
    for number, line in enumerate(claim.service_lines, start=1):
        proc = catalog.get(line.procedure_code)
        yield Line(
            number=number,
            code=line.procedure_code,
            modifiers=frozenset(line.modifiers),
            units=line.units,
            date=line.service_date,
            place_of_service=line.place_of_service or claim.place_of_service,
            dx=tuple(dx[pointer - 1] for pointer in line.diagnosis_pointers),
            region=proc.region if proc is not None else None,
            levels_per_unit=proc.levels_per_unit if proc is not None else 1,
            intent=intents.get(number),
            guidance=proc.guidance if proc is not None else None,
        )


def _priors(
    claim: Claim, history: History, catalog: Mapping[str, Procedure], dos: dt.date
) -> tuple[Prior, ...]:
    merged: dict[tuple[dt.date, str], Prior] = {}
    for service in history.services:
        if service.service_date >= dos:
            continue  # same day is this session; later days are not "earlier"
        proc = catalog.get(service.procedure_code)
        merged[(service.service_date, service.procedure_code)] = Prior(
            date=service.service_date,
            code=service.procedure_code,
            region=proc.region if proc is not None else None,
            diagnostic=True if DIAGNOSTIC_MODIFIER in service.modifiers else None,
            percent_relief=None,
            relief_days=None,
            from_evidence=False,
        )
    for done in claim.evidence.prior_procedures:
        if done.date >= dos:
            continue
        proc = catalog.get(done.procedure_code)
        region = proc.region if proc is not None and proc.region else _EVIDENCE_REGION.get(done.region)
        merged[(done.date, done.procedure_code)] = Prior(
            date=done.date,
            code=done.procedure_code,
            region=region,
            diagnostic=done.diagnostic,
            percent_relief=done.percent_relief,
            relief_days=done.relief_duration_days,
            from_evidence=True,
            levels=tuple(done.levels),
            successful=done.successful,
            relief_hours=done.relief_duration_hours,
            agent=done.anesthetic_agent,
            function_percent=done.functional_improvement_percent,
            synovial_cyst=done.synovial_cyst,
        )
    return tuple(sorted(merged.values(), key=lambda prior: prior.date, reverse=True))
