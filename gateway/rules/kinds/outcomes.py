"""Rules over earlier procedures: session counts, intervals and the relief earlier blocks gave.

Windows are counted back from the claim's first date of service: with ``window_days: 365`` an
earlier session counts when it is at most 365 days before (the "rolling 12 months" of the LCDs,
inclusive at both ends, a convention to be reviewed).  Sessions are distinct dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from gateway.domain.evidence import RepeatChange
from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import REGION_TEXT, Facts, Line, Prior, phase_matches
from gateway.rules.kinds.base import finding, not_stated, plural
from gateway.rules.models import Frequency, MinInterval, PriorRelief

NO_OUTCOME_FIX = "record the percent relief and how long it lasted in evidence.prior_procedures"


def _regions(lines: list[Line], per_region: bool = True) -> dict[str | None, Line]:
    """First line per region (one entry, None, when regions do not matter)."""
    out: dict[str | None, Line] = {}
    for line in lines:
        out.setdefault(line.region if per_region else None, line)
    return out


def _in_region(region: str | None) -> str:
    return f" in the {REGION_TEXT.get(region, region)} region" if region else ""


def frequency(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, Frequency)
    if not phase_matches(spec.phase, facts.diagnostic):
        return
    by_region: dict[str | None, list[Line]] = {}
    for line in facts.lines_in(rule.codes()):
        by_region.setdefault(line.region if spec.per_region else None, []).append(line)
    for region, lines in by_region.items():
        prior_dates = {p.date for p in facts.priors_in(rule.codes(), region, spec.window_days, spec.phase)}
        for line in sorted(lines, key=lambda item: item.date):  # a claim may span several sessions
            earliest = line.date - dt.timedelta(days=spec.window_days) if spec.window_days else dt.date.min
            dates = sorted(
                d for d in prior_dates | {other.date for other in lines} if earliest <= d < line.date
            )
            total = len(dates) + 1
            if total > spec.max_sessions:
                yield _too_many(rule, spec, region, line, dates, total)
                break


def _too_many(
    rule: CompiledRule, spec: Frequency, region: str | None, line: Line, dates: list[dt.date], total: int
) -> Finding:
    window = f" within {spec.window_days} days" if spec.window_days else ""
    earlier = ", ".join(day.isoformat() for day in dates[-6:])
    fix = "do not bill it as covered; with a signed ABN add modifier GA"
    if spec.window_days:
        # The session fits once enough of the oldest sessions have left the window.
        oldest = dates[total - spec.max_sessions - 1]
        frees = oldest + dt.timedelta(days=spec.window_days + 1)
        fix = (
            f"a session is covered again from {frees} (when the one of {oldest} leaves the window); "
            "until then " + fix
        )
    return finding(
        rule,
        f"This would be {spec.label} session {total}{_in_region(region)}{window} "
        f"(earlier: {earlier}); the limit is {spec.max_sessions}.",
        fix,
        line.number,
    )


def _one_per_session(priors: list[Prior]) -> list[Prior]:
    """One earlier procedure per date (a session), preferring the one whose outcome is recorded."""
    best: dict[dt.date, Prior] = {}
    for prior in priors:
        kept = best.get(prior.date)
        if kept is None or (kept.percent_relief is None and prior.percent_relief is not None):
            best[prior.date] = prior
    return sorted(best.values(), key=lambda prior: prior.date, reverse=True)


def min_interval(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, MinInterval)
    if not phase_matches(spec.phase, facts.diagnostic):
        return
    for region, line in _regions(facts.lines_in(rule.codes()), spec.per_region).items():
        priors = facts.priors_in(rule.codes("prior_codes"), region, None, spec.prior_phase)
        if not priors:
            continue
        gap = (facts.dos - priors[0].date).days
        if gap < spec.min_days:
            yield finding(
                rule,
                f"{spec.label} only {plural(gap, 'day')} after the one on {priors[0].date}; "
                f"the policy needs at least {spec.min_days} days.",
                f"schedule it on or after {priors[0].date + dt.timedelta(days=spec.min_days)}",
                line.number,
            )


def prior_relief(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, PriorRelief)
    if not phase_matches(spec.phase, facts.diagnostic):
        return
    unless = rule.codes("unless_prior_codes")
    for region, line in _regions(facts.lines_in(rule.codes())).items():
        if unless and facts.priors_in(unless, region, None):
            continue
        priors = _one_per_session(
            facts.priors_in(rule.codes("prior_codes"), region, spec.window_days, spec.prior_phase)
        )
        if len(priors) < spec.required_priors:
            yield finding(
                rule,
                f"{spec.label} needs {spec.required_priors} earlier block(s){_in_region(region)} with at "
                f"least {spec.min_percent_relief:g}% relief; the evidence and history show {len(priors)}.",
                "record each earlier block with its percent relief in evidence.prior_procedures "
                "(diagnostic: true for diagnostic blocks)",
                line.number,
            )
        for prior in priors[: max(spec.required_priors, 1)]:
            yield from _judge(rule, spec, facts, line, prior)


def _poor_responder(
    rule: CompiledRule, spec: PriorRelief, facts: Facts, line: Line, prior: Prior, what: str
) -> Iterator[Finding]:
    """L39240: after a poor response, a repeat is covered with a documented rationale and a different
    approach, level or medication.  A different code is a different approach; the rest is stated."""
    repeat = facts.evidence.repeat
    changes = set(repeat.changes) if repeat is not None and repeat.changes is not None else None
    if prior.code != line.code:
        changes = (changes or set()) | {RepeatChange.APPROACH}
    rationale = repeat.rationale if repeat is not None else None
    gave = f"{what} gave {prior.percent_relief:g}% relief (below {spec.min_percent_relief:g}%)"
    if changes == set():
        yield finding(
            rule,
            f"{spec.label} after a poor response must change the approach, level or medication; {gave} "
            "and the evidence states that nothing changed.",
            "change the approach, level or medication, or do not bill it as covered (GA with a signed ABN)",
            line.number,
        )
        return
    missing = []
    if changes is None:
        missing.append("what changed since it (level, approach or medication)")
    if not rationale:
        missing.append("the rationale for repeating it")
    if missing:
        yield not_stated(
            rule,
            " and ".join(missing),
            f"{gave}; a poor-responder repeat needs a documented rationale and a change",
            "record evidence.repeat (rationale and changes: level, approach, medication)",
            line.number,
        )


def _judge(
    rule: CompiledRule, spec: PriorRelief, facts: Facts, line: Line, prior: Prior
) -> Iterator[Finding]:
    what = f"the {prior.code} on {prior.date}"
    if prior.percent_relief is None:
        yield finding(
            rule,
            f"{spec.label} depends on the relief {what} gave, and it is not recorded.",
            NO_OUTCOME_FIX,
            line.number,
        )
        return
    if prior.percent_relief < spec.min_percent_relief:
        waited = (facts.dos - prior.date).days
        if spec.poor_responder_min_days is not None and waited >= spec.poor_responder_min_days:
            yield from _poor_responder(rule, spec, facts, line, prior, what)
            return
        yield finding(
            rule,
            f"{spec.label} needs at least {spec.min_percent_relief:g}% relief from {what}; "
            f"it gave {prior.percent_relief:g}%"
            + (
                f" (a poor-responder repeat needs at least {spec.poor_responder_min_days} days)."
                if spec.poor_responder_min_days is not None
                else "."
            ),
            "do not bill it as covered (GA with a signed ABN); record the correct relief if it was higher",
            line.number,
        )
        return
    duration = spec.min_relief_duration
    if duration is not None and (prior.relief_days is None or prior.relief_days < duration.approx_days()):
        lasted = "is not recorded" if prior.relief_days is None else f"was {plural(prior.relief_days, 'day')}"
        yield finding(
            rule,
            f"{spec.label} needs the relief from {what} to last at least {duration.text()} "
            f"({duration.approx_days()} days); it {lasted}.",
            NO_OUTCOME_FIX if prior.relief_days is None else "wait until the relief criterion is met",
            line.number,
        )
