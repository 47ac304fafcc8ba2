"""`gateway denials --worklist`: recorded 835 answers -> rows an office works, most urgent first.

The sequence: the newest 835 answer of every claim still standing (replaced or voided versions
leave the list) from the store; payer_configs/denials.yaml for categories and limits; the rule
book to name the rule of our packs that would have caught the denial (same payer file, a rule
of the category's kinds that the line's procedure triggers); gateway.worklist.rows for the rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gateway.domain.claim import Claim
from gateway.domain.cob import answer_from_ledger
from gateway.rules import evaluate
from gateway.rules.book import RuleBook, RuleSet, load_rule_book
from gateway.store import followups
from gateway.store.db import Store
from gateway.worklist.config import DenialConfig, PayerLimits, load_denial_config
from gateway.worklist.rows import Answered, RuleRef, WorklistRow, worklist_rows


class _Finder:
    """A rule of the category's kinds: one that fires on the claim as sent, else one that checks the code."""

    def __init__(self, book: RuleBook) -> None:
        self.book = book
        self.fired: dict[int, set[str]] = {}

    def rule(self, claim: Claim, procedure: str, kinds: frozenset[str]) -> RuleRef | None:
        ruleset = self.book.ruleset_for(claim)
        if not isinstance(ruleset, RuleSet):
            return None
        fired = self.fired.get(id(claim))
        if fired is None:
            fired = self.fired[id(claim)] = {f.rule_id for f in evaluate(claim, None, self.book).findings}
        candidates = [
            compiled
            for compiled in ruleset.rules_for(frozenset(line.procedure_code for line in claim.service_lines))
            if compiled.rule.kind in kinds and (compiled.trigger is None or procedure in compiled.trigger)
        ]
        chosen = next((c for c in candidates if c.id in fired), None)
        if chosen is not None:
            return RuleRef(chosen.id, chosen.source, chosen.status.value, fires=True)
        if candidates:
            return RuleRef(candidates[0].id, candidates[0].source, candidates[0].status.value, fires=False)
        return None


class _Limits:
    def __init__(self, book: RuleBook, config: DenialConfig) -> None:
        self.book, self.config = book, config

    def __call__(self, claim: Claim | None) -> PayerLimits | None:
        payer = self.book.route(claim) if claim is not None else None
        if payer is None:
            return None
        return self.config.limits_for(payer.payer, payer.kind)


def denial_worklist(store: Store, payer_configs: Path, today: dt.date) -> list[WorklistRow]:
    config = load_denial_config(payer_configs)
    book = load_rule_book(payer_configs)
    answered = [
        Answered(
            item.patient_control_number,
            item.claim_id,
            Claim.model_validate_json(item.payload) if item.payload else None,
            answer_from_ledger(item.detail, item.recorded),
        )
        for item in followups.open_answers(store)
    ]
    return worklist_rows(answered, config, today, _Finder(book).rule, _Limits(book, config))
