"""Rules over what the LCDs' indications and limits decide on: exam findings, sedation, muscles'
regions, blocks after an ablation, relief in hours, stimulator trials, site of service, hardware.

Every fact is read from the evidence block and may be unknown (None).  A rule never guesses an
unknown fact: it says "Not stated: ..." (a documentation warning naming the evidence field), and
a fact that is stated and fails the policy is a finding of the rule's own severity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gateway.domain.evidence import LineIntent, TherapyKind, TherapyResponse
from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts, Line, phase_matches
from gateway.rules.kinds.base import either, finding, not_stated, plural
from gateway.rules.kinds.clinical import months_before
from gateway.rules.models import (
    BlockAfterAblation,
    ClinicalFindings,
    CystRepeat,
    HardwareLimits,
    OneMuscleRegion,
    PriorFunction,
    ReliefHours,
    ScsTrials,
    SedationRule,
    SiteOfService,
)

NO_GUARANTEE = (
    "do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong"
)


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact a ``clinical_findings`` rule may name: what it is called and where it is stated."""

    label: str  # as the LCD says it, e.g. "radicular findings"
    path: str  # the evidence field to fill
    read: Callable[[Facts], bool | None]
    denied: str = ""  # what a false value states, when "no <label>" reads wrong

    @property
    def absent(self) -> str:
        # "no a taut band" reads wrong: the label's article goes ("no taut band").
        return self.denied or "no " + self.label.removeprefix("an ").removeprefix("a ")


def _in(block: str, name: str) -> Callable[[Facts], bool | None]:
    """Reader of ``evidence.<block>.<name>``: None when the block itself is not stated."""

    def read(facts: Facts) -> bool | None:
        part = getattr(facts.evidence, block)
        return None if part is None else getattr(part, name)

    return read


def _concordant_imaging(facts: Facts) -> bool | None:
    evidence = facts.evidence
    reports = evidence.imaging_reports
    if not reports:
        return None
    return any(report.concordant_with_diagnosis for report in reports)


def _conservative_failed(facts: Facts) -> bool | None:
    """True when some conservative care failed or was not tolerated; None when none is listed."""
    evidence = facts.evidence
    therapies = evidence.conservative_therapies
    if not therapies:
        return None
    failed = {TherapyResponse.FAILED, TherapyResponse.PARTIAL, TherapyResponse.NOT_TOLERATED}
    return any(therapy.response in failed for therapy in therapies)


def _active_rehab(facts: Facts) -> bool | None:
    """True when physical therapy or a home exercise program goes on at the date of service.

    Never False: an evidence list without one does not show that there is none (not stated).
    """
    evidence = facts.evidence
    rehab = {TherapyKind.PHYSICAL_THERAPY, TherapyKind.HOME_EXERCISE}
    for therapy in evidence.conservative_therapies:
        if therapy.kind in rehab and therapy.end_date is None:
            return True
    return None


def _thermal_ablation(facts: Facts) -> bool | None:
    """Thermal RF at >= 80 C (L38773 denies chemical, low-grade thermal < 80 C, laser, cryo)."""
    evidence = facts.evidence
    ablation = evidence.ablation
    if ablation is None:
        return None
    if ablation.technique != "thermal_rf":
        return False
    return None if ablation.temperature_c is None else ablation.temperature_c >= 80


def _rfa_not_possible(facts: Facts) -> bool | None:
    """RF ablation cannot be done, with the reason documented (None when either is not stated)."""
    evidence = facts.evidence
    stated = evidence.rfa_contraindication
    if stated is None:
        return None
    if not stated.contraindicated:
        return False
    return True if stated.reason else None


def _psych_cleared(facts: Facts) -> bool | None:
    evidence = facts.evidence
    return None if evidence.psych_evaluation is None else evidence.psych_evaluation.cleared


def _series_beyond_12_months(family: str) -> Callable[[Facts], bool | None]:
    """The family's injections in the region went on for more than 12 months: an earlier one more
    than 365 days before the service and another within the last 365 days (the series did not stop).
    """

    def read(facts: Facts) -> bool | None:
        regions = {line.region for line in facts.lines if _family(facts, line.code) == family}
        year_ago = facts.dos - dt.timedelta(days=365)
        dates = [p.date for p in facts.priors if _family(facts, p.code) == family and p.region in regions]
        return any(day < year_ago for day in dates) and any(day >= year_ago for day in dates)

    return read


def _family(facts: Facts, code: str) -> str | None:
    procedure = facts.catalog.get(code)
    return procedure.family if procedure is not None else None


def _continuation(name: str) -> Callable[[Facts], bool | None]:
    def read(facts: Facts) -> bool | None:
        stated = facts.evidence.continuation
        value = None if stated is None else getattr(stated, name)
        return (True if value else None) if isinstance(value, str) or value is None else value

    return read


FACTS: dict[str, Fact] = {
    "radicular_findings": Fact(
        "radicular findings", "evidence.exam.radicular_findings", _in("exam", "radicular_findings")
    ),
    "neurogenic_claudication": Fact(
        "neurogenic claudication",
        "evidence.exam.neurogenic_claudication",
        _in("exam", "neurogenic_claudication"),
    ),
    "predominantly_axial": Fact(
        "predominantly axial pain", "evidence.exam.predominantly_axial", _in("exam", "predominantly_axial")
    ),
    "facet_loading_pain": Fact(
        "pain on facet loading", "evidence.exam.facet_loading_pain", _in("exam", "facet_loading_pain")
    ),
    "untreated_radiculopathy": Fact(
        "untreated radiculopathy or neurogenic claudication",
        "evidence.exam.untreated_radiculopathy",
        _in("exam", "untreated_radiculopathy"),
    ),
    "other_causes_excluded": Fact(
        "other causes of the pain excluded",
        "evidence.exam.other_causes_excluded",
        _in("exam", "other_causes_excluded"),
    ),
    "sij_pain_location": Fact(
        "pain over the SI joint below L5", "evidence.exam.sij_pain_location", _in("exam", "sij_pain_location")
    ),
    "psychiatric_conditions_stabilized": Fact(
        "psychiatric conditions stabilized",
        "evidence.exam.psychiatric_conditions_stabilized",
        _in("exam", "psychiatric_conditions_stabilized"),
        denied="psychiatric conditions that are not stabilized",
    ),
    "fibromyalgia_or_centralized_pain": Fact(
        "fibromyalgia or centralized pain",
        "evidence.exam.fibromyalgia_or_centralized_pain",
        _in("exam", "fibromyalgia_or_centralized_pain"),
    ),
    "prior_alif_at_level": Fact(
        "an anterior lumbar interbody fusion at the level",
        "evidence.exam.prior_alif_at_level",
        _in("exam", "prior_alif_at_level"),
    ),
    "cyst_root_compression_on_imaging": Fact(
        "nerve root compression by the cyst on imaging",
        "evidence.exam.cyst_root_compression_on_imaging",
        _in("exam", "cyst_root_compression_on_imaging"),
    ),
    "spinal_or_systemic_infection": Fact(
        "a spinal or systemic infection",
        "evidence.exam.spinal_or_systemic_infection",
        _in("exam", "spinal_or_systemic_infection"),
    ),
    "compressive_lesion": Fact(
        "a compressive lesion of cord, conus or cauda",
        "evidence.exam.compressive_lesion",
        _in("exam", "compressive_lesion"),
    ),
    "suspected_cancer": Fact(
        "suspected cancer", "evidence.exam.suspected_cancer", _in("exam", "suspected_cancer")
    ),
    "synovial_cyst": Fact(
        "a facet synovial cyst", "evidence.synovial_cyst", lambda facts: facts.evidence.synovial_cyst
    ),
    "concordant_imaging": Fact(
        "concordant imaging", "evidence.imaging_reports[].concordant_with_diagnosis", _concordant_imaging
    ),
    "conservative_care_failed": Fact(
        "failed conservative care", "evidence.conservative_therapies", _conservative_failed
    ),
    "active_rehab": Fact(
        "an active rehabilitation or home exercise program (ongoing)",
        "evidence.conservative_therapies (physical_therapy or home_exercise without end_date)",
        _active_rehab,
    ),
    "focal_muscle_pain": Fact(
        "focal skeletal muscle pain",
        "evidence.trigger_points.focal_muscle_pain",
        _in("trigger_points", "focal_muscle_pain"),
    ),
    "hyperirritable_spot": Fact(
        "a hyperirritable spot",
        "evidence.trigger_points.hyperirritable_spot",
        _in("trigger_points", "hyperirritable_spot"),
    ),
    "taut_band": Fact("a taut band", "evidence.trigger_points.taut_band", _in("trigger_points", "taut_band")),
    "referred_pain": Fact(
        "referred pain", "evidence.trigger_points.referred_pain", _in("trigger_points", "referred_pain")
    ),
    "palpable_nodule": Fact(
        "a palpable nodule or hypersensitive bundle",
        "evidence.trigger_points.palpable_nodule",
        _in("trigger_points", "palpable_nodule"),
    ),
    "movement_limited": Fact(
        "limited joint or limb movement",
        "evidence.trigger_points.movement_limited",
        _in("trigger_points", "movement_limited"),
    ),
    "needed_for_diagnosis": Fact(
        "injection needed for diagnosis",
        "evidence.trigger_points.needed_for_diagnosis",
        _in("trigger_points", "needed_for_diagnosis"),
    ),
    "local_anesthetic_only": Fact(
        "local anesthetic only",
        "evidence.injectate.local_anesthetic_only",
        _in("injectate", "local_anesthetic_only"),
        denied="an injectate other than local anesthetic",
    ),
    "biologic_injectate": Fact(
        "a biologic injectate", "evidence.injectate.biologic", _in("injectate", "biologic")
    ),
    "thermal_ablation": Fact(
        "thermal RF ablation at 80 C or more",
        "evidence.ablation (technique, temperature_c)",
        _thermal_ablation,
        denied="an ablation other than thermal RF at 80 C or more",
    ),
    "rfa_not_possible": Fact(
        "why RF ablation cannot be done",
        "evidence.rfa_contraindication (contraindicated, reason)",
        _rfa_not_possible,
        denied="that RF ablation can be done",
    ),
    "multidisciplinary_screening": Fact(
        "a multidisciplinary screening",
        "evidence.scs.multidisciplinary_screening",
        _in("scs", "multidisciplinary_screening"),
    ),
    "physical_evaluation": Fact(
        "a physical evaluation", "evidence.scs.physical_evaluation", _in("scs", "physical_evaluation")
    ),
    "active_substance_abuse": Fact(
        "active substance abuse", "evidence.scs.active_substance_abuse", _in("scs", "active_substance_abuse")
    ),
    "esi_series_beyond_12_months": Fact(
        "ESI in the region for more than 12 months", "history", _series_beyond_12_months("esi")
    ),
    "sij_series_beyond_12_months": Fact(
        "SI joint injections for more than 12 months", "history", _series_beyond_12_months("sij")
    ),
    "severe_disability": Fact(
        "a severe functional or vocational disability",
        "evidence.continuation.severe_disability",
        _continuation("severe_disability"),
        denied="no severe functional or vocational disability",
    ),
    "continuation_rationale": Fact(
        "the rationale for continuing (high surgical risk, surgery declined, or recurrence relieved >= 3 months)",
        "evidence.continuation.rationale",
        _continuation("rationale"),
    ),
    "pcp_notified": Fact(
        "that the primary care physician was notified",
        "evidence.continuation.pcp_notified",
        _continuation("pcp_notified"),
        denied="that the primary care physician was not notified",
    ),
    "psych_cleared": Fact("psychological clearance", "evidence.psych_evaluation", _psych_cleared),
}


def _none_of_these(names: list[str]) -> str:
    return " and ".join(FACTS[name].absent for name in names)


def clinical_findings(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ClinicalFindings)
    lines = facts.lines_in(rule.codes())
    if not lines or not phase_matches(spec.when, facts.diagnostic):
        return
    if facts.has_dx(spec.exempt_dx_prefixes):
        return
    value = {name: FACTS[name].read(facts) for name in _named(spec)}
    if any(value[name] is not True for name in spec.only_if) or any(
        value[name] is True for name in spec.unless
    ):
        return
    failed: list[str] = []
    unknown: list[str] = []  # one entry per requirement: "a and b", "c or d"
    fields: list[str] = []

    def unstated(names: list[str], joiner: str) -> None:
        if names:
            labels = [FACTS[name].label for name in names]
            unknown.append(
                labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" {joiner} " + labels[-1]
            )
            fields.extend(FACTS[name].path for name in names)

    unstated([name for name in spec.all_of if value[name] is None], "and")
    failed.extend(FACTS[name].absent for name in spec.all_of if value[name] is False)
    if spec.any_of and not any(value[name] is True for name in spec.any_of):
        if all(value[name] is False for name in spec.any_of):
            failed.append(_none_of_these(spec.any_of))
        else:
            unstated([name for name in spec.any_of if value[name] is None], "or")
    failed.extend(FACTS[name].label for name in spec.none_of if value[name] is True)
    unstated([name for name in spec.none_of if value[name] is None], "and")
    if spec.at_least is not None:
        trues = sum(value[name] is True for name in spec.at_least.of)
        nones = [name for name in spec.at_least.of if value[name] is None]
        if trues + len(nones) < spec.at_least.count:
            failed.append(
                f"only {trues} of {spec.at_least.count} needed ({', '.join(FACTS[n].label for n in spec.at_least.of)})"
            )
        elif trues < spec.at_least.count:
            unstated(nones, "or")
    first = lines[0].number
    if failed:
        yield finding(
            rule,
            f"{_capital(spec.reason)}; the evidence states {'; '.join(failed)}.",
            NO_GUARANTEE,
            first,
        )
        return
    if unknown and spec.unstated == "warn":
        yield not_stated(
            rule,
            "; ".join(unknown),
            spec.reason,
            "record " + ", ".join(dict.fromkeys(fields)),
            first,
        )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _named(spec: ClinicalFindings) -> list[str]:
    names = [*spec.all_of, *spec.any_of, *spec.none_of, *spec.only_if, *spec.unless]
    if spec.at_least is not None:
        names.extend(spec.at_least.of)
    return names


def sedation(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, SedationRule)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    given = facts.evidence.sedation
    if given is None:
        billed = [line for line in facts.lines if line.code in rule.codes("sedation_codes")]
        if billed:
            yield not_stated(
                rule,
                f"the sedation given (line {billed[0].number} bills {billed[0].code})",
                spec.reason,
                "record evidence.sedation (and evidence.sedation_reason when moderate or deeper)",
                billed[0].number,
            )
        return
    if given in spec.allowed:
        return
    if given in spec.with_documented_need and facts.evidence.sedation_reason:
        return
    allowed = either([level.value for level in spec.allowed])
    need = (
        f"; {either([level.value for level in spec.with_documented_need])} only with a documented need"
        if spec.with_documented_need
        else ""
    )
    yield finding(
        rule,
        f"{_capital(given.value)} sedation with {lines[0].code}: {spec.reason} (allowed: {allowed}{need}).",
        "do not bill the sedation as covered"
        + (
            ", or record the documented need in evidence.sedation_reason"
            if given in spec.with_documented_need
            else ""
        ),
        lines[0].number,
    )


def one_muscle_region(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, OneMuscleRegion)
    sessions: dict[dt.date, list[Line]] = {}
    for line in facts.lines_in(rule.codes()):
        sessions.setdefault(line.date, []).append(line)
    for day, lines in sessions.items():
        regions: dict[str, int] = {}
        unnamed: list[Line] = []
        for line in lines:
            stated = facts.evidence.line_evidence(line.number)
            if stated is None or not stated.muscle_regions:
                unnamed.append(line)
                continue
            for region in stated.muscle_regions:
                regions.setdefault(region.strip().lower(), line.number)
        if len(regions) > 1:
            yield finding(
                rule,
                f"Trigger point injections on {day} treat muscles in {len(regions)} anatomic regions "
                f"({', '.join(sorted(regions))}); the policy does not cover multiple muscle groups in "
                "different anatomic regions in one session.",
                "inject one anatomic region per session; treat the other region on another day",
                max(regions.values()),
            )
        elif unnamed:
            yield not_stated(
                rule,
                f"the anatomic region of each muscle injected on line {unnamed[0].number}",
                "muscles in different anatomic regions may not be injected in one session",
                f"record evidence.lines[] with line {unnamed[0].number} and its muscle_regions",
                unnamed[0].number,
            )


def _levels_overlap(these: list[str], those: tuple[str, ...]) -> bool:
    def norm(level: str) -> str:
        return level.upper().replace(" ", "")

    return bool({norm(level) for level in these} & {norm(level) for level in those})


def block_after_ablation(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, BlockAfterAblation)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    line = lines[0]
    since = months_before(facts.dos, spec.months)
    for prior in facts.priors_in(rule.codes("prior_codes"), line.region, None):
        if prior.date <= since:
            continue  # the policy repeats the diagnostics once this long has passed
        what = f"the {prior.code} on {prior.date}"
        success = prior.successful
        if success is None and prior.percent_relief is not None:
            success = prior.percent_relief >= spec.success_percent_relief
        levels = facts.evidence.levels
        if success is False:
            continue
        if success is None or not levels or not prior.levels:
            missing = []
            if success is None:
                missing.append(
                    f"whether {what} succeeded (evidence.prior_procedures[].successful or percent_relief)"
                )
            if not levels:
                missing.append("the levels of this block (evidence.levels)")
            if not prior.levels:
                missing.append(f"the levels of {what} (evidence.prior_procedures[].levels)")
            yield not_stated(
                rule,
                "; ".join(missing),
                f"{spec.label} is not covered at the level of a successful ablation in the last {spec.months} months",
                "record " + "; ".join(missing),
                line.number,
            )
            return
        if _levels_overlap(levels, prior.levels):
            yield finding(
                rule,
                f"{spec.label} at {', '.join(levels)}, where {what} succeeded; the policy does not cover a "
                f"diagnostic block at the level of a successful ablation (repeat diagnostics only "
                f"{spec.months} months after it).",
                f"do not repeat the block at that level within {spec.months} months of {prior.date}; "
                "block another level only if the record shows a different pain source",
                line.number,
            )
            return


def relief_hours(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ReliefHours)
    lines = facts.lines_in(rule.codes())
    if not lines or not phase_matches(spec.phase, facts.diagnostic):
        return
    region = lines[0].region
    for prior in facts.priors_in(rule.codes("prior_codes"), region, spec.window_days, spec.prior_phase):
        if not prior.from_evidence:
            continue  # a stored line has no outcome at all: prior_relief rules report that
        missing = []
        if prior.relief_hours is None:
            missing.append("how many hours the relief lasted")
        if prior.agent is None:
            missing.append("the anesthetic agent")
        if missing:
            yield not_stated(
                rule,
                f"{' and '.join(missing)} for the {prior.code} on {prior.date}",
                f"{spec.label}: an anesthetic block's relief is judged against how long its agent acts",
                "record relief_duration_hours and anesthetic_agent in evidence.prior_procedures",
                lines[0].number,
            )
            return


def scs_trials(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, ScsTrials)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    trial_lines = [line for line in lines if line.intent is LineIntent.TRIAL]
    unknown = [line for line in lines if line.intent is None]
    if not trial_lines:
        if unknown:
            yield not_stated(
                rule,
                f"whether line {unknown[0].number} ({unknown[0].code}) is a trial or a permanent implant",
                f"at most {spec.max_trials} stimulator trials per spinal region per lifetime",
                f"record evidence.lines[] with line {unknown[0].number} and intent trial or permanent",
                unknown[0].number,
            )
        return
    region = facts.evidence.region
    if region is None:
        yield not_stated(
            rule,
            "the spinal region of this stimulator trial",
            f"at most {spec.max_trials} trials per spinal region per lifetime",
            "record evidence.region",
            trial_lines[0].number,
        )
        return
    trials = facts.evidence.scs.trials if facts.evidence.scs is not None else []
    earlier = sorted({t.start_date for t in trials if t.region == region and t.start_date < facts.dos})
    if len(earlier) + 1 > spec.max_trials:
        yield finding(
            rule,
            f"This would be stimulator trial {len(earlier) + 1} in the {region.value} region "
            f"(earlier: {', '.join(day.isoformat() for day in earlier)}); the policy allows at most "
            f"{spec.max_trials} per spinal region per lifetime.",
            "do not bill the trial as covered unless a technical limitation or a new modality applies; "
            "document which",
            trial_lines[0].number,
        )


def site_of_service(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, SiteOfService)
    always = rule.codes("always_intent_codes")
    for line in facts.lines_in(rule.codes()):
        if line.code not in always and line.intent not in spec.intents:
            continue
        if line.place_of_service in spec.places_of_service:
            continue
        yield finding(
            rule,
            f"{line.code} on line {line.number} is a {either([i.value for i in spec.intents])} implant in "
            f"place of service {line.place_of_service}: {spec.reason}.",
            f"perform it in place of service {either(spec.places_of_service)}, or correct the place of service",
            line.number,
        )
        return


def hardware_limits(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, HardwareLimits)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    scs = facts.evidence.scs
    leads = scs.leads if scs is not None else None
    contacts = scs.contacts if scs is not None else None
    if leads is None and contacts is None:
        yield not_stated(
            rule,
            "the number of leads and contacts",
            f"at most {plural(spec.max_leads or 0, 'lead')} / {spec.max_contacts} contacts",
            "record evidence.scs.leads and evidence.scs.contacts",
            lines[0].number,
        )
        return
    over = []
    if spec.max_leads is not None and leads is not None and leads > spec.max_leads:
        over.append(f"{plural(leads, 'lead')} (limit {spec.max_leads})")
    if spec.max_contacts is not None and contacts is not None and contacts > spec.max_contacts:
        over.append(f"{plural(contacts, 'contact')} (limit {spec.max_contacts})")
    if over:
        yield finding(
            rule,
            f"The stimulator uses {' and '.join(over)}; the policy covers at most "
            f"{spec.max_leads} leads / {spec.max_contacts} contacts.",
            "bill only the covered hardware, or correct evidence.scs",
            lines[0].number,
        )


def cyst_repeat(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, CystRepeat)
    lines = facts.lines_in(rule.codes())
    if not lines or facts.evidence.synovial_cyst is not True:
        return
    line = lines[0]
    levels = facts.evidence.levels
    earlier = [p for p in facts.priors_in(rule.codes("prior_codes"), line.region, None) if p.synovial_cyst]
    if not earlier:
        return
    if not levels or any(not p.levels for p in earlier):
        yield not_stated(
            rule,
            "the levels of this cyst procedure and of the earlier one(s)",
            f"a facet synovial cyst may be treated again at most {spec.max_repeats} time(s)",
            "record evidence.levels and the levels of each earlier cyst procedure in evidence.prior_procedures",
            line.number,
        )
        return
    same = sorted((p for p in earlier if _levels_overlap(levels, p.levels)), key=lambda p: p.date)
    if not same:
        return
    if len(same) > spec.max_repeats:
        yield finding(
            rule,
            f"The synovial cyst at {', '.join(levels)} was already treated {plural(len(same), 'time')} "
            f"({', '.join(p.date.isoformat() for p in same)}); the policy allows {spec.max_repeats} repeat(s) per cyst.",
            NO_GUARANTEE,
            line.number,
        )
        return
    last = same[-1]
    need = spec.min_relief_duration
    if last.percent_relief is None or last.relief_days is None:
        yield not_stated(
            rule,
            f"the relief and its duration after the cyst procedure on {last.date}",
            f"a repeat needs {spec.min_percent_relief:g}% improvement for {need.text()}",
            "record percent_relief and relief_duration_days in evidence.prior_procedures",
            line.number,
        )
    elif last.percent_relief < spec.min_percent_relief or last.relief_days < need.approx_days():
        yield finding(
            rule,
            f"A repeat synovial cyst procedure needs {spec.min_percent_relief:g}% improvement for {need.text()} "
            f"after the one on {last.date}; it gave {last.percent_relief:g}% for {plural(last.relief_days, 'day')}.",
            NO_GUARANTEE,
            line.number,
        )


def prior_function(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, PriorFunction)
    lines = facts.lines_in(rule.codes())
    if not lines:
        return
    priors = facts.priors_in(rule.codes("prior_codes"), None, spec.window_days)
    if not priors:
        return
    last = priors[0]
    what = f"the {last.code} on {last.date}"
    if last.function_percent is None:
        yield not_stated(
            rule,
            f"the functional improvement {what} gave",
            f"{spec.label} needs at least {spec.min_percent:g}% functional improvement from the previous one",
            "record functional_improvement_percent in evidence.prior_procedures",
            lines[0].number,
        )
    elif last.function_percent < spec.min_percent:
        yield finding(
            rule,
            f"{spec.label} needs at least {spec.min_percent:g}% functional improvement from the previous one; "
            f"{what} gave {last.function_percent:g}%.",
            NO_GUARANTEE,
            lines[0].number,
        )
