"""The rule book: validated payer_configs/ plus routing, version choice and compiled rule sets.

``load_rule_book(folder)`` reads and validates the folder once per process (it is cached);
``RuleBook.ruleset_for(claim)`` routes the claim to a payer file, picks the payer version and
each pack version in force on the claim's first date of service, and returns the compiled rules
(compiled once per combination, then cached).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gateway.domain.claim import Claim
from gateway.rules.compiled import CompiledRule, attach_dx, compile_rule
from gateway.rules.config import LoadedConfig, PayerFile, PayerVersion, Procedure, load_config
from gateway.rules.crosscheck import code_groups
from gateway.rules.models import DxCoverage

_MEMO_LIMIT = 4096


@dataclass(frozen=True)
class RuleSet:
    """The compiled rules one claim is checked against; ``version_id`` is recorded on the claim."""

    payer: str
    version_id: str
    rules: tuple[CompiledRule, ...]
    catalog: dict[str, Procedure]
    always: tuple[int, ...] = field(init=False, repr=False)
    by_code: dict[str, tuple[int, ...]] = field(init=False, repr=False)
    # Claims repeat a handful of code combinations, so the selection is memoised per code set.
    _chosen: dict[frozenset[str], tuple[CompiledRule, ...]] = field(
        init=False, repr=False, default_factory=dict, compare=False
    )

    def __post_init__(self) -> None:
        # Index rules by the codes that trigger them, so a claim only runs the rules its codes
        # can fire (about a fifth of them); rules without a trigger always run.
        always: list[int] = []
        by_code: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            if rule.trigger is None:
                always.append(index)
            else:
                for code in rule.trigger:
                    by_code.setdefault(code, []).append(index)
        object.__setattr__(self, "always", tuple(always))  # frozen dataclass: set once, here
        object.__setattr__(self, "by_code", {code: tuple(ids) for code, ids in by_code.items()})

    def rules_for(self, codes: frozenset[str]) -> tuple[CompiledRule, ...]:
        """The rules worth running for a claim with these codes, in file order."""
        known = self._chosen.get(codes)
        if known is not None:
            return known
        chosen = set(self.always)
        for code in codes:
            chosen.update(self.by_code.get(code, ()))
        selected = tuple(self.rules[index] for index in sorted(chosen))
        if len(self._chosen) >= _MEMO_LIMIT:
            self._chosen.clear()
        self._chosen[codes] = selected
        return selected


@dataclass(frozen=True)
class NoRuleSet:
    """Why a claim has no rule set: no payer file matched, or no version was in force."""

    reason: str
    fix: str
    payer: str | None = None


class RuleBook:
    def __init__(self, config: LoadedConfig) -> None:
        self.config = config
        self.groups = code_groups(config)
        self._compiled: dict[tuple[object, ...], RuleSet] = {}
        self._by_day: dict[tuple[str, dt.date], RuleSet] = {}
        # The last claim asked about and its answer: screening asks three times per claim (prior
        # authorization, the rules, the completeness review), and a claim is immutable.
        self._last: tuple[Claim, RuleSet | NoRuleSet] | None = None

    @property
    def digest(self) -> str:
        return self.config.digest[:8]

    def route(self, claim: Claim) -> PayerFile | None:
        payer_id = claim.payer.payer_id.upper()
        indicator = claim.subscriber.claim_filing_indicator.value
        state = claim.payer.state or claim.billing_provider.address.state
        for route in self.config.routes:
            if route.payer_ids is not None and payer_id not in route.payer_ids:
                continue
            if route.filing_indicators is not None and indicator not in route.filing_indicators:
                continue
            if route.states is not None and state not in route.states:
                continue
            return self.config.payers[route.payer]
        return None

    def ruleset_for(self, claim: Claim) -> RuleSet | NoRuleSet:
        last = self._last  # one read: another thread may replace it meanwhile
        if last is not None and last[0] is claim:
            return last[1]
        ruleset = self._ruleset_for(claim)
        self._last = (claim, ruleset)
        return ruleset

    def _ruleset_for(self, claim: Claim) -> RuleSet | NoRuleSet:
        payer = self.route(claim)
        if payer is None:
            return NoRuleSet(
                reason=(
                    f"No payer rule file matches payer id {claim.payer.payer_id} "
                    f"(filing indicator {claim.subscriber.claim_filing_indicator.value}, state "
                    f"{claim.payer.state or claim.billing_provider.address.state}); the claim was not checked."
                ),
                fix="add a route in payer_configs/routing.yaml if this payer needs rules",
            )
        day = claim.first_service_date
        cached = self._by_day.get((payer.payer, day))
        if cached is not None:
            return cached
        version = next((v for v in payer.versions if v.in_force(day)), None)
        if version is None:
            return NoRuleSet(
                reason=f"{payer.payer} has no rule version in force on {day}; the claim was not checked.",
                fix=f"add a version covering {day} to {self.config.files[f'payer:{payer.payer}']}",
                payer=payer.payer,
            )
        ruleset = self.ruleset(payer, version, day)
        self._by_day[(payer.payer, day)] = ruleset
        return ruleset

    def ruleset(self, payer: PayerFile, version: PayerVersion, day: dt.date) -> RuleSet:
        """The compiled rules of one payer version with the pack versions in force on ``day``."""
        packs = tuple(
            (name, next((pv.version for pv in self.config.packs[name].versions if pv.in_force(day)), None))
            for name in version.packs
        )
        key = (payer.payer, version.version, packs)
        ruleset = self._compiled.get(key)
        if ruleset is None:
            ruleset = self._compile(payer, version, packs)
            self._compiled[key] = ruleset
        return ruleset

    def _compile(
        self, payer: PayerFile, version: PayerVersion, packs: tuple[tuple[str, str | None], ...]
    ) -> RuleSet:
        config = self.config
        overrides = {o.rule: o.severity for o in version.overrides}
        disabled = {d.rule for d in version.disable}
        rules: list[CompiledRule] = []
        for pack_name, pack_version_id in packs:
            pack = config.packs[pack_name]
            pack_version = next((v for v in pack.versions if v.version == pack_version_id), None)
            if pack_version is None:
                continue  # the pack has no version in force on this date: nothing to enforce
            for rule in pack_version.rules:
                if rule.id in disabled:
                    continue
                rules.append(
                    compile_rule(
                        rule,
                        groups=self.groups,
                        lcd_sources=frozenset(pack.lcd_sources),
                        policy=version.policies.get(pack_name),
                        sources=config.sources,
                        override=overrides.get(rule.id),
                    )
                )
        for rule in version.rules:
            if rule.id in disabled:
                continue
            compiled = compile_rule(
                rule,
                groups=self.groups,
                lcd_sources=frozenset(),
                policy=None,
                sources=config.sources,
                override=overrides.get(rule.id),
            )
            if isinstance(rule, DxCoverage):
                compiled = attach_dx(compiled, rule, config.dx, self.groups, overrides.get(rule.id))
            rules.append(compiled)
        fingerprint = hashlib.sha256(f"{config.digest}|{packs}".encode()).hexdigest()[:8]
        return RuleSet(
            payer=payer.payer,
            version_id=f"{payer.payer}@{version.version}+{fingerprint}",
            rules=tuple(rules),
            catalog=config.procedures,
        )


@lru_cache(maxsize=8)
def _cached(root: str) -> RuleBook:
    return RuleBook(load_config(Path(root)))


def load_rule_book(payer_configs_dir: Path | str) -> RuleBook:
    """Load, validate and compile-on-demand the rule packs; cached per folder for the process.

    Raises ``ConfigProblems`` (a ``ConfigError``) listing every problem by file and key.
    """
    return _cached(str(Path(payer_configs_dir).resolve()))
