"""The documentation completeness score of a claim or an auth request, and its findings.

The score is over the *required* elements of every documentation rule that applies to the
subject's codes under its payer (``gateway.rules.kinds.documentation`` defines the elements);
elements that do not apply (no earlier procedure to follow up, no procedure note for a request
not yet performed) are left out.  ``gateway check`` prints it, ``gateway packet`` prints it,
renders it and stores it (``gateway.store.documentation``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gateway.domain.claim import Claim
from gateway.domain.findings import Finding
from gateway.domain.history import History
from gateway.rules.book import NoRuleSet, RuleBook
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts
from gateway.rules.kinds.documentation import ElementCheck, assessed, findings_of
from gateway.rules.models import DocumentationRule


@dataclass(frozen=True, slots=True)
class Completeness:
    """Which required elements a claim or auth request documents; not-applicable ones are left out."""

    subject: str
    checks: tuple[ElementCheck, ...] = ()

    @property
    def required(self) -> tuple[ElementCheck, ...]:
        return tuple(check for check in self.checks if check.present is not None)

    @property
    def missing(self) -> tuple[ElementCheck, ...]:
        return tuple(check for check in self.required if not check.present)

    @property
    def score(self) -> float | None:
        """Share of required elements present (0..1), None when no documentation rule applied."""
        required = self.required
        return None if not required else (len(required) - len(self.missing)) / len(required)

    def summary(self) -> str:
        required = self.required
        if not required:
            return "documentation: no documentation rule applies"
        present = len(required) - len(self.missing)
        text = f"documentation {present}/{len(required)} elements ({100 * present / len(required):.0f}%)"
        return text + (f"; missing: {', '.join(c.element for c in self.missing)}" if self.missing else "")

    def to_dict(self) -> dict[str, Any]:
        required = self.required
        return {
            "subject": self.subject,
            "present": len(required) - len(self.missing),
            "required": len(required),
            "score": None if self.score is None else round(self.score, 4),
            "missing": [check.element for check in self.missing],
            "elements": [check.to_dict() for check in self.checks],
        }


def _in_force(rule: CompiledRule, day: dt.date) -> bool:
    spec = rule.rule
    return (spec.effective_from is None or spec.effective_from <= day) and (
        spec.effective_to is None or day <= spec.effective_to
    )


def review(
    claim: Claim,
    book: RuleBook,
    *,
    performed: bool = True,
    subject: str | None = None,
    facts: Facts | None = None,
) -> tuple[Completeness, list[Finding]]:
    """Completeness score and documentation findings of one claim (``performed``) or auth request.

    An element named by several applicable rules is scored once (missing if any rule finds it so).
    ``facts``: what the engine worked out for this very claim under ``book`` while screening it
    (``gateway.rules.engine.evaluate_with_facts``); the rules' element checks are then not done again.
    """
    label = subject or claim.patient_control_number
    ruleset = book.ruleset_for(claim)
    if isinstance(ruleset, NoRuleSet):
        return Completeness(label), []
    if facts is None or facts.claim is not claim or facts.catalog is not ruleset.catalog:
        facts = Facts(claim, History.empty(), ruleset.catalog)
    by_element: dict[str, ElementCheck] = {}
    findings: list[Finding] = []
    for rule in ruleset.rules_for(facts.codes):
        spec = rule.rule
        if not isinstance(spec, DocumentationRule) or not _in_force(rule, facts.dos):
            continue
        lines = facts.lines_in(rule.codes())
        if not lines:
            continue
        checks = assessed(rule, facts, lines, performed)
        findings.extend(findings_of(rule, checks, lines[0].number))
        for check in checks:
            known = by_element.get(check.element)
            if known is None or (known.present is not False and check.present is False):
                by_element[check.element] = check
    return Completeness(label, tuple(by_element.values())), findings
