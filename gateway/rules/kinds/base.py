"""Helpers shared by the rule-kind modules."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.domain.findings import Finding, Severity, SourceStatus
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
    )


def either(items: Iterable[str]) -> str:
    """'RT or LT', 'XS, XU or 59'."""
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def plural(count: float, word: str) -> str:
    return f"{count:g} {word}{'' if count == 1 else 's'}"
