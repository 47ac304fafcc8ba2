"""A 999 or 277CA re-sent in a new interchange (new ISA13, GS06, ST02; same content) is recorded
as a duplicate event that changes nothing; a different answer, or the same words about another
claim, is recorded as usual.  On SQLite and PostgreSQL (``any_store``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.domain.status import ClaimStatus
from gateway.pipeline.inbound import IngestOutcome, ingest_file
from gateway.store.db import Store
from gateway.store.ledger import unknown_acks
from gateway.store.repository import record_outbound_file
from gateway.store.schema import ClaimRow, EventRow
from tests.inbound.test_ledger import OUR_GS06, send_claim
from tests.inbound.x12_fixtures import interchange, status_277ca, transaction


def ack_999(control: str, group: str, st02: str, verdict: str = "R", our_group: str = OUR_GS06) -> str:
    errors = ["IK3*CLM*22**8", "IK4*2*782*7*9999"] if verdict == "R" else []
    body = [f"AK1*HC*{our_group}*005010X222A1", "AK2*837*0001*005010X222A1", *errors, f"IK5*{verdict}",
            f"AK9*{verdict}*1*1*{1 if verdict == 'A' else 0}"]  # fmt: skip
    return interchange(
        [transaction("999", st02, body)],
        functional_id="FA", implementation="005010X231A1", control=control, group=group,
    )  # fmt: skip


def send_corrected_claim(store: Store) -> int:
    """PCN-1 again, same charge, as a new claim row in another 837P (ISA13 102, GS06 102)."""
    with store.session() as session:
        row = ClaimRow(
            patient_control_number="PCN-1", payer_id="PAYER01", billing_npi="1234567893", patient_key="k" * 64,
            first_service_date=dt.date(2026, 11, 5), total_charge=Decimal(1500), status=ClaimStatus.QUEUED,
            payload="{}",
        )  # fmt: skip
        session.add(row)
        session.flush()
        record_outbound_file(
            session, kind="837P", path="outbound/corrected.x12", data=b"ISA... our corrected 837P",
            sender_id="PAINCLINIC", receiver_id="CLEARINGHOUSE", interchange_control_number="000000102",
            group_control_number="102", claims=[(row, "0001")],
        )  # fmt: skip
        return row.id


def ingest(store: Store, folder: Path, name: str, text: str) -> IngestOutcome:
    path = folder / name
    path.write_text(text)
    return ingest_file(store, path, folder / "quarantine")


def events(store: Store) -> list[tuple[int | None, str, str, dict[str, object]]]:
    with store.session() as session:
        rows = session.scalars(select(EventRow).where(EventRow.file_id.is_not(None)).order_by(EventRow.id))
        return [(row.claim_id, row.kind, row.status or "", json.loads(row.detail or "{}")) for row in rows]


def claim_state(store: Store, claim_id: int) -> tuple[str, str | None]:
    with store.session() as session:
        row = session.get(ClaimRow, claim_id)
        assert row is not None
        return row.status, row.status_reason


@pytest.mark.postgres
def test_a_re_sent_999_is_a_duplicate_event_that_changes_nothing(any_store: Store, tmp_path: Path) -> None:
    claim_id = send_claim(any_store)
    first = ingest(any_store, tmp_path, "a.999", ack_999("000000301", "301", "0001"))
    assert (first.matched_claims, first.resent_answers) == (1, 0)
    state = claim_state(any_store, claim_id)
    assert state[0] == "rejected"

    again = ingest(any_store, tmp_path, "b.999", ack_999("000000302", "302", "0002"))
    assert not again.duplicate  # new bytes: recorded as a file, its answer as a duplicate
    assert (again.events, again.matched_claims, again.unmatched, again.resent_answers) == (2, 0, 0, 1)
    assert again.describe() == (
        f"{tmp_path / 'b.999'}: 999, 1 transactions, 2 events (0 for known claims, 0 unmatched), "
        "1 acknowledgments or claim statuses already recorded (re-sent)"
    )
    assert claim_state(any_store, claim_id) == state
    [*_, (dup_claim, kind, status, detail)] = events(any_store)
    assert (dup_claim, kind, status) == (claim_id, "999.duplicate", "duplicate")
    original = [e for e in events(any_store) if e[1] == "999"]
    assert len(original) == 1
    assert detail["summary"] == (
        f"999 re-sent: {original[0][3]['summary']} was recorded from inbound file #{first.file_id}; nothing changed"
    )
    assert detail["original_file_id"] == first.file_id and detail["interchange_control_number"] == "000000302"

    third = ingest(any_store, tmp_path, "c.999", ack_999("000000303", "303", "0003"))
    assert third.resent_answers == 1 and len([e for e in events(any_store) if e[1] == "999"]) == 1


def test_a_re_sent_277ca_is_a_duplicate_but_a_new_status_is_recorded(
    sqlite_store: Store, tmp_path: Path
) -> None:
    claim_id = send_claim(sqlite_store)
    ingest(sqlite_store, tmp_path, "a.277", status_277ca("000000401", "401", "0001"))
    accepted = claim_state(sqlite_store, claim_id)
    assert accepted[0] == "accepted"

    again = ingest(sqlite_store, tmp_path, "b.277", status_277ca("000000402", "402", "0007"))
    assert (again.matched_claims, again.resent_answers) == (0, 1)
    assert claim_state(sqlite_store, claim_id) == accepted
    later = ingest(
        sqlite_store, tmp_path, "c.277", status_277ca("000000403", "403", "0008", "STC*A3:21*20261201*U*1500")
    )
    assert (later.matched_claims, later.resent_answers) == (1, 0)
    assert [(c, k, s) for c, k, s, _ in events(sqlite_store) if k.startswith("277")] == [
        (claim_id, "277CA", "accepted"),
        (claim_id, "277CA.duplicate", "duplicate"),
        (claim_id, "277CA", "rejected"),
    ]


def test_the_same_277ca_words_about_a_corrected_claim_under_the_same_pcn_are_recorded(
    sqlite_store: Store, tmp_path: Path
) -> None:
    first_claim = send_claim(sqlite_store)
    ingest(sqlite_store, tmp_path, "a.277", status_277ca("000000501", "501", "0001"))
    corrected = send_corrected_claim(sqlite_store)
    outcome = ingest(sqlite_store, tmp_path, "b.277", status_277ca("000000502", "502", "0002"))
    assert (outcome.matched_claims, outcome.resent_answers) == (1, 0)
    assert claim_state(sqlite_store, corrected)[0] == "accepted"
    assert [(c, k) for c, k, _, _ in events(sqlite_store) if k.startswith("277")] == [
        (first_claim, "277CA"),
        (corrected, "277CA"),
    ]


def test_a_re_sent_999_for_an_interchange_we_never_sent_is_counted_once(
    sqlite_store: Store, tmp_path: Path
) -> None:
    ingest(sqlite_store, tmp_path, "a.999", ack_999("000000601", "601", "0001", "A", our_group="777"))
    again = ingest(sqlite_store, tmp_path, "b.999", ack_999("000000602", "602", "0002", "A", our_group="777"))
    assert (again.unmatched, again.resent_answers) == (0, 1)
    assert unknown_acks(sqlite_store)[0] == 1
    assert [(c, k, s) for c, k, s, _ in events(sqlite_store) if k.startswith("999")] == [
        (None, "999", "unknown interchange"),
        (None, "999.duplicate", "duplicate"),
    ]
