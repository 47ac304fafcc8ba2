"""NCCI edits from the imported CMS quarterly files (PTP pairs, MUE values); see gateway.codesets.ncci
for how each edit is applied (modifier indicators 0/1/9, bypass modifiers, MAI 1/2/3, modifier 50)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from gateway.codesets.ncci import LineView, NcciHit, mue_hits, ptp_hits
from gateway.codesets.releases import ReleaseInfo
from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts
from gateway.rules.kinds.base import finding


def loaded_quarter(facts: Facts, kind: Literal["ptp", "mue"]) -> ReleaseInfo | None:
    """The imported quarter in force on the claim's date of service, if any."""
    tables = facts.codesets.ncci if facts.codesets is not None else None
    if tables is None:
        return None
    return tables.ptp_release_for(facts.dos) if kind == "ptp" else tables.mue_release_for(facts.dos)


def ncci_files(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    tables = facts.codesets.ncci if facts.codesets is not None else None
    if tables is None:
        return
    lines = [LineView(line.number, line.code, line.modifiers, line.units, line.date) for line in facts.lines]
    codes = {line.code for line in lines}
    hits: list[NcciHit] = []
    ptp = tables.ptp_release_for(facts.dos)
    if ptp is not None:
        hits += ptp_hits(lines, tables.ptp_edits(ptp, codes), f"NCCI PTP {ptp.name} ({ptp.source})")
    mue = tables.mue_release_for(facts.dos)
    if mue is not None:
        hits += mue_hits(lines, tables.mue_values(mue, codes), f"NCCI MUE {mue.name} ({mue.source})")
    for hit in hits:
        yield finding(rule, hit.message, hit.fix, hit.line, source=hit.source)
