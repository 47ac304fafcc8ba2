"""Checks across files: every reference (source, pack, group, rule id, article, payer) resolves.

Runs after each file validated on its own; returns problem lines ``file: key: what``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

from gateway.domain.findings import Severity, SourceStatus
from gateway.rules import codes as selectors
from gateway.rules.compiled import expand_selectors
from gateway.rules.config import LoadedConfig, PayerVersion, Versioned
from gateway.rules.models import DxCoverage, Rule


def code_groups(config: LoadedConfig) -> dict[str, frozenset[str]]:
    """Group name -> codes: every procedure's family plus its listed groups."""
    groups: dict[str, set[str]] = {}
    for proc in config.procedures.values():
        for name in (proc.family, *proc.groups):
            groups.setdefault(name.lower(), set()).add(proc.code)
    return {name: frozenset(members) for name, members in groups.items()}


def cross_check(config: LoadedConfig) -> list[str]:
    groups = code_groups(config)
    problems: list[str] = []
    for name, pack in config.packs.items():
        where = config.files[f"pack:{name}"]
        problems += [
            f"{where}: lcd_sources: unknown source '{s}'" for s in pack.lcd_sources if s not in config.sources
        ]
        problems += _overlaps(where, pack.versions)
        for vi, version in enumerate(pack.versions):
            problems += _rules(
                config, groups, f"{where}: versions[{vi}] '{version.version}'.rules", version.rules
            )
            for ui, unknown in enumerate(version.unknown):
                problems += [
                    f"{where}: versions[{vi}].unknown[{ui}].sources: unknown source '{s}'"
                    for s in unknown.sources
                    if s not in config.sources
                ]
    for article_id, article in config.dx.items():
        where = config.files[f"article:{article_id}"]
        for gi, group in enumerate(article.groups):
            try:
                selectors.expand(group.cpt, groups)
            except ValueError as error:
                problems.append(f"{where}: groups[{gi}].cpt: {error}")
    for name, payer in config.payers.items():
        where = config.files[f"payer:{name}"]
        problems += _overlaps(where, payer.versions)
        for vi, payer_version in enumerate(payer.versions):
            at = f"{where}: versions[{vi}] '{payer_version.version}'"
            problems += _payer_version(config, groups, at, payer_version)
    for ri, route in enumerate(config.routes):
        if route.payer not in config.payers:
            problems.append(f"routing.yaml: routes[{ri}].payer: no payer file defines '{route.payer}'")
        if route.payer_ids is None and route.filing_indicators is None:
            problems.append(f"routing.yaml: routes[{ri}]: give payer_ids or filing_indicators")
    return problems


def _overlaps(where: str, versions: Sequence[Versioned]) -> Iterator[str]:
    ordered = sorted(versions, key=lambda v: v.effective_from)
    for version in ordered:
        if version.effective_to is not None and version.effective_to < version.effective_from:
            yield f"{where}: version '{version.version}': effective_to is before effective_from"
    for earlier, later in itertools.pairwise(ordered):
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            yield (
                f"{where}: versions '{earlier.version}' and '{later.version}' overlap "
                f"(close '{earlier.version}' with effective_to before {later.effective_from})"
            )
    names = [v.version for v in versions]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        yield f"{where}: version '{dup}' is listed twice"


def _rules(
    config: LoadedConfig, groups: Mapping[str, frozenset[str]], where: str, rules: Sequence[Rule]
) -> Iterator[str]:
    seen: set[str] = set()
    for ri, rule in enumerate(rules):
        at = f"{where}[{ri}] '{rule.id}'"
        if rule.id in seen:
            yield f"{at}.id: rule id is used twice"
        seen.add(rule.id)
        for source in rule.sources:
            if source not in config.sources:
                yield f"{at}.sources: unknown source '{source}' (add it to sources.yaml)"
        read = [config.sources[s].status for s in rule.sources if s in config.sources]
        if rule.status is SourceStatus.VERIFIED and read and SourceStatus.VERIFIED not in read:
            yield f"{at}.status: verified, but none of its sources is verified in sources.yaml"
        try:
            expand_selectors(rule, groups)
        except ValueError as error:
            yield f"{at}.{error}"
        if isinstance(rule, DxCoverage):
            for article in rule.articles:
                if article not in config.dx:
                    yield f"{at}.articles: no dx/ file defines article '{article}'"
        if rule.effective_from and rule.effective_to and rule.effective_to < rule.effective_from:
            yield f"{at}.effective_to: before effective_from"


def _payer_version(
    config: LoadedConfig, groups: Mapping[str, frozenset[str]], where: str, version: PayerVersion
) -> Iterator[str]:
    known_rules: dict[str, Rule] = {}
    for pi, pack_name in enumerate(version.packs):
        pack = config.packs.get(pack_name)
        if pack is None:
            yield f"{where}.packs[{pi}]: no pack file defines '{pack_name}'"
            continue
        for pack_version in pack.versions:
            known_rules.update({rule.id: rule for rule in pack_version.rules})
    for key, policy in version.policies.items():
        if key not in version.packs:
            yield f"{where}.policies.{key}: not one of this version's packs"
        for source in (policy.lcd, *policy.harmonized_with):
            if source not in config.sources:
                yield f"{where}.policies.{key}: unknown source '{source}'"
    yield from _rules(config, groups, f"{where}.rules", version.rules)
    for rule in version.rules:
        if rule.id in known_rules:
            yield f"{where}.rules '{rule.id}': id already used by a pack; pick a new id or use overrides"
        known_rules[rule.id] = rule
    for oi, override in enumerate(version.overrides):
        target = known_rules.get(override.rule)
        if target is None:
            yield f"{where}.overrides[{oi}].rule: no rule '{override.rule}' in this payer's packs"
        elif (
            override.severity is Severity.ERROR
            and target.status is not SourceStatus.VERIFIED
            and target.reviewed is None
        ):
            yield (
                f"{where}.overrides[{oi}]: '{override.rule}' is {target.status.value}; "
                "it may hold claims only with a `reviewed:` sign-off on the rule"
            )
    for di, disabled in enumerate(version.disable):
        if disabled.rule not in known_rules:
            yield f"{where}.disable[{di}].rule: no rule '{disabled.rule}' in this payer's packs"
