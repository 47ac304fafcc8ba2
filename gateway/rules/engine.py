"""The rule engine: pure ``(claim, history, rule book) -> RuleResult``; no I/O, no queries.

History (earlier claims of the same patient) is passed in; the store's ``HistoryProvider``
builds it.  A claim for which no payer file or version applies is not held: it gets one
warning saying it was not checked, and the result records that no pack checked it.
"""

from __future__ import annotations

from gateway.codesets import CodeSets, default_code_sets
from gateway.codesets.claim_checks import icd10_findings
from gateway.domain.claim import Claim
from gateway.domain.findings import Finding, RuleResult, Severity, SourceStatus
from gateway.domain.history import History
from gateway.rules.book import NoRuleSet, RuleBook
from gateway.rules.facts import Facts
from gateway.rules.kinds import CHECKS

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1}


def evaluate(claim: Claim, history: History, book: RuleBook, codes: CodeSets | None = None) -> RuleResult:
    """``codes``: the code sets to judge by (default: the shipped ICD-10-CM release only)."""
    return evaluate_with_facts(claim, history, book, codes)[0]


def evaluate_with_facts(
    claim: Claim, history: History, book: RuleBook, codes: CodeSets | None = None
) -> tuple[RuleResult, Facts | None]:
    """``evaluate``, and the facts the rules worked out (None when no rule set applied), for a
    caller that reads more of the same claim (the completeness review of one screening)."""
    codes = codes if codes is not None else default_code_sets()
    # Code-set validity is national (HIPAA code sets), so it applies whatever the payer file.
    coded = icd10_findings(claim, codes.icd10)
    ruleset = book.ruleset_for(claim)
    if isinstance(ruleset, NoRuleSet):
        note = Finding(
            severity=Severity.WARNING,
            rule_id="routing.not_checked",
            source="payer_configs/routing.yaml",
            status=SourceStatus.VERIFIED,
            message=ruleset.reason,
            fix=ruleset.fix,
        )
        coded.sort(key=lambda f: (_ORDER[f.severity], f.line or 0, f.rule_id))
        return RuleResult(
            pack_version=f"none+{book.digest}", payer=ruleset.payer, findings=(*coded, note)
        ), None
    facts = Facts(claim, history, ruleset.catalog, codes)
    day = facts.dos
    findings: list[Finding] = coded
    for compiled in ruleset.rules_for(facts.codes):
        rule = compiled.rule
        if (rule.effective_from is not None and day < rule.effective_from) or (
            rule.effective_to is not None and day > rule.effective_to
        ):
            continue
        findings.extend(CHECKS[rule.kind](compiled, facts))
    findings.sort(key=lambda f: (_ORDER[f.severity], f.line or 0, f.rule_id))
    return RuleResult(pack_version=ruleset.version_id, payer=ruleset.payer, findings=tuple(findings)), facts
