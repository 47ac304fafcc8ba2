"""HistoryProvider over the store: the same patient's earlier lines, without the claim itself or
voided claims, feed the frequency limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus
from gateway.rules import engine
from gateway.store.db import Store
from gateway.store.history import HistoryProvider
from gateway.store.repository import upsert_claim
from tests.rules.helpers import DOS, book, claim, line


def stored(pcn: str, code: str, days: int, **changes: Any) -> Claim:
    document = claim([line(code, ["RT"], day=DOS - dt.timedelta(days=days))]).model_dump(mode="json")
    document.update(patient_control_number=pcn, **changes)
    return Claim.model_validate(document)


def test_history_counts_earlier_claims_and_holds_the_fifth_esi(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        for number, days in enumerate((300, 200, 100, 30)):
            upsert_claim(session, stored(f"OLD{number}", "64483", days), ClaimStatus.SENT)
        upsert_claim(session, stored("TOOOLD", "64483", 800), ClaimStatus.SENT)  # outside the look-back
        other = stored("OTHERPAT", "64483", 10).model_dump(mode="json")
        other["subscriber"]["member_id"] = "ZZZ9"
        upsert_claim(session, Claim.model_validate(other), ClaimStatus.SENT)
    current = claim([line("64483", ["RT"])])
    past = HistoryProvider(sqlite_store).for_claim(current)
    assert [s.service_date for s in past.services] == [
        DOS - dt.timedelta(days=d) for d in (300, 200, 100, 30)
    ]
    assert {s.modifiers for s in past.services} == {("RT",)}
    result = engine.evaluate(current, past, book())
    assert result.held
    assert any(f.rule_id == "esi.frequency" for f in result.errors)


def test_the_claim_itself_and_voided_claims_do_not_count(sqlite_store: Store) -> None:
    current = claim([line("64483", ["RT"])])
    with sqlite_store.session() as session:
        upsert_claim(session, current, ClaimStatus.HELD)  # the claim being re-checked
        upsert_claim(session, stored("VOIDED", "64483", 50), ClaimStatus.SENT)
        upsert_claim(
            session,
            stored("VOIDED", "64483", 50, frequency_code="8", original_claim_number="PAYER123"),
            ClaimStatus.SENT,
        )
        upsert_claim(session, stored("KEPT", "64493", 40), ClaimStatus.SENT)
    past = HistoryProvider(sqlite_store).for_claim(current)
    assert [(s.procedure_code, s.claim_ref) for s in past.services] == [("64493", "KEPT")]
    only_esi = HistoryProvider(sqlite_store).for_claim(current, procedure_codes=["64483"])
    assert only_esi.services == ()
