"""Before a claim may be built: prior authorization on file, then the payer rules.

Order (see gateway.store.auths.authorize_claim): when the payer's prior_auth rules name a
code of the claim, the authorizations on file are matched first, so an approved one puts its
number into 2300 REF*G1 and an expired, exhausted or denied one holds the claim with that
precise reason.  Then the payer rules run on the (possibly updated) claim with the patient's
history from the store.  A claim is held when either step says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.codesets import CodeSets
from gateway.domain.auth import AuthDecision
from gateway.domain.claim import Claim
from gateway.domain.findings import RuleResult
from gateway.rules import RuleBook, evaluate
from gateway.rules.book import RuleSet
from gateway.store.auths import authorize_claim
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

    @property
    def held(self) -> bool:
        return self.rules.held or bool(self.auth_reasons)

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


def _auth_codes(book: RuleBook, claim: Claim) -> frozenset[str]:
    """Codes of this claim that a prior_auth rule of its payer names."""
    ruleset = book.ruleset_for(claim)
    if not isinstance(ruleset, RuleSet):
        return frozenset()
    codes = frozenset(line.procedure_code for line in claim.service_lines)
    return frozenset(
        code
        for rule in ruleset.rules_for(codes)
        if rule.rule.kind == PRIOR_AUTH_KIND
        for code in rule.codes() & codes
    )


def screen_claim(
    claim: Claim, store: Store, book: RuleBook, history: HistoryProvider, codes: CodeSets | None = None
) -> Screened:
    decision: AuthDecision | None = None
    auth_reasons: tuple[str, ...] = ()
    needs_auth = _auth_codes(book, claim)
    if needs_auth:
        with store.session() as session:
            decision = authorize_claim(session, claim, needs_auth)
        if decision.held:
            # Without any authorization on file and without a number on the claim, the payer
            # rule's own finding says it better (which program, which code); keep the store's
            # reasons for the cases it knows more about (denied, expired, exhausted).
            if claim.prior_authorization or not all(
                "no authorization on file" in r for r in decision.reasons
            ):
                auth_reasons = decision.reasons
        else:
            claim = decision.claim
    result = evaluate(
        claim, history.for_claim(claim), book, codes if codes is not None else load_code_sets(store)
    )
    return Screened(claim, result, decision, auth_reasons)


def screen_claims(claims: Sequence[Claim], store: Store, book: RuleBook) -> ScreenResult:
    history = HistoryProvider(store)
    codes = load_code_sets(store)
    outcome = ScreenResult()
    for claim in claims:
        screened = screen_claim(claim, store, book, history, codes)
        (outcome.held if screened.held else outcome.ready).append(screened)
    return outcome
