"""A rule made ready to run for one payer: selectors expanded, status and severity settled.

How sure a finding is depends on the payer, not only on the pack: the ESI pack's numbers were
read in five MACs' LCDs, so under CGS (L39015, read) they are *verified*, under Novitas
(L36920, not read but harmonised with them) *derived*, and under a MAC with no LCD on file
*unverified*.  Only verified rules, or rules a reviewer signed off (``reviewed:``), may hold a
claim; everything else is capped at warning.  National sources (NCD, CFR, NCCI) keep their own
status whatever the MAC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from gateway.domain.findings import Category, Severity, SourceStatus
from gateway.rules import codes as selectors
from gateway.rules.config import DxArticle, Policy, SourceEntry
from gateway.rules.models import DxCoverage, PtpEdits, Rule, UnitLimit

SELECTOR_FIELDS = (
    "codes",
    "not_with",
    "prior_codes",
    "unless_prior_codes",
    "permanent_codes",
    "trial_codes",
    "sedation_codes",
    "always_intent_codes",
)
# What a finding of each kind means to an operator (a rule may override it with ``category:``).
KIND_CATEGORY: dict[str, Category] = {
    "noncovered_code": Category.COVERAGE,
    "modifier_not_allowed": Category.CODING,
    "modifier_conflict": Category.CODING,
    "modifier_required": Category.CODING,
    "bilateral_not_allowed": Category.COVERAGE,
    "max_units": Category.CODING,
    "ptp": Category.CODING,
    "ncci_files": Category.CODING,
    "max_levels": Category.COVERAGE,
    "one_region_per_session": Category.COVERAGE,
    "same_session_exclusive": Category.COVERAGE,
    "frequency": Category.COVERAGE,
    "prior_relief": Category.COVERAGE,
    "min_interval": Category.COVERAGE,
    "conservative_care": Category.COVERAGE,
    "pain_duration": Category.COVERAGE,
    "imaging_guidance": Category.COVERAGE,
    "provocative_tests": Category.COVERAGE,
    "scs_requirements": Category.COVERAGE,
    "prior_auth": Category.PRIOR_AUTH,
    "dx_coverage": Category.COVERAGE,
    "documentation": Category.DOCUMENTATION,
    "clinical_findings": Category.COVERAGE,
    "sedation": Category.COVERAGE,
    "one_muscle_region": Category.COVERAGE,
    "block_after_ablation": Category.COVERAGE,
    "relief_hours": Category.DOCUMENTATION,
    "scs_trials": Category.COVERAGE,
    "site_of_service": Category.COVERAGE,
    "hardware_limits": Category.COVERAGE,
    "cyst_repeat": Category.COVERAGE,
    "prior_function": Category.COVERAGE,
}
_STRENGTH = {SourceStatus.VERIFIED: 2, SourceStatus.DERIVED: 1, SourceStatus.UNVERIFIED: 0}


def weaker(first: SourceStatus, second: SourceStatus) -> SourceStatus:
    return first if _STRENGTH[first] <= _STRENGTH[second] else second


@dataclass(frozen=True, slots=True)
class DxEntry:
    """One billing & coding article's ICD-10 groups, by CPT: (exact codes, prefixes)."""

    label: str
    status: SourceStatus
    severity: Severity
    by_cpt: Mapping[str, tuple[frozenset[str], tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    severity: Severity
    status: SourceStatus
    source: str
    trigger: frozenset[str] | None
    category: Category = Category.COVERAGE
    sets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    dx: tuple[DxEntry, ...] = ()

    @property
    def id(self) -> str:
        return self.rule.id

    def codes(self, name: str = "codes") -> frozenset[str]:
        return self.sets.get(name, frozenset())


def expand_selectors(rule: Rule, groups: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Expanded code sets by field name; ValueError names the field on a bad selector."""
    sets: dict[str, frozenset[str]] = {}
    for name in SELECTOR_FIELDS:
        value = getattr(rule, name, None)
        if value is None:
            continue
        try:
            sets[name] = selectors.expand(value, groups)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    if isinstance(rule, PtpEdits):
        for index, pair in enumerate(rule.pairs):
            try:
                sets[f"ptp{index}"] = selectors.expand(pair.column2, groups)
            except ValueError as error:
                raise ValueError(f"pairs[{index}].column2: {error}") from None
    if isinstance(rule, UnitLimit):
        sets["codes"] = frozenset(rule.limits)
    return sets


def _label(source_id: str, sources: Mapping[str, SourceEntry]) -> str:
    entry = sources.get(source_id)
    if entry is None or entry.version is None:
        return source_id
    return f"{source_id} v{entry.version}"


def settle(
    rule: Rule,
    *,
    lcd_sources: frozenset[str],
    policy: Policy | None,
    sources: Mapping[str, SourceEntry],
) -> tuple[SourceStatus, str]:
    """(status, source label) of ``rule`` under one payer's policy for the rule's pack."""
    cited = [s for s in rule.sources if s in lcd_sources]
    if not cited:  # a national source (NCD, CFR, NCCI, MLN) or an article: same for every payer
        return rule.status, ", ".join(_label(s, sources) for s in rule.sources)
    if policy is not None and policy.lcd in rule.sources:
        return rule.status, _label(policy.lcd, sources)
    read_in = _label(cited[0], sources)
    if policy is not None and set(policy.harmonized_with) & set(rule.sources):
        status = weaker(rule.status, SourceStatus.DERIVED)
        return status, f"{_label(policy.lcd, sources)} (harmonized; number read in {read_in})"
    lcd = _label(policy.lcd, sources) if policy is not None else "no LCD on file for this MAC"
    return SourceStatus.UNVERIFIED, f"{lcd} (number read in {read_in})"


def effective_severity(rule: Rule, status: SourceStatus, override: Severity | None) -> Severity:
    wanted = override if override is not None else rule.severity
    if wanted is Severity.ERROR and status is not SourceStatus.VERIFIED and rule.reviewed is None:
        return Severity.WARNING
    return wanted


def compile_rule(
    rule: Rule,
    *,
    groups: Mapping[str, frozenset[str]],
    lcd_sources: frozenset[str],
    policy: Policy | None,
    sources: Mapping[str, SourceEntry],
    override: Severity | None = None,
) -> CompiledRule:
    sets = expand_selectors(rule, groups)
    status, label = settle(rule, lcd_sources=lcd_sources, policy=policy, sources=sources)
    trigger_selector = rule.trigger()
    trigger: frozenset[str] | None = None
    if trigger_selector is not None:
        trigger = selectors.expand(trigger_selector, groups)
        if selectors.ALL in trigger:
            trigger = None
    return CompiledRule(
        rule=rule,
        severity=effective_severity(rule, status, override),
        status=status,
        source=label,
        trigger=trigger,
        category=rule.category or KIND_CATEGORY.get(rule.kind, Category.COVERAGE),
        sets=sets,
    )


def attach_dx(
    compiled: CompiledRule,
    rule: DxCoverage,
    articles: Mapping[str, DxArticle],
    groups: Mapping[str, frozenset[str]],
    override: Severity | None,
) -> CompiledRule:
    """``compiled`` with its articles' ICD-10 groups indexed by CPT (codes without dots).

    A line is covered when any group of the article that lists its CPT lists one of its
    diagnoses; a trailing ``*`` in a group's code makes it a prefix.  An article's own status caps
    the rule's (secondary lists stay warnings).
    """
    entries: list[DxEntry] = []
    for article_id in rule.articles:
        article = articles[article_id]
        by_cpt: dict[str, tuple[set[str], set[str]]] = {}
        for group in article.groups:
            exact = {c.replace(".", "").upper() for c in group.codes if not c.endswith("*")}
            prefixes = {c[:-1].replace(".", "").upper() for c in group.codes if c.endswith("*")}
            for cpt in selectors.expand(group.cpt, groups):
                known = by_cpt.setdefault(cpt, (set(), set()))
                known[0].update(exact)
                known[1].update(prefixes)
        status = weaker(rule.status, article.status)
        label = article.article + (f" v{article.version}" if article.version else "")
        label += f" ({article.mac})" if article.mac else ""
        entries.append(
            DxEntry(
                label=label,
                status=status,
                severity=effective_severity(rule, status, override),
                by_cpt={cpt: (frozenset(e), tuple(sorted(p))) for cpt, (e, p) in by_cpt.items()},
            )
        )
    return replace(compiled, dx=tuple(entries))
