"""Before a claim may be built: prior authorization on file, then the payer rules.

Order (see gateway.store.auths.authorize_claim): when the payer's prior_auth rules name a
code of the claim, the authorizations on file are matched first, so an approved one puts its
number into 2300 REF*G1 and an expired, exhausted or denied one holds the claim with that
precise reason.  Then the payer rules run on the (possibly updated) claim with the patient's
history from the store.  A claim is held when either step says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gateway.codesets import CodeSets
from gateway.domain.auth import AuthDecision, match_claim
from gateway.domain.claim import Claim
from gateway.domain.findings import RuleResult
from gateway.domain.status import Held, HoldKind
from gateway.rules import RuleBook
from gateway.rules.book import RuleSet
from gateway.rules.engine import evaluate_with_facts
from gateway.rules.facts import Facts
from gateway.store.auths import authorize
from gateway.store.codesets import load_code_sets
from gateway.store.db import Store
from gateway.store.history import HistoryProvider

PRIOR_AUTH_KIND = "prior_auth"


@dataclass(frozen=True)
class Screened:
    claim: Claim  # with REF*G1 filled when an authorization on file covers it
    rules: RuleResult
    auth: AuthDecision | None = None
    auth_reasons: tuple[str, ...] = ()
    # The payer's prior_auth rules that apply to this claim: rule id -> the claim's codes it names.
    auth_rules: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # What the rules worked out for ``claim`` (None: no rule set applied); the completeness
    # review of the same screening reads the documentation checks from it.
    facts: Facts | None = field(default=None, compare=False, repr=False)

    @property
    def held(self) -> bool:
        return self.rules.held or bool(self.auth_reasons)

    @property
    def hold_kind(self) -> HoldKind | None:
        """AUTH when only prior authorization holds the claim (an approval lifts it), else RULES."""
        if not self.held:
            return None
        other_rules = [f for f in self.rules.errors if f.rule_id not in self.auth_rules]
        return HoldKind.RULES if other_rules else HoldKind.AUTH

    def held_event(self) -> Held:
        return Held(
            self.hold_kind or HoldKind.RULES,
            rules=tuple(f.rule_id for f in self.rules.errors),
            auth=self.auth_reasons,
            pack_version=self.rules.pack_version,
        )

    @property
    def codes_to_request(self) -> frozenset[str]:
        """Codes a 278 request should ask for: held only by prior-auth rules, nothing on file.

        Empty when anything else holds the claim, or when an authorization on file was pended,
        denied, expired or used up (a new request is then the clinic's call, not ours).
        """
        if self.hold_kind is not HoldKind.AUTH or self.auth_reasons:
            return frozenset()
        return frozenset(code for f in self.rules.errors for code in self.auth_rules[f.rule_id])

    def reasons(self) -> list[str]:
        """One line per reason to hold: rule errors (with source and fix), then auth reasons."""
        lines = [
            f"{f.rule_id} [{f.source}; {f.status.value}]"
            + (f" line {f.line}" if f.line else "")
            + f": {f.message} Fix: {f.fix}"
            for f in self.rules.errors
        ]
        lines.extend(f"prior authorization: {reason}" for reason in self.auth_reasons)
        return lines


@dataclass
class ScreenResult:
    ready: list[Screened] = field(default_factory=list)
    held: list[Screened] = field(default_factory=list)


def _auth_rules(book: RuleBook, claim: Claim) -> dict[str, frozenset[str]]:
    """The prior_auth rules of this claim's payer that name one of its codes: id -> those codes."""
    ruleset = book.ruleset_for(claim)
    if not isinstance(ruleset, RuleSet):
        return {}
    codes = frozenset(line.procedure_code for line in claim.service_lines)
    return {
        rule.id: rule.codes() & codes
        for rule in ruleset.rules_for(codes)
        if rule.rule.kind == PRIOR_AUTH_KIND and rule.codes() & codes
    }


def screen_claim(
    claim: Claim,
    store: Store,
    book: RuleBook,
    history: HistoryProvider,
    code_sets: CodeSets | None = None,
    *,
    auths_on_file: bool = True,
) -> Screened:
    """``auths_on_file`` False: the caller knows the patient has no authorization on file."""
    decision: AuthDecision | None = None
    auth_reasons: tuple[str, ...] = ()
    auth_rules = _auth_rules(book, claim)
    needs_auth = frozenset(code for codes in auth_rules.values() for code in codes)
    if needs_auth:
        decision = (
            authorize(store, claim, needs_auth) if auths_on_file else match_claim(claim, [], needs_auth)
        )
        if decision.held:
            # Without any authorization on file and without a number on the claim, the payer
            # rule's own finding says it better (which program, which code); keep the store's
            # reasons for the cases it knows more about (denied, expired, exhausted).
            if claim.prior_authorization or not decision.nothing_on_file:
                auth_reasons = decision.reasons
        else:
            claim = decision.claim
    result, facts = evaluate_with_facts(
        claim, history.for_claim(claim), book, code_sets if code_sets is not None else load_code_sets(store)
    )
    return Screened(claim, result, decision, auth_reasons, auth_rules, facts)


def screen_claims(claims: Sequence[Claim], store: Store, book: RuleBook) -> ScreenResult:
    history = HistoryProvider(store)
    codes = load_code_sets(store)
    outcome = ScreenResult()
    for claim in claims:
        screened = screen_claim(claim, store, book, history, codes)
        (outcome.held if screened.held else outcome.ready).append(screened)
    return outcome
