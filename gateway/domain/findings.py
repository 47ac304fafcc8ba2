"""What the payer rules say about one claim: findings and the result the build path gates on.

A finding is either an *error* (the claim is held: the payer would deny it as sent) or a
*warning* (send it, but somebody should look).  Every finding names the rule that fired, the
policy text behind it (LCD/article/NCD id and version) and how sure we are of that text:

* ``verified``   the number was read in the primary policy text;
* ``derived``    worked out from verified text (e.g. an add-on unit cap from a level limit);
* ``unverified`` from a secondary source, or a policy harmonised with one we read.

Only verified rules (or rules a reviewer signed off) may hold a claim; the rule book caps the
others at warning.  These objects do no I/O.

Each finding also has a *category*, so an operator (or a script) can tell "the payer would deny
this" from "the record is incomplete for an audit":

* ``coverage``       the policy does not cover the service as billed (limits, indications);
* ``coding``         code-level edits: modifiers, units (MUE), NCCI pairs;
* ``prior_auth``     an authorization number is missing;
* ``documentation``  a fact the policy decides on is not stated, or the record lacks an element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Category(StrEnum):
    COVERAGE = "coverage"
    CODING = "coding"
    PRIOR_AUTH = "prior_auth"
    DOCUMENTATION = "documentation"


class SourceStatus(StrEnum):
    VERIFIED = "verified"
    DERIVED = "derived"
    UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule outcome; ``line`` is the 1-based service line number, None for the whole claim."""

    severity: Severity
    rule_id: str
    source: str
    status: SourceStatus
    message: str
    fix: str
    line: int | None = None
    category: Category = Category.COVERAGE

    @property
    def verified(self) -> bool:
        return self.status is SourceStatus.VERIFIED

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "category": self.category.value,
            "rule_id": self.rule_id,
            "source": self.source,
            "status": self.status.value,
            "verified": self.verified,
            "message": self.message,
            "fix": self.fix,
            "line": self.line,
        }


@dataclass(frozen=True, slots=True)
class RuleResult:
    """All findings for one claim and the rule-pack version that produced them.

    ``pack_version`` is what the claim records (``claims.rule_pack_version``): payer file,
    its version and a digest of every file that was loaded, so a later audit can tell exactly
    which rules checked the claim.  ``payer`` is None when no payer file matched the claim.
    """

    pack_version: str
    payer: str | None
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def held(self) -> bool:
        return any(finding.severity is Severity.ERROR for finding in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pack_version": self.pack_version,
            "payer": self.payer,
            "held": self.held,
            "findings": [finding.to_dict() for finding in self.findings],
        }
