"""Documentation completeness: what a payer's reviewer would look for in the record and not find.

A ``documentation`` rule names, per procedure family, the *elements* the policy asks the record to
show (payer_rules.md §2-§6 and the §12 checklist): a named pain scale at baseline and the same
scale after every earlier procedure, functional impact in words, the conservative-care chronology
with each modality's details, concordant imaging (ESI), provocative tests (SI joint), the
psychological evaluation and trial result (SCS), a procedure note per performed procedure (exact
site, levels, laterality, approach, medications with doses, imaging with contrast confirmation),
the outcome of each earlier session, and no copy-paste ("cookie-cutter") notes.

``assess`` is pure: evidence + the procedures in question -> one ``ElementCheck`` per element,
each present, missing or not applicable (a first procedure has no follow-up to document; a
prior-auth request has no procedure note yet).  The engine's ``documentation`` check turns each
missing element into ONE finding whose ``rule_id`` is ``<rule id>.<element>``;
``gateway.packet.completeness.review`` gives a claim's (or an auth request's) completeness score
and those findings together.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gateway.domain.codes import ImagingGuidance
from gateway.domain.evidence import ClinicalEvidence, PriorProcedure, ProcedureNote, TherapyKind
from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts, Line
from gateway.rules.kinds.base import finding
from gateway.rules.models import DocumentationRule

# Free text shorter than this is a phrase ("baseline", "no change"), not a note: repeating it on
# two dates is normal and must not be flagged as copy-paste.
MIN_NOTE_CHARS = 40
_WORD = re.compile(r"[A-Za-z]{2,}")
_TOKEN = re.compile(r"[a-z0-9]+")  # numbers count: notes that differ in a score differ


@dataclass(frozen=True, slots=True)
class Subject:
    """What is being documented: a claim's performed procedures, or an auth request's planned ones."""

    evidence: ClinicalEvidence
    procedures: tuple[tuple[str, dt.date], ...]  # (code, date of service), the rule's codes only
    dos: dt.date
    performed: bool
    min_provocative_tests: int = 3  # the rule's number (SI joint LCDs: 3)
    # What several elements read, worked out once: the procedures before the date of service (by
    # date) and each date of service's procedure note (None: no note for the rule's codes).
    earlier: list[PriorProcedure] = field(init=False, repr=False, compare=False)
    notes: dict[dt.date, ProcedureNote | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        earlier = sorted(
            (p for p in self.evidence.prior_procedures if p.date < self.dos), key=lambda p: p.date
        )
        object.__setattr__(self, "earlier", earlier)  # frozen: set once, here
        object.__setattr__(self, "notes", _notes_by_date(self.evidence, self.procedures))


@dataclass(frozen=True, slots=True)
class ElementCheck:
    """One element: ``present`` True/False, or None when it does not apply to this subject."""

    element: str
    label: str
    present: bool | None
    detail: str = ""
    # Missing only because a whole procedure note is missing: scored, but reported once (as
    # ``procedure_note``) instead of once per field of the note.
    silent: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"element": self.element, "label": self.label, "present": self.present, "detail": self.detail}


def _notes_by_date(
    evidence: ClinicalEvidence, procedures: tuple[tuple[str, dt.date], ...]
) -> dict[dt.date, ProcedureNote | None]:
    codes = {code for code, _ in procedures}
    found: dict[dt.date, ProcedureNote | None] = {}
    for _, day in procedures:
        found[day] = next(
            (n for n in evidence.procedure_notes if n.date == day and n.procedure_code in codes), None
        )
    return found


Result = tuple[bool | None, str] | tuple[bool | None, str, bool]
_NA: Result = (None, "")
_OK: Result = (True, "")


def _pain_baseline(s: Subject) -> Result:
    scores = [score for score in s.evidence.pain_scores if score.date <= s.dos]
    if not scores:
        return False, f"no score on a named scale (NRS, VAS, ODI ...) is recorded on or before {s.dos}"
    return _OK


def _pain_followup(s: Subject) -> Result:
    priors = s.earlier
    scores = sorted((x for x in s.evidence.pain_scores if x.date <= s.dos), key=lambda x: x.date)
    if not priors:
        return _NA
    if not scores:
        return False, "no scores at all, so none after the earlier procedures"
    scale = scores[0].scale
    lacking = [
        f"{p.procedure_code} of {p.date}"
        for p in priors
        if not any(x.scale is scale and p.date < x.date for x in scores)
    ]
    if lacking:
        return False, f"no {scale.value} score (the baseline scale) after {', '.join(lacking)}"
    return _OK


def _functional_impact(s: Subject) -> Result:
    impacts = [i for i in s.evidence.functional_impacts if i.date <= s.dos]
    if any(len(_WORD.findall(i.description)) >= 3 for i in impacts):
        return _OK
    if impacts:
        return (
            False,
            "the functional impact is given as a number or a word, not as limits on daily activities",
        )
    return False, "no functional impact on activities of daily living is described"


def _conservative(s: Subject) -> Result:
    if any(t.start_date <= s.dos for t in s.evidence.conservative_therapies):
        return _OK
    return False, "no conservative care (modality, dates, outcome) is recorded"


def _therapies(s: Subject, kind: TherapyKind) -> list[Any]:
    return [t for t in s.evidence.conservative_therapies if t.kind is kind and t.start_date <= s.dos]


def _drug_classes(s: Subject) -> Result:
    pharma = _therapies(s, TherapyKind.PHARMACOTHERAPY)
    if not pharma:
        return _NA
    lacking = [str(t.start_date) for t in pharma if not t.drug_classes]
    return (False, f"pharmacotherapy started {', '.join(lacking)} names no drug classes") if lacking else _OK


def _pt_details(s: Subject) -> Result:
    therapy = _therapies(s, TherapyKind.PHYSICAL_THERAPY)
    if not therapy:
        return _NA
    problems = []
    for t in therapy:
        gaps = []
        if not t.modalities and not t.details:
            gaps.append("modalities")
        if t.end_date is None and t.sessions is None:
            gaps.append("duration (end date or sessions)")
        if gaps:
            problems.append(f"physical therapy from {t.start_date} lacks {' and '.join(gaps)}")
    return (False, "; ".join(problems)) if problems else _OK


def _imaging_report(s: Subject) -> Result:
    reports = [r for r in s.evidence.imaging_reports if r.date <= s.dos]
    if any(r.concordant_with_diagnosis for r in reports):
        return _OK
    if reports:
        return False, "the imaging report(s) on file are not concordant with the diagnosis"
    return False, "no imaging report (MRI/CT) concordant with the diagnosis is recorded"


def _psych(s: Subject) -> Result:
    psych = s.evidence.psych_evaluation
    if psych is not None and psych.date <= s.dos:
        return _OK
    return False, "no psychological evaluation before the procedure is recorded"


def _trial(s: Subject) -> Result:
    trial = s.evidence.stimulator_trial
    if trial is not None and trial.end_date <= s.dos:
        return _OK
    trials = s.evidence.scs.trials if s.evidence.scs is not None else []
    if any(
        t.end_date is not None
        and t.end_date <= s.dos
        and (t.percent_relief, t.analgesic_reduction_percent) != (None, None)
        for t in trials
    ):
        return _OK
    return False, "no completed stimulator trial with its percent relief is recorded"


def _procedure_note(s: Subject) -> Result:
    if not s.performed:
        return _NA
    lacking = [
        f"{', '.join(sorted({c for c, d in s.procedures if d == day}))} on {day}"
        for day, note in s.notes.items()
        if note is None
    ]
    return (False, f"no procedure note for {'; '.join(lacking)}") if lacking else _OK


def _note_field(
    what: str, has: Callable[[ProcedureNote, ClinicalEvidence], bool]
) -> Callable[[Subject], Result]:
    def check(s: Subject) -> Result:
        if not s.performed:
            return _NA
        notes = s.notes
        if any(note is None for note in notes.values()):
            return False, "no procedure note", True
        lacking = [str(day) for day, note in notes.items() if note is not None and not has(note, s.evidence)]
        return (False, f"the procedure note of {', '.join(lacking)} does not give {what}") if lacking else _OK

    return check


def _contrast(note: ProcedureNote, evidence: ClinicalEvidence) -> bool:
    return note.contrast_confirmed is True or evidence.contrast_contraindicated is True


def _guided(note: ProcedureNote, _: ClinicalEvidence) -> bool:
    return note.imaging_guidance not in (None, ImagingGuidance.NONE)


def _doses(note: ProcedureNote, _: ClinicalEvidence) -> bool:
    return bool(note.medications) and all(m.dose for m in note.medications)


def _series(what: str, has: Callable[[Any], bool]) -> Callable[[Subject], Result]:
    def check(s: Subject) -> Result:
        priors = s.earlier
        if not priors:
            return _NA
        lacking = [f"{p.procedure_code} of {p.date}" for p in priors if not has(p)]
        return (False, f"no {what} recorded for {', '.join(lacking)}") if lacking else _OK

    return check


def _provocative(s: Subject) -> Result:
    count = max(len(s.evidence.provocative_tests), s.evidence.provocative_tests_positive or 0)
    if count >= s.min_provocative_tests:
        return _OK
    return (
        False,
        f"{count} positive provocative test(s) recorded, the policy asks for {s.min_provocative_tests}",
    )


def normalized(text: str) -> str:
    """Text as compared for copy-paste: case, spacing and punctuation do not make notes differ."""
    return " ".join(_TOKEN.findall(text.lower()))


def _free_texts(evidence: ClinicalEvidence) -> Iterator[tuple[dt.date, str, str]]:
    for note in evidence.clinical_notes:
        yield note.date, "visit note", note.text
    for procedure in evidence.procedure_notes:
        if procedure.narrative:
            yield procedure.date, "procedure note", procedure.narrative
    for impact in evidence.functional_impacts:
        yield impact.date, "functional impact", impact.description


def cookie_cutter(evidence: ClinicalEvidence) -> list[tuple[str, tuple[dt.date, ...]]]:
    """Texts repeated word for word on different dates: (where it appears, the dates)."""
    seen: dict[str, tuple[set[str], set[dt.date]]] = {}
    for day, where, text in _free_texts(evidence):
        key = normalized(text)
        if len(key) < MIN_NOTE_CHARS:
            continue
        places, days = seen.setdefault(key, (set(), set()))
        places.add(where)
        days.add(day)
    return [
        (" and ".join(sorted(places)), tuple(sorted(days))) for places, days in seen.values() if len(days) > 1
    ]


def _distinct_notes(s: Subject) -> Result:
    repeats = cookie_cutter(s.evidence)
    if not repeats:
        return _OK
    parts = [f"{where} text identical on {', '.join(str(d) for d in days)}" for where, days in repeats]
    return False, "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Element:
    label: str
    fix: str
    check: Callable[[Subject], Result]


# Element -> (label, fix hint, check).  One entry per line pair, kept as a table on purpose.
# fmt: off
ELEMENTS: dict[str, Element] = {
    "pain_scale_baseline": Element("pain scale at baseline", "record evidence.pain_scores with the scale "
        "(NRS, VAS, ODI ...) at baseline", _pain_baseline),
    "pain_scale_followup": Element("same pain scale at each follow-up", "record a score on the baseline "
        "scale after each earlier procedure", _pain_followup),
    "functional_impact": Element("functional impact on daily activities", "describe in evidence.functional_"
        "impacts what the pain stops the patient from doing (standing, work, sleep)",
        _functional_impact),
    "conservative_care": Element("conservative care chronology", "record each modality in evidence."
        "conservative_therapies with dates and outcome", _conservative),
    "pharmacotherapy_drug_classes": Element("drug classes of pharmacotherapy", "list the drug classes tried "
        "(NSAID, gabapentinoid ...) in drug_classes", _drug_classes),
    "physical_therapy_details": Element("physical therapy modalities and duration", "record the PT modalities "
        "and its end date or sessions", _pt_details),
    "imaging_report_concordant": Element("imaging concordant with the diagnosis", "record the MRI/CT report "
        "and whether it is concordant", _imaging_report),
    "provocative_tests": Element("positive provocative tests", "record the positive tests by name in evidence."
        "provocative_tests (FABER, Gaenslen, thigh thrust, compression, distraction)",
        _provocative),
    "psych_evaluation": Element("psychological evaluation", "record evidence.psych_evaluation (date, cleared)",
        _psych),
    "stimulator_trial": Element("stimulator trial result", "record the trial in evidence.scs.trials (region, dates, "
        "percent relief)", _trial),
    "procedure_note": Element("procedure note", "add evidence.procedure_notes for each date of service",
        _procedure_note),
    "procedure_site": Element("exact site", "give the exact site in the procedure note",
        _note_field("the exact site", lambda n, _: bool(n.site))),
    "procedure_levels": Element("levels", "give the levels/joints treated in the procedure note",
        _note_field("the levels", lambda n, _: bool(n.levels))),
    "procedure_laterality": Element("laterality", "give the side (left, right, bilateral) in the procedure note",
        _note_field("the laterality", lambda n, _: n.laterality is not None)),
    "procedure_approach": Element("approach/technique", "give the approach or technique in the procedure note",
        _note_field("the approach or technique", lambda n, _: bool(n.approach))),
    "procedure_medications": Element("medications with dosages", "list each injected drug with its dose in "
        "the procedure note", _note_field("every medication with its dose", _doses)),
    "procedure_imaging": Element("imaging guidance", "record the imaging guidance in the procedure note",
        _note_field("the imaging guidance", _guided)),
    "procedure_contrast": Element("contrast confirmation of needle placement", "record that contrast confirmed "
        "the needle placement (or the documented contrast allergy/pregnancy)",
        _note_field("contrast confirmation", _contrast)),
    "series_percent_relief": Element("percent relief after each earlier session", "record percent_relief for "
        "each earlier procedure",
        _series("percent relief", lambda p: p.percent_relief is not None)),
    "series_relief_duration": Element("duration of relief after each earlier session", "record relief_duration_"
        "days for each earlier procedure",
        _series("relief duration", lambda p: p.relief_duration_days is not None)),
    "series_functional_change": Element("functional change after each earlier session", "record functional_"
        "change for each earlier procedure",
        _series("functional change", lambda p: bool(p.functional_change))),
    "distinct_notes": Element("no copy-paste notes", "write each date's note for that visit; identical text on "
        "different dates of service reads as cloned documentation", _distinct_notes),
}
# fmt: on


# The checks of an element found present or not applicable, made once: a check is immutable,
# and these two are most of the checks of most claims.
_SETTLED: dict[tuple[str, bool | None], ElementCheck] = {
    (name, present): ElementCheck(name, element.label, present)
    for name, element in ELEMENTS.items()
    for present in (True, None)
}


def assess(spec: DocumentationRule, subject: Subject) -> list[ElementCheck]:
    checks = []
    if subject.min_provocative_tests != spec.min_provocative_tests:
        subject = replace(subject, min_provocative_tests=spec.min_provocative_tests)
    for name in spec.elements:
        element = ELEMENTS[name]
        result = element.check(subject)
        if result is _OK or result is _NA:
            checks.append(_SETTLED[name, result[0]])
            continue
        silent = len(result) == 3 and bool(result[2])
        checks.append(ElementCheck(name, element.label, result[0], result[1], silent))
    return checks


def assessed(rule: CompiledRule, facts: Facts, lines: Sequence[Line], performed: bool) -> list[ElementCheck]:
    """``assess`` of a documentation rule on the claim's ``lines`` (``facts.lines_in`` the rule's
    codes), worked out once per claim: the engine's check and the completeness review of the same
    screening (gateway.packet.completeness) both read it, and it was a tenth of intake's CPU."""
    spec = rule.rule
    assert isinstance(spec, DocumentationRule)
    key = (id(rule), performed)
    known = facts.documented.get(key)
    if known is not None and known[0] is rule:
        return known[1]
    checks = assess(spec, subject_of(facts.evidence, lines, facts.dos, performed))
    facts.documented[key] = (rule, checks)
    return checks


def subject_of(evidence: ClinicalEvidence, lines: Sequence[Line], dos: dt.date, performed: bool) -> Subject:
    return Subject(evidence, tuple((line.code, line.date) for line in lines), dos, performed)


def findings_of(rule: CompiledRule, checks: Iterable[ElementCheck], line: int) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, DocumentationRule)
    for check in checks:
        if check.present is False and not check.silent:
            base = finding(
                rule,
                f"{spec.label} documentation lacks {check.element} ({check.label}): {check.detail}.",
                ELEMENTS[check.element].fix,
                line,
            )
            yield replace(base, rule_id=f"{rule.id}.{check.element}")


def documentation(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    """The engine's check: a claim documents procedures that were performed."""
    lines = facts.lines_in(rule.codes())
    if lines:
        yield from findings_of(rule, assessed(rule, facts, lines, True), lines[0].number)
