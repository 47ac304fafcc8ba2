"""Everything a packet shows, worked out once and without I/O: the renderer only lays it out.

The order is the order a reviewer reads in: who and what (codes, dates, diagnoses), why now
(conservative care timeline, pain scores and the relief of earlier procedures), what was done
(procedure note summaries), against which policy (the rules that apply, with their LCD ids) and
what is still open (findings, documentation completeness).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.codesets import default_code_sets
from gateway.codesets.claim_checks import describe
from gateway.domain.evidence import ClinicalEvidence, ProcedureNote
from gateway.domain.findings import Finding, Severity
from gateway.domain.history import History
from gateway.packet.completeness import Completeness, review
from gateway.packet.subject import Subject
from gateway.rules import engine
from gateway.rules.book import NoRuleSet, RuleBook
from gateway.rules.facts import Facts

PRIOR_AUTH_KIND = "prior_auth"


@dataclass(frozen=True, slots=True)
class ScorePoint:
    date: dt.date
    scale: str
    score: Decimal
    context: str


@dataclass(frozen=True, slots=True)
class ProcedureMark:
    """A procedure on the pain chart: an earlier one with its relief, or this claim's own."""

    date: dt.date
    code: str
    percent_relief: Decimal | None
    relief_days: int | None
    functional_change: str
    current: bool


@dataclass(frozen=True, slots=True)
class RuleRow:
    rule_id: str
    kind: str
    source: str
    status: str
    severity: str


@dataclass(frozen=True)
class PacketContent:
    subject: Subject
    control_number: str
    summary: list[tuple[str, str]]
    services: list[tuple[str, str, str, str, str]]  # date, code, modifiers, units, description
    diagnoses: list[str]
    timeline: list[tuple[str, str, str, str, str]]  # modality, from, to, response, details
    scores: list[ScorePoint]
    procedures: list[ProcedureMark]
    notes: list[tuple[str, str]]  # (heading, summary)
    rules: list[RuleRow]
    findings: list[Finding]
    completeness: Completeness
    pack_version: str
    other_facts: list[tuple[str, str]] = field(default_factory=list)


def _person_name(subject: Subject) -> tuple[str, str]:
    claim = subject.claim
    person = claim.patient.person if claim.patient is not None else claim.subscriber.person
    name = ", ".join(part for part in (person.last_name, person.first_name or "") if part)
    return name, person.birth_date.isoformat()


def _summary(subject: Subject, control_number: str) -> list[tuple[str, str]]:
    claim = subject.claim
    name, birth = _person_name(subject)
    rows = [
        (
            "Packet for",
            f"{'claim' if subject.performed else 'prior authorization request'} {subject.identifier}",
        ),
        ("Attachment control number", control_number),
        ("Patient", f"{name} (born {birth})"),
        ("Member id", claim.subscriber.member_id),
        ("Payer", f"{claim.payer.name} (payer id {claim.payer.payer_id})"),
        ("Billing provider", f"{claim.billing_provider.name}, NPI {claim.billing_provider.npi}"),
    ]
    if claim.rendering_provider is not None:
        doctor = claim.rendering_provider
        rows.append(("Rendering provider", f"{doctor.last_name}, {doctor.first_name or ''} NPI {doctor.npi}"))
    dates = sorted({line.service_date for line in claim.service_lines})
    label = "Date(s) of service" if subject.performed else "Planned date(s)"
    rows.append((label, ", ".join(day.isoformat() for day in dates)))
    rows.append(("Place of service", claim.place_of_service))
    if claim.prior_authorization:
        rows.append(("Prior authorization", claim.prior_authorization))
    return rows


def _facts(evidence: ClinicalEvidence) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if evidence.region or evidence.levels or evidence.laterality:
        where = " ".join(
            x
            for x in (
                evidence.region.value if evidence.region else "",
                ", ".join(evidence.levels),
                evidence.laterality.value if evidence.laterality else "",
            )
            if x
        )
        rows.append(("Region / levels / side", where))
    if evidence.imaging_guidance is not None:
        rows.append(("Imaging guidance", evidence.imaging_guidance.value))
    if evidence.pain_onset_date is not None:
        rows.append(("Pain onset", evidence.pain_onset_date.isoformat()))
    for report in evidence.imaging_reports:
        concordant = "concordant" if report.concordant_with_diagnosis else "NOT concordant"
        rows.append((f"{report.modality} {report.date}", f"{report.finding} ({concordant})"))
    for impact in evidence.functional_impacts:
        rows.append((f"Function {impact.date}", impact.description))
    if evidence.provocative_tests or evidence.provocative_tests_positive is not None:
        names = ", ".join(evidence.provocative_tests)
        count = max(len(evidence.provocative_tests), evidence.provocative_tests_positive or 0)
        rows.append(("Provocative tests", f"{count} positive" + (f": {names}" if names else "")))
    if evidence.psych_evaluation is not None:
        psych = evidence.psych_evaluation
        rows.append(
            ("Psychological evaluation", f"{psych.date}: {'cleared' if psych.cleared else 'NOT cleared'}")
        )
    if evidence.stimulator_trial is not None:
        trial = evidence.stimulator_trial
        rows.append(
            ("Stimulator trial", f"{trial.start_date} to {trial.end_date}: {trial.percent_relief:g}% relief")
        )
    for record in evidence.scs.trials if evidence.scs is not None else []:
        relief = (
            f"{record.percent_relief:g}% relief"
            if record.percent_relief is not None
            else "relief not recorded"
        )
        if record.analgesic_reduction_percent is not None:
            relief += f", {record.analgesic_reduction_percent:g}% less analgesics"
        rows.append(
            (
                "Stimulator trial",
                f"{record.region.value}, {record.start_date} to {record.end_date or 'ongoing'}: {relief}",
            )
        )
    return rows


def _timeline(evidence: ClinicalEvidence) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for t in sorted(evidence.conservative_therapies, key=lambda t: t.start_date):
        details = "; ".join(
            x
            for x in (
                ", ".join(t.drug_classes),
                ", ".join(t.modalities),
                f"{t.sessions} sessions" if t.sessions is not None else "",
                t.details or "",
            )
            if x
        )
        rows.append(
            (
                t.kind.value.replace("_", " "),
                t.start_date.isoformat(),
                t.end_date.isoformat() if t.end_date else "ongoing",
                t.response.value.replace("_", " "),
                details,
            )
        )
    return rows


def _marks(subject: Subject) -> list[ProcedureMark]:
    claim = subject.claim
    marks = [
        ProcedureMark(
            p.date,
            p.procedure_code,
            p.percent_relief,
            p.relief_duration_days,
            p.functional_change or "",
            False,
        )
        for p in claim.evidence.prior_procedures
        if p.date < claim.first_service_date
    ]
    seen = set()
    for line in claim.service_lines:
        if (line.service_date, line.procedure_code) not in seen:
            seen.add((line.service_date, line.procedure_code))
            marks.append(ProcedureMark(line.service_date, line.procedure_code, None, None, "", True))
    return sorted(marks, key=lambda m: (m.date, m.code))


def _note_summary(note: ProcedureNote) -> tuple[str, str]:
    parts = [
        f"site: {note.site}" if note.site else "site: not given",
        f"levels: {', '.join(note.levels)}" if note.levels else "",
        f"side: {note.laterality.value}" if note.laterality else "",
        f"approach: {note.approach}" if note.approach else "",
        "medications: " + ", ".join(f"{m.name} {m.dose or '(no dose)'}" for m in note.medications)
        if note.medications
        else "medications: not given",
        f"guidance: {note.imaging_guidance.value}" if note.imaging_guidance else "guidance: not given",
        "contrast confirmed placement" if note.contrast_confirmed else "",
    ]
    return f"{note.date} {note.procedure_code}", "; ".join(p for p in parts if p)


def _rules(subject: Subject, book: RuleBook) -> list[RuleRow]:
    ruleset = book.ruleset_for(subject.claim)
    if isinstance(ruleset, NoRuleSet):
        return []
    facts = Facts(subject.claim, History.empty(), ruleset.catalog)
    return [
        RuleRow(rule.id, rule.rule.kind, rule.source, rule.status.value, rule.severity.value)
        for rule in ruleset.rules_for(facts.codes)
        if rule.trigger is not None  # claim-wide rules (ICD-10 lists) apply to everything; listed as findings
    ]


def _kind(kinds: Mapping[str, str], rule_id: str) -> str:
    """The kind of the rule behind a finding (documentation findings are '<rule id>.<element>')."""
    return kinds.get(rule_id) or kinds.get(rule_id.rsplit(".", 1)[0]) or ""


def assemble(subject: Subject, book: RuleBook, history: History | None = None) -> PacketContent:
    """The packet's content for ``subject`` under ``book``; ``history`` feeds the frequency rules."""
    claim = subject.claim
    codes = default_code_sets()
    result = engine.evaluate(claim, history or History.empty(), book, codes)
    completeness, documentation = review(claim, book, performed=subject.performed, subject=subject.identifier)
    ruleset = book.ruleset_for(claim)
    kinds: dict[str, str] = {}
    if not isinstance(ruleset, NoRuleSet):
        kinds = {rule.id: rule.rule.kind for rule in ruleset.rules}
    # The engine always documents a performed procedure: take documentation findings from
    # review() (which knows an auth request is not performed yet).  A request IS the prior
    # authorization, so "no authorization number" findings do not belong in its packet.
    skipped = {"documentation"} | (set() if subject.performed else {PRIOR_AUTH_KIND})
    findings = [f for f in result.findings if _kind(kinds, f.rule_id) not in skipped]
    findings += documentation
    findings.sort(key=lambda f: (f.severity is not Severity.ERROR, f.line or 0, f.rule_id))
    control = subject.control_number
    catalog = {} if isinstance(ruleset, NoRuleSet) else ruleset.catalog
    services = [
        (
            line.service_date.isoformat(),
            line.procedure_code,
            " ".join(line.modifiers),
            f"{line.units:g}",
            catalog[line.procedure_code].description if line.procedure_code in catalog else "",
        )
        for line in claim.service_lines
    ]
    evidence = claim.evidence
    notes = [_note_summary(n) for n in sorted(evidence.procedure_notes, key=lambda n: n.date)]
    return PacketContent(
        subject=subject,
        control_number=control,
        summary=_summary(subject, control),
        services=services,
        diagnoses=[
            f"{code} {title}"
            for code, title in describe(claim.diagnosis_codes, claim.first_service_date, codes.icd10)
        ],
        timeline=_timeline(evidence),
        scores=[
            ScorePoint(s.date, s.scale.value, s.score, s.context or "")
            for s in sorted(evidence.pain_scores, key=lambda s: s.date)
        ],
        procedures=_marks(subject),
        notes=notes,
        rules=_rules(subject, book),
        findings=findings,
        completeness=completeness,
        pack_version=result.pack_version,
        other_facts=_facts(evidence),
    )
