"""Payer rule packs: hold what a payer would deny, and say why and how to fix it.

The build path calls::

    from gateway.rules import evaluate, load_rule_book
    result = evaluate(claim, history)            # default book from settings, loaded once
    result.held, result.findings, result.pack_version

``history`` comes from ``gateway.store.history.HistoryProvider`` (or ``History.empty()``).
"""

from __future__ import annotations

from gateway.domain.claim import Claim
from gateway.domain.findings import Finding, RuleResult, Severity, SourceStatus
from gateway.domain.history import History
from gateway.rules import engine
from gateway.rules.book import RuleBook, load_rule_book


def evaluate(claim: Claim, history: History | None = None, book: RuleBook | None = None) -> RuleResult:
    """Check one claim; without ``book`` the rule book of ``GATEWAY_PAYER_CONFIGS`` is used."""
    if book is None:
        from gateway.settings import Settings

        book = load_rule_book(Settings.from_env().payer_configs)
    return engine.evaluate(claim, history if history is not None else History.empty(), book)


__all__ = [
    "Finding",
    "History",
    "RuleBook",
    "RuleResult",
    "Severity",
    "SourceStatus",
    "evaluate",
    "load_rule_book",
]
