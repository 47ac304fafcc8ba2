"""What one session may contain: levels, regions, and procedures that may not share it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import REGION_TEXT, Facts, Line
from gateway.rules.kinds.base import finding, plural
from gateway.rules.models import MaxLevels, SameSessionExclusive


def _levels(lines: list[Line]) -> Decimal:
    """Levels in one session: a side's count; bilateral at one level (50, or no side) counts once."""
    right = left = Decimal(0)
    for line in lines:
        levels = line.units * line.levels_per_unit
        if "LT" in line.modifiers and "RT" not in line.modifiers:
            left += levels
        elif "RT" in line.modifiers and "LT" not in line.modifiers:
            right += levels
        else:
            left += levels
            right += levels
    return max(left, right)


def max_levels(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, MaxLevels)
    sessions: dict[tuple[object, str | None], list[Line]] = defaultdict(list)
    for line in facts.lines_in(rule.codes()):
        sessions[(line.date, line.region)].append(line)
    for (_, region), lines in sessions.items():
        levels = _levels(lines)
        documented = len(facts.evidence.levels)
        only_these = all(line.code in rule.codes() for line in facts.lines if line.region is not None)
        if only_these and documented > levels:
            levels = Decimal(documented)
        if levels > spec.max_levels:
            where = f" in the {REGION_TEXT.get(region or '', region)} region" if region else ""
            yield finding(
                rule,
                f"{plural(float(levels), 'level')} of {spec.label}{where} in one session; "
                f"the policy allows at most {spec.max_levels}.",
                f"bill at most {spec.max_levels} level(s) per session; split further levels into another "
                "session only if medically necessary",
                lines[-1].number,
            )


def one_region_per_session(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    regions: dict[object, dict[str, int]] = defaultdict(dict)
    for line in facts.lines_in(rule.codes()):
        if line.region is not None:
            regions[line.date].setdefault(line.region, line.number)
    for day, seen in regions.items():
        if len(seen) > 1:
            names = " and ".join(REGION_TEXT.get(region, region) for region in seen)
            yield finding(
                rule,
                f"One session on {day} treats more than one spinal region ({names}); "
                "the policy allows one region per session.",
                "bill one region per session; treat the other region on another day",
                max(seen.values()),
            )


def same_session_exclusive(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, SameSessionExclusive)
    if spec.unless_synovial_cyst and facts.evidence.synovial_cyst:
        return
    others = rule.codes("not_with")
    firsts = {line.date: line for line in reversed(facts.lines_in(rule.codes()))}
    for line in facts.lines:
        first = firsts.get(line.date)
        if first is not None and line.code in others and line.code != first.code:
            yield finding(
                rule,
                f"{line.code} is billed in the same session as {first.code}: {spec.reason}.",
                "do the procedures in separate sessions, or remove the line"
                + (
                    " (a facet synovial cyst is the exception: record it in the evidence)"
                    if spec.unless_synovial_cyst
                    else ""
                ),
                line.number,
            )
