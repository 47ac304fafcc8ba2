"""Rules over the clinical evidence block: conservative care, pain duration, imaging, SCS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from gateway.domain.codes import ImagingGuidance
from gateway.domain.evidence import ConservativeTherapy, LineIntent, TherapyResponse
from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts, Line
from gateway.rules.kinds.base import either, finding, not_stated, plural
from gateway.rules.models import (
    ConservativeCare,
    ImagingRule,
    PainDuration,
    ProvocativeTests,
    ScsRequirements,
)

_FAILED = {TherapyResponse.FAILED, TherapyResponse.PARTIAL}


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for candidate in range(day.day, 27, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


def _covered_days(therapies: list[ConservativeTherapy], until: dt.date) -> int:
    """Days covered by at least one therapy, up to ``until`` (overlaps count once)."""
    spans = sorted(
        (t.start_date, min(t.end_date or until, until)) for t in therapies if t.start_date <= until
    )
    total, current_start, current_end = 0, None, None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).days
    return total


def conservative_care(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ConservativeCare)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    if facts.has_dx(spec.exempt_dx_prefixes):
        return
    therapies = facts.evidence.conservative_therapies
    accepted = [t for t in therapies if t.kind in spec.accepted and t.start_date <= facts.dos]
    if spec.intolerance_suffices and any(t.response is TherapyResponse.NOT_TOLERATED for t in accepted):
        return
    failed = [t for t in accepted if t.response in _FAILED]
    kinds = either([kind.value.replace("_", " ") for kind in spec.accepted])
    ignored = sorted({t.kind.value.replace("_", " ") for t in therapies if t.kind not in spec.accepted})
    aside = f" ({', '.join(ignored)} does not count under this policy)" if ignored else ""
    if spec.min_duration is None:
        if not failed:
            yield finding(
                rule,
                f"No failed conservative care is recorded ({kinds}){aside}.",
                "record the conservative care tried and its outcome in evidence.conservative_therapies",
                lines[0].number,
            )
        return
    need = spec.min_duration.approx_days()
    days = _covered_days(failed, facts.dos)
    if days < need:
        yield finding(
            rule,
            f"The policy needs {spec.min_duration.text()} of failed conservative care ({kinds}) before "
            f"this procedure; the evidence shows {plural(days, 'day')}{aside}.",
            f"document {spec.min_duration.text()} of conservative care (or that it was not tolerated)",
            lines[0].number,
        )


def pain_duration(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, PainDuration)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    if facts.has_dx(spec.exempt_dx_prefixes):
        return
    onset = facts.evidence.pain_onset_date or facts.claim.onset_date
    duration = spec.min_duration
    if onset is None:
        yield finding(
            rule,
            f"The policy needs pain for at least {duration.text()}; no pain onset date is recorded.",
            "record evidence.pain_onset_date",
            lines[0].number,
        )
        return
    if duration.months is not None:
        enough = onset <= months_before(facts.dos, duration.months)
    else:
        enough = (facts.dos - onset).days >= duration.approx_days()
    if not enough:
        yield finding(
            rule,
            f"The policy needs pain for at least {duration.text()}; onset was {onset}, "
            f"{plural((facts.dos - onset).days, 'day')} before the service.",
            "wait until the pain has lasted long enough, or correct the onset date",
            lines[0].number,
        )


def imaging_guidance(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ImagingRule)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    allowed = either([g.value for g in spec.allowed])
    # A code that states its own guidance (0216T: ultrasound; 62322: none) is judged by it: what
    # is billed is what the payer sees, whatever the evidence says.
    for line in lines:
        if line.guidance is not None and line.guidance not in spec.allowed:
            stated = (
                "without imaging guidance"
                if line.guidance is ImagingGuidance.NONE
                else (f"with {line.guidance.value} guidance")
            )
            yield finding(
                rule,
                f"{line.code} is the code for the procedure {stated}; the policy covers {allowed} guidance only.",
                f"bill the code for the {allowed}-guided procedure if that is what was done; otherwise do not "
                "bill it as covered (GA with a signed ABN, GZ without one)",
                line.number,
            )
            return
    used = facts.evidence.imaging_guidance
    if used is None:
        if spec.required:
            yield finding(
                rule,
                f"{lines[0].code} must be done under imaging guidance ({allowed}); none is recorded.",
                "record evidence.imaging_guidance",
                lines[0].number,
            )
        return
    if used in spec.allowed:
        return
    if (
        used is ImagingGuidance.ULTRASOUND
        and spec.ultrasound_if_contrast_contraindicated
        and facts.evidence.contrast_contraindicated
    ):
        return
    if spec.allowed == [ImagingGuidance.NONE]:
        yield finding(
            rule,
            f"{lines[0].code} was done with {used.value} guidance; the policy covers it without imaging "
            "guidance.",
            "do not bill the guidance for this procedure (it is not covered), or correct "
            "evidence.imaging_guidance",
            lines[0].number,
        )
        return
    exception = (
        " (ultrasound only with a documented contrast allergy or pregnancy)"
        if spec.ultrasound_if_contrast_contraindicated
        else ""
    )
    yield finding(
        rule,
        f"{lines[0].code} was done with {used.value} guidance; the policy covers {allowed}{exception}.",
        f"use {allowed} guidance" + (", or document the contrast allergy or pregnancy" if exception else ""),
        lines[0].number,
    )


def provocative_tests(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ProvocativeTests)
    lines = facts.lines_in(rule.codes())
    positive = facts.evidence.provocative_tests_positive
    if lines and (positive is None or positive < spec.min_positive):
        shown = "none are recorded" if positive is None else f"{positive} recorded"
        yield finding(
            rule,
            f"The policy needs at least {spec.min_positive} positive provocative tests; {shown}.",
            "record evidence.provocative_tests_positive (FABER, Gaenslen, thigh thrust, compression, "
            "distraction, Yeoman)",
            lines[0].number,
        )


def _permanent_lines(rule: CompiledRule, facts: Facts) -> tuple[list[Line], list[Line]]:
    """(permanent implant lines, lines whose trial-or-permanent intent is not stated)."""
    permanent: list[Line] = []
    unknown: list[Line] = []
    always = rule.codes("permanent_codes")
    either_way = rule.codes("trial_codes")
    for line in facts.lines:
        if line.code in always and line.intent is not LineIntent.TRIAL:
            permanent.append(line)
        elif line.code in either_way:
            if line.intent is LineIntent.PERMANENT:
                permanent.append(line)
            elif line.intent is None:
                unknown.append(line)
    return permanent, unknown


def scs_requirements(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ScsRequirements)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    first = lines[0].number
    psych = facts.evidence.psych_evaluation
    if spec.psych_evaluation_required:
        if psych is None or psych.date > facts.dos:
            yield finding(
                rule,
                "Spinal cord stimulation needs a psychological evaluation before the trial or implant; "
                "none is recorded.",
                "record evidence.psych_evaluation (date and whether the patient was cleared)",
                first,
            )
        elif not psych.cleared:
            yield finding(
                rule,
                f"The psychological evaluation on {psych.date} did not clear the patient for stimulation.",
                "do not bill the stimulator as covered until the patient is cleared",
                first,
            )
    if spec.min_trial_percent_relief is None:
        return
    permanent, unknown = _permanent_lines(rule, facts)
    if not permanent:
        if unknown:
            yield not_stated(
                rule,
                f"whether line {unknown[0].number} ({unknown[0].code}) is a trial or a permanent implant",
                "a permanent implant needs a successful trial first",
                f"record evidence.lines[] with line {unknown[0].number} and intent trial or permanent",
                unknown[0].number,
            )
        return
    scs = facts.evidence.scs
    replacement = any(line.intent is LineIntent.REPLACEMENT for line in facts.lines) or (
        scs is not None and scs.replacement_reason is not None
    )
    if replacement:
        return  # L35136: a replacement (battery, malfunction, end of life) needs no new trial
    yield from _judge_trial(rule, spec.min_trial_percent_relief, facts, permanent[0].number)


def _judge_trial(rule: CompiledRule, need: Decimal, facts: Facts, number: int) -> Iterator[Finding]:
    scs = facts.evidence.scs
    trials = sorted(
        (t for t in (scs.trials if scs is not None else []) if t.start_date < facts.dos),
        key=lambda t: t.start_date,
    )
    legacy = facts.evidence.stimulator_trial
    if trials:
        trial = trials[-1]
        ended = trial.end_date
        relief, analgesics, function = (
            trial.percent_relief,
            trial.analgesic_reduction_percent,
            trial.functional_improvement,
        )
    elif legacy is not None:
        ended, relief, analgesics, function = legacy.end_date, legacy.percent_relief, None, None
    else:
        ended, relief, analgesics, function = None, None, None, None
    if ended is None or ended > facts.dos:
        yield finding(
            rule,
            "A permanent stimulator needs a completed trial first; no finished trial is recorded.",
            "record the trial in evidence.scs.trials (region, dates, percent relief)",
            number,
        )
        return
    results = [value for value in (relief, analgesics) if value is not None]
    if not results:
        yield not_stated(
            rule,
            f"the result of the trial that ended {ended} (percent pain relief or analgesic reduction)",
            f"a permanent stimulator needs at least {need:g}% relief or analgesic reduction in the trial",
            "record percent_relief or analgesic_reduction_percent in evidence.scs.trials",
            number,
        )
        return
    if max(results) < need:
        shown = f"{relief:g}% relief" if relief is not None else "relief not recorded"
        if analgesics is not None:
            shown += f", {analgesics:g}% less analgesics"
        yield finding(
            rule,
            f"A permanent stimulator needs at least {need:g}% relief in the trial (or {need:g}% less "
            f"analgesics); the trial gave {shown}.",
            "do not implant as covered; record the correct trial result if it was higher",
            number,
        )
        return
    if function is False:
        yield finding(
            rule,
            f"A permanent stimulator needs functional improvement in the trial; the trial that ended {ended} "
            "shows none.",
            "do not implant as covered; record the functional improvement if there was one",
            number,
        )
    elif function is None:
        yield not_stated(
            rule,
            f"whether the trial that ended {ended} improved function",
            "a permanent stimulator needs functional improvement in the trial as well as relief",
            "record functional_improvement in evidence.scs.trials",
            number,
        )
