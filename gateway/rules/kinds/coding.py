"""Coding edits: non-covered codes, modifiers, bilateral coding, MUE units, NCCI PTP pairs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from gateway.domain.findings import Finding, Severity
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts, phase_matches
from gateway.rules.kinds.base import either, finding
from gateway.rules.kinds.ncci_files import loaded_quarter
from gateway.rules.models import (
    BilateralNotAllowed,
    ModifierConflict,
    ModifierNotAllowed,
    ModifierRequired,
    NoncoveredCode,
    PtpEdits,
    UnitLimit,
)

BILATERAL = "50"


def noncovered_code(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, NoncoveredCode)
    for line in facts.lines_in(rule.codes()):
        declared = line.modifiers & set(spec.liability_modifiers)
        if declared:
            yield finding(
                rule,
                f"{line.code} {spec.reason}; expect a denial (modifier {either(sorted(declared))} declares it).",
                "make sure the ABN is on file when the modifier is GA",
                line.number,
                severity=Severity.WARNING,
            )
            continue
        yield finding(
            rule,
            f"{line.code} {spec.reason}.",
            "remove the line; if it is still performed, add GA with a signed ABN (GZ without one)",
            line.number,
        )


def modifier_not_allowed(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ModifierNotAllowed)
    banned = set(spec.modifiers)
    for line in facts.lines_in(rule.codes()):
        for modifier in sorted(line.modifiers & banned):
            yield finding(
                rule,
                f"Modifier {modifier} on {line.code}: {spec.reason}.",
                f"remove modifier {modifier}",
                line.number,
            )


def modifier_conflict(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ModifierConflict)
    for line in facts.lines_in(rule.codes()):
        clash = line.modifiers & set(spec.not_with)
        if spec.modifier in line.modifiers and clash:
            yield finding(
                rule,
                f"{line.code} carries modifier {spec.modifier} together with {either(sorted(clash))}: "
                f"{spec.reason}.",
                f"keep {spec.modifier} alone, or drop it and bill {either(sorted(clash))}",
                line.number,
            )


def modifier_required(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ModifierRequired)
    if not phase_matches(spec.when, facts.diagnostic):
        return
    wanted = set(spec.any_of)
    for line in facts.lines_in(rule.codes()):
        if not line.modifiers & wanted:
            yield finding(
                rule,
                f"{line.code} needs modifier {either(spec.any_of)}: {spec.reason}.",
                f"add modifier {either(spec.any_of)}",
                line.number,
            )


def bilateral_not_allowed(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, BilateralNotAllowed)
    lines = facts.lines_in(rule.codes())
    for line in lines:
        if BILATERAL in line.modifiers:
            yield finding(
                rule,
                f"{line.code} is billed bilateral (modifier 50): {spec.reason}.",
                "bill one side only (RT or LT) and document the side treated",
                line.number,
            )
            return
    sides: dict[tuple[object, str], set[str]] = defaultdict(set)
    for line in lines:
        sides[(line.date, line.code)] |= line.modifiers & {"RT", "LT"}
    for (_, code), seen in sides.items():
        if seen == {"RT", "LT"}:
            number = max(line.number for line in lines if line.code == code)
            yield finding(
                rule,
                f"{code} is billed for both sides (RT and LT) in one session: {spec.reason}.",
                "bill one side only and document the side treated",
                number,
            )
            return
    if lines and facts.evidence.laterality is not None and facts.evidence.laterality.value == "bilateral":
        yield finding(
            rule,
            f"The evidence records a bilateral {lines[0].code}: {spec.reason}.",
            "correct the laterality in the evidence, or do not bill the procedure as covered",
            lines[0].number,
        )


def max_units(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, UnitLimit)
    if spec.mai is not None and loaded_quarter(facts, "mue") is not None:
        return  # the imported CMS MUE quarter replaces hand-typed MUE values (ncci_files)
    kind = f"MUE (MAI {spec.mai})" if spec.mai else "unit limit"
    if spec.per == "line":
        for line in facts.lines_in(rule.codes()):
            limit = spec.limits[line.code]
            if line.units > limit:
                yield finding(
                    rule,
                    f"{line.code} is billed with {line.units:g} units on one line; the {kind} is {limit}.",
                    f"bill at most {limit} unit(s) on the line",
                    line.number,
                )
        return
    per_day: dict[tuple[object, str], Decimal] = defaultdict(Decimal)
    last_line: dict[tuple[object, str], int] = {}
    for line in facts.lines_in(rule.codes()):
        key = (line.date, line.code)
        per_day[key] += line.units
        last_line[key] = line.number
    for (day, code), units in per_day.items():
        limit = spec.limits[code]
        if units > limit:
            yield finding(
                rule,
                f"{code} adds up to {units:g} units on {day}; the {kind} per day is {limit}.",
                f"bill at most {limit} unit(s) of {code} per day",
                last_line[(day, code)],
            )


def ptp(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, PtpEdits)
    if loaded_quarter(facts, "ptp") is not None:
        return  # the imported CMS PTP quarter replaces hand-typed pairs (ncci_files)
    bypass = set(spec.bypass_modifiers)
    by_day: dict[object, list[tuple[str, int, frozenset[str]]]] = defaultdict(list)
    for line in facts.lines:
        by_day[line.date].append((line.code, line.number, line.modifiers))
    for index, pair in enumerate(spec.pairs):
        if pair.effective is not None and facts.dos < pair.effective:
            continue
        column2 = rule.codes(f"ptp{index}")
        for day_lines in by_day.values():
            if not any(code == pair.column1 for code, _, _ in day_lines):
                continue
            for code, number, modifiers in day_lines:
                if code not in column2:
                    continue
                if pair.ccmi == 0:
                    yield finding(
                        rule,
                        f"{code} is bundled into {pair.column1} on the same day (NCCI PTP, modifier "
                        "indicator 0: never paid together, no modifier bypasses it).",
                        f"remove {code}, or bill it on another date of service if it was done separately",
                        number,
                    )
                elif not modifiers & bypass:
                    yield finding(
                        rule,
                        f"{code} with {pair.column1} on the same day is an NCCI pair; it is paid only as a "
                        "distinct procedure.",
                        f"add modifier {either(sorted(bypass - {'59'}))} (59 only if none fits) when the "
                        "documentation shows a distinct site or session",
                        number,
                    )
