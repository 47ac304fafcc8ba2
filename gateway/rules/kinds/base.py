"""Helpers shared by the rule-kind modules."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.domain.findings import Category, Finding, Severity, SourceStatus
from gateway.rules.compiled import CompiledRule


def finding(
    rule: CompiledRule,
    message: str,
    fix: str,
    line: int | None = None,
    *,
    severity: Severity | None = None,
    source: str | None = None,
    status: SourceStatus | None = None,
    category: Category | None = None,
) -> Finding:
    """A finding of ``rule``; the rule's own ``fix:`` text (if any) replaces the default hint."""
    return Finding(
        severity=severity or rule.severity,
        rule_id=rule.id,
        source=source or rule.source,
        status=status or rule.status,
        message=message,
        fix=rule.rule.fix or fix,
        line=line,
        category=category or rule.category,
    )


def not_stated(rule: CompiledRule, what: str, why: str, fix: str, line: int | None = None) -> Finding:
    """The rule needs a fact the evidence does not state: a documentation warning, never a guess.

    The fix names the evidence field to fill; the rule's own ``fix:`` (written for the case where
    the fact is stated and fails) does not apply here.
    """
    return Finding(
        severity=Severity.WARNING,
        rule_id=rule.id,
        source=rule.source,
        status=rule.status,
        message=f"Not stated: {what} ({why}).",
        fix=fix,
        line=line,
        category=Category.DOCUMENTATION,
    )


def either(items: Iterable[str]) -> str:
    """'RT or LT', 'XS, XU or 59'."""
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def plural(count: float, word: str) -> str:
    return f"{count:g} {word}{'' if count == 1 else 's'}"
