"""Payer rule packs: hold what a payer would deny, and say why and how to fix it.

The build path calls::

    from gateway.rules import evaluate, load_rule_book
    book = load_rule_book(settings.payer_configs)  # loaded once per folder; Settings is injected
    result = evaluate(claim, history, book)
    result.held, result.findings, result.pack_version
    raise_if_held(claim, result)                 # RuleViolation naming the claim and first error

``history`` comes from ``gateway.store.history.HistoryProvider`` (or ``History.empty()``).
"""

from __future__ import annotations

from gateway.codesets import CodeSets
from gateway.domain.claim import Claim
from gateway.domain.findings import Finding, RuleResult, Severity, SourceStatus
from gateway.domain.history import History
from gateway.errors import RuleViolation
from gateway.rules import engine
from gateway.rules.book import RuleBook, load_rule_book


def evaluate(
    claim: Claim, history: History | None, book: RuleBook, codes: CodeSets | None = None
) -> RuleResult:
    """Check one claim against ``book`` (the caller loads it from its settings' payer_configs);
    without ``codes`` the shipped ICD-10-CM release."""
    return engine.evaluate(claim, history if history is not None else History.empty(), book, codes)


def raise_if_held(claim: Claim, result: RuleResult) -> None:
    """For the build path: a one-line ``RuleViolation`` (claim id, first error's rule) when held."""
    if not result.held:
        return
    first, *others = result.errors
    more = f" (and {len(others)} more error(s))" if others else ""
    where = f"line {first.line}: " if first.line is not None else ""
    raise RuleViolation(
        f"claim {claim.patient_control_number} held by payer rules: {where}{first.rule_id} "
        f"[{first.source}]: {first.message}{more}",
        claim_id=claim.patient_control_number,
        rule_id=first.rule_id,
    )


__all__ = [
    "Finding",
    "History",
    "RuleBook",
    "RuleResult",
    "Severity",
    "SourceStatus",
    "evaluate",
    "load_rule_book",
    "raise_if_held",
]
