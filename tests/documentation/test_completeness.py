"""Table-driven documentation completeness: complete records pass, each missing element gives ONE
finding naming it, copy-paste notes across dates are flagged, and the score counts the elements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gateway.domain.findings import Finding, Severity
from gateway.domain.history import History
from gateway.packet.completeness import review
from gateway.packet.subject import claim_view
from gateway.rules import engine
from gateway.rules.kinds.documentation import cookie_cutter, normalized
from tests.documentation.helpers import DOS, Mutation, auth, book, claim, day, note

FAMILIES = {
    "esi": "64483",
    "facet_mbb": "64493",
    "facet_rfa": "64635",
    "si_joint": "27096",
    "tpi": "20552",
    "scs_trial": "63650",
    "scs_permanent": "63685",
}


def documentation_findings(code: str, change: Mutation | None = None) -> list[Finding]:
    result = engine.evaluate(claim(code, change), History.empty(), book())
    return [f for f in result.findings if f.rule_id.startswith("documentation.")]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_complete_record_has_no_documentation_finding(family: str) -> None:
    code = FAMILIES[family]
    assert documentation_findings(code) == []
    completeness, findings = review(claim(code), book())
    assert findings == []
    assert completeness.required and not completeness.missing and completeness.score == 1.0


def _set(path: str, value: Any) -> Mutation:
    """Change evidence[key][index][field] (``a.0.b``) or evidence[key]."""

    def change(evidence: dict[str, Any]) -> None:
        *head, last = path.split(".")
        target: Any = evidence
        for part in head:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


def _both(*changes: Mutation) -> Mutation:
    def change(evidence: dict[str, Any]) -> None:
        for one in changes:
            one(evidence)

    return change


@dataclass(frozen=True)
class Missing:
    id: str
    code: str
    change: Mutation
    element: str


FIRST_TIME = _set("prior_procedures", [])  # a first procedure: no follow-up or series to document
CASES = [
    Missing(
        "no-score-before-dos",
        "64483",
        _both(FIRST_TIME, _set("pain_scores", [{"scale": "NRS", "score": 6, "date": day(-3)}])),
        "pain_scale_baseline",
    ),
    Missing("follow-up-on-another-scale", "64483", _set("pain_scores.1.scale", "VAS"), "pain_scale_followup"),
    Missing(
        "follow-up-before-the-earlier-procedure",
        "64493",
        _set("pain_scores.1.date", day(61)),
        "pain_scale_followup",
    ),
    Missing(
        "function-as-a-number",
        "64483",
        _set("functional_impacts", [{"description": "ODI 44", "date": day(20)}]),
        "functional_impact",
    ),
    Missing("no-function", "64635", _set("functional_impacts", []), "functional_impact"),
    Missing("no-conservative-care", "64483", _set("conservative_therapies", []), "conservative_care"),
    Missing(
        "drugs-without-classes",
        "64493",
        _set("conservative_therapies.1.drug_classes", []),
        "pharmacotherapy_drug_classes",
    ),
    Missing(
        "pt-without-modalities",
        "27096",
        _set("conservative_therapies.0.modalities", []),
        "physical_therapy_details",
    ),
    Missing(
        "pt-without-duration",
        "64483",
        _both(
            _set("conservative_therapies.0.end_date", None), _set("conservative_therapies.0.sessions", None)
        ),
        "physical_therapy_details",
    ),
    Missing(
        "imaging-not-concordant",
        "64483",
        _set("imaging_reports.0.concordant_with_diagnosis", False),
        "imaging_report_concordant",
    ),
    Missing("no-imaging-report", "64483", _set("imaging_reports", []), "imaging_report_concordant"),
    Missing(
        "two-provocative-tests",
        "27096",
        _set("provocative_tests", ["FABER", "Gaenslen"]),
        "provocative_tests",
    ),
    Missing("no-psych-evaluation", "63650", _set("psych_evaluation", None), "psych_evaluation"),
    Missing("psych-after-dos", "63650", _set("psych_evaluation.date", day(-2)), "psych_evaluation"),
    Missing("no-trial-before-permanent", "63685", _set("stimulator_trial", None), "stimulator_trial"),
    Missing("no-procedure-note", "64483", _set("procedure_notes", []), "procedure_note"),
    Missing("note-for-another-date", "20552", _set("procedure_notes.0.date", day(1)), "procedure_note"),
    Missing("no-site", "64483", _set("procedure_notes.0.site", None), "procedure_site"),
    Missing("no-levels", "64493", _set("procedure_notes.0.levels", []), "procedure_levels"),
    Missing("no-laterality", "27096", _set("procedure_notes.0.laterality", None), "procedure_laterality"),
    Missing("no-approach", "64635", _set("procedure_notes.0.approach", None), "procedure_approach"),
    Missing(
        "dose-missing", "64483", _set("procedure_notes.0.medications.0.dose", None), "procedure_medications"
    ),
    Missing("no-medications", "20552", _set("procedure_notes.0.medications", []), "procedure_medications"),
    Missing("no-guidance", "64493", _set("procedure_notes.0.imaging_guidance", None), "procedure_imaging"),
    Missing(
        "no-contrast-confirmation",
        "64483",
        _set("procedure_notes.0.contrast_confirmed", False),
        "procedure_contrast",
    ),
    Missing(
        "sij-no-contrast-confirmation",
        "27096",
        _set("procedure_notes.0.contrast_confirmed", None),
        "procedure_contrast",
    ),
    Missing(
        "no-relief-percent", "64483", _set("prior_procedures.0.percent_relief", None), "series_percent_relief"
    ),
    Missing(
        "no-relief-duration",
        "64493",
        _set("prior_procedures.0.relief_duration_days", None),
        "series_relief_duration",
    ),
    Missing(
        "no-functional-change",
        "20552",
        _set("prior_procedures.0.functional_change", None),
        "series_functional_change",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_missing_element_gives_one_finding_naming_it(case: Missing) -> None:
    findings = documentation_findings(case.code, case.change)
    assert len(findings) == 1, [f.rule_id for f in findings]
    [found] = findings
    assert found.rule_id.endswith(f".{case.element}")
    assert case.element in found.message
    assert found.severity is Severity.WARNING and found.fix and found.source
    completeness, _ = review(claim(case.code, case.change), book())
    assert case.element in [check.element for check in completeness.missing]


def test_a_missing_note_is_one_finding_but_scores_every_field_missing() -> None:
    completeness, findings = review(claim("64483", _set("procedure_notes", [])), book())
    assert [f.rule_id.rsplit(".", 1)[1] for f in findings] == ["procedure_note"]
    missing = {check.element for check in completeness.missing}
    assert {"procedure_note", "procedure_site", "procedure_contrast"} <= missing
    whole, _ = review(claim("64483"), book())
    assert len(completeness.required) == len(whole.required)


def test_contrast_allergy_replaces_contrast_confirmation() -> None:
    change = _both(
        _set("procedure_notes.0.contrast_confirmed", False), _set("contrast_contraindicated", True)
    )
    assert documentation_findings("64483", change) == []


# ---------------- copy-paste ("cookie-cutter") notes ------------------------------------------
TEXT = "Patient reports low back pain radiating to the left leg, worse with standing, no new weakness."


@pytest.mark.parametrize(
    ("first", "second", "flagged"),
    [
        ((day(40), TEXT), (day(20), TEXT), True),  # same text, two dates
        ((day(40), TEXT), (day(20), TEXT.upper().replace(",", ";")), True),  # case/punctuation do not hide it
        ((day(20), TEXT), (day(20), TEXT), False),  # the same date twice is one visit
        ((day(40), TEXT), (day(20), TEXT.replace("left", "right")), False),
        ((day(40), TEXT + " NRS 7/10."), (day(20), TEXT + " NRS 5/10."), False),  # a number differs
        ((day(40), "No change."), (day(20), "No change."), False),  # a short phrase, not a note
    ],
)
def test_cookie_cutter_notes(first: tuple[str, str], second: tuple[str, str], flagged: bool) -> None:
    notes = [{"date": first[0], "text": first[1]}, {"date": second[0], "text": second[1]}]
    findings = documentation_findings("64483", _set("clinical_notes", notes))
    assert [f.rule_id.rsplit(".", 1)[1] for f in findings] == (["distinct_notes"] if flagged else [])
    if flagged:
        assert first[0] in findings[0].message and second[0] in findings[0].message


def test_cookie_cutter_across_a_visit_note_and_a_procedure_narrative() -> None:
    def change(evidence: dict[str, Any]) -> None:
        evidence["procedure_notes"] = [note("64483", narrative=TEXT)]
        evidence["clinical_notes"] = [{"date": day(30), "text": TEXT}]

    findings = documentation_findings("64483", change)
    assert [f.rule_id.rsplit(".", 1)[1] for f in findings] == ["distinct_notes"]
    assert "procedure note and visit note" in findings[0].message


def test_normalized_text_and_repeats() -> None:
    assert normalized("Pain: 7/10,  WORSE!") == normalized("pain 7 10 worse") == "pain 7 10 worse"
    evidence = claim("64483").evidence
    assert cookie_cutter(evidence) == []


# ---------------- score ----------------------------------------------------------------------
def test_score_counts_present_over_required() -> None:
    whole, _ = review(claim("64483"), book())
    less, _ = review(claim("64483", _set("procedure_notes.0.site", None)), book())
    assert len(less.required) == len(whole.required)
    assert len(whole.required) - len(less.missing) == len(whole.required) - 1
    assert less.score == pytest.approx((len(whole.required) - 1) / len(whole.required))
    assert less.to_dict()["missing"] == ["procedure_site"]
    assert f"{len(whole.required) - 1}/{len(whole.required)}" in less.summary()


def test_first_procedure_leaves_follow_up_and_series_out_of_the_score() -> None:
    first, findings = review(claim("64483", FIRST_TIME), book())
    elements = {check.element: check.present for check in first.checks}
    assert elements["pain_scale_followup"] is None and elements["series_percent_relief"] is None
    assert findings == [] and first.score == 1.0


def test_auth_request_needs_no_procedure_note() -> None:
    request = auth("64483")
    completeness, findings = review(claim_view(request), book(), performed=False, subject=request.request_id)
    assert findings == [] and completeness.score == 1.0
    assert {c.element for c in completeness.checks if c.present is None} >= {
        "procedure_note",
        "procedure_site",
    }
    thin, thin_findings = review(
        claim_view(auth("64483", _set("imaging_reports", []))), book(), performed=False
    )
    assert [f.rule_id.rsplit(".", 1)[1] for f in thin_findings] == ["imaging_report_concordant"]
    assert thin.score is not None and thin.score < 1.0


def test_no_rule_applies_for_an_unrouted_payer() -> None:
    document_claim = claim("64483").model_copy(
        update={"payer": claim("64483").payer.model_copy(update={"payer_id": "NOBODY", "state": "FL"})}
    )
    completeness, findings = review(document_claim, book())
    assert completeness.score is None and findings == []
    assert "no documentation rule applies" in completeness.summary()


def test_a_procedure_recorded_on_the_date_of_service_is_not_an_earlier_one() -> None:
    """The history may already hold the procedure being billed (same day): it asks for no
    follow-up score and no series relief, exactly as a first procedure."""
    same_day = _set("prior_procedures.0.date", DOS.isoformat())
    completeness, findings = review(claim("64483", same_day), book())
    elements = {check.element: check.present for check in completeness.checks}
    assert elements["pain_scale_followup"] is None and elements["series_percent_relief"] is None
    assert findings == [] and completeness.score == 1.0


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_review_from_the_engines_facts_equals_a_review_of_its_own(case: Missing) -> None:
    """Screening reviews with the facts the engine worked out (the element checks are not done
    again): the score and the findings are those of a review that works them out itself."""
    document_claim = claim(case.code, case.change)
    _, facts = engine.evaluate_with_facts(document_claim, History.empty(), book())
    assert facts is not None
    assert review(document_claim, book(), facts=facts) == review(document_claim, book())
    # Facts of another claim are not taken for this one's.
    other = claim(case.code)
    assert review(other, book(), facts=facts) == review(other, book())


def test_review_of_a_request_from_the_engines_facts_equals_a_review_of_its_own() -> None:
    """The engine checks what was performed; a review of a request (not performed) from the same
    facts works out its own checks."""
    view = claim_view(auth("64483", _set("imaging_reports", [])))
    _, facts = engine.evaluate_with_facts(view, History.empty(), book())
    alone = review(view, book(), performed=False)
    assert review(view, book(), performed=False, facts=facts) == alone
    assert alone != review(view, book(), facts=facts)
