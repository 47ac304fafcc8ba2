"""The status ledger end to end: outbound claim -> TA1 -> 999 -> 277CA -> 835, on SQLite and
on the real PostgreSQL (``any_store``), idempotent by content, and the denial view."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gateway.domain.status import ClaimStatus
from gateway.errors import ParseError
from gateway.pipeline.inbound import ingest_file
from gateway.store.db import Store
from gateway.store.ledger_read import denials, timeline
from gateway.store.ledger_tables import ClaimRefRow
from gateway.store.repository import record_outbound_file
from gateway.store.schema import ClaimRow, EventRow, X12FileRow
from tests.inbound.x12_fixtures import (
    DENIED,
    PAID_CLAIM,
    REVERSAL,
    interchange,
    isa,
    remit_835,
    status_277ca,
    transaction,
)

OUR_ISA13, OUR_GS06 = "000000101", "101"


def send_claim(store: Store, pcn: str = "PCN-1", charge: str = "1500") -> int:
    with store.session() as session:
        row = ClaimRow(
            patient_control_number=pcn,
            payer_id="PAYER01",
            billing_npi="1234567893",
            patient_key="k" * 64,
            first_service_date=dt.date(2026, 11, 5),
            total_charge=Decimal(charge),
            status=ClaimStatus.QUEUED,  # record_outbound_file moves it to built
            payload="{}",
        )
        session.add(row)
        session.flush()
        record_outbound_file(
            session,
            kind="837P",
            path="outbound/claims.x12",
            data=b"ISA... our 837P",
            sender_id="PAINCLINIC",
            receiver_id="CLEARINGHOUSE",
            interchange_control_number=OUR_ISA13,
            group_control_number=OUR_GS06,
            claims=[(row, "0001")],
        )
        return row.id


def inbound_files(folder: Path) -> list[Path]:
    ta1 = "~\n".join([isa("000000201"), f"TA1*{OUR_ISA13}*261128*0931*A*000", "IEA*0*000000201"]) + "~\n"
    ack = interchange(
        [
            transaction(
                "999",
                "0001",
                ["AK1*HC*101*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"],
            )
        ],
        functional_id="FA",
        implementation="005010X231A1",
        control="000000202",
    )
    status = status_277ca("000000203")
    remit = interchange(
        [
            remit_835(
                [PAID_CLAIM, REVERSAL, DENIED], amount="755", plb=["PLB*1234567893*20261231*WO:R1*5*L6:I*-10"]
            )
        ],
        functional_id="HP",
        implementation="005010X221A1",
        control="000000204",
    )
    paths = []
    for name, text in (("a.ta1", ta1), ("b.999", ack), ("c.277", status), ("d.835", remit)):
        path = folder / name
        path.write_text(text)
        paths.append(path)
    return paths


def counts(store: Store) -> tuple[int, int, int, str]:
    with store.session() as session:
        events = session.scalar(select(func.count()).select_from(EventRow)) or 0
        files = session.scalar(select(func.count()).select_from(X12FileRow)) or 0
        refs = session.scalar(select(func.count()).select_from(ClaimRefRow)) or 0
        status = (
            session.scalar(select(ClaimRow.status).where(ClaimRow.patient_control_number == "PCN-1")) or ""
        )
    return events, files, refs, status


@pytest.mark.postgres
def test_claim_timeline_links_every_inbound_file(any_store: Store, tmp_path: Path) -> None:
    claim_id = send_claim(any_store)
    outcomes = [ingest_file(any_store, path, tmp_path / "quarantine") for path in inbound_files(tmp_path)]
    assert [o.matched_claims for o in outcomes] == [1, 1, 1, 1]
    assert outcomes[3].unmatched == 2  # PCN-2 and PCN-3 were never sent through the gateway

    result = timeline(any_store, "PCN-1")
    assert [c.id for c in result.claims] == [claim_id] and result.claims[0].status == "paid"
    kinds = [e.kind for e in result.events if e.claim_id == claim_id]
    assert kinds == ["claim.built", "ta1", "999", "277CA", "835"]
    by_kind = {e.kind: e for e in result.events}
    assert by_kind["ta1"].summary == f"TA1 for interchange {OUR_ISA13}: accepted (000 no error)"
    assert by_kind["277CA"].detail["statuses"][0]["category_text"].startswith("acknowledgement: accepted")
    assert (
        by_kind["835"]
        .detail["service_lines"][0]["adjustments"][0]["reason_text"]
        .startswith("Charge exceeds")
    )
    assert by_kind["835"].detail["payer_claim_control_number"] == "PAYER-CN-1"

    unmatched = timeline(any_store, "PCN-3")
    assert unmatched.claims == [] and [e.status for e in unmatched.events] == ["denied"]


@pytest.mark.postgres
def test_processing_the_same_files_twice_changes_nothing(any_store: Store, tmp_path: Path) -> None:
    send_claim(any_store)
    paths = inbound_files(tmp_path)
    for path in paths:
        ingest_file(any_store, path, tmp_path / "quarantine")
    before = counts(any_store)
    again = [ingest_file(any_store, path, tmp_path / "quarantine") for path in paths]
    assert all(o.duplicate for o in again)
    assert counts(any_store) == before
    assert before[3] == "paid"


def test_a_late_999_does_not_move_a_paid_claim_back(sqlite_store: Store, tmp_path: Path) -> None:
    send_claim(sqlite_store)
    _ta1, ack, _status, remit = inbound_files(tmp_path)
    for path in (remit, ack):
        ingest_file(sqlite_store, path, tmp_path / "q")
    assert counts(sqlite_store)[3] == "paid"


def test_denials_group_by_carc_payer_and_cpt(sqlite_store: Store, tmp_path: Path) -> None:
    for path in inbound_files(tmp_path):
        ingest_file(sqlite_store, path, tmp_path / "q")
    rows = {(r.group, r.reason, r.payer, r.procedure): r for r in denials(sqlite_store)}
    denied = rows[("CO", "197", "ACME HEALTH PLAN", "(claim)")]
    assert denied.amount == Decimal(700) and denied.claims == {"PCN-3"}
    assert denied.reason_text.startswith("Precertification")
    assert rows[("PR", "1", "ACME HEALTH PLAN", "64484")].amount == Decimal(30)
    assert ("CO", "45", "ACME HEALTH PLAN", "64483") not in rows  # contractual left out by default
    with_contractual = denials(sqlite_store, include_contractual=True)
    assert any(r.reason == "45" and r.procedure == "64483" for r in with_contractual)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"garbage garbage", "no ISA"), (None, "truncated")],
)
def test_unreadable_files_are_quarantined_with_a_reason(
    sqlite_store: Store, tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "in.x12"
    if content is None:
        content = inbound_files(tmp_path)[3].read_bytes()[:600]
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason):
        ingest_file(sqlite_store, path, tmp_path / "quarantine")
    moved = tmp_path / "quarantine" / "in.x12"
    note = tmp_path / "quarantine" / "in.x12.reason"
    assert not path.exists() and moved.read_bytes() == content
    assert reason in note.read_text()
    assert moved.stat().st_mode & 0o777 == 0o600 and note.stat().st_mode & 0o777 == 0o600
    with sqlite_store.session() as session:
        kinds = list(session.execute(select(EventRow.kind)).scalars())
    assert kinds == ["inbound.quarantined"]


def test_rejections_reach_the_claim_with_their_reasons(sqlite_store: Store, tmp_path: Path) -> None:
    claim_id = send_claim(sqlite_store)
    ack = interchange(
        [
            transaction(
                "999",
                "0001",
                [
                    "AK1*HC*101*005010X222A1",
                    "AK2*837*0001*005010X222A1",
                    "IK3*NM1*12*2010BB*8",
                    "IK4*9*67*7",
                    "IK5*R*5",
                    "AK9*R*1*1*0",
                ],
            )
        ],
        functional_id="FA",
        implementation="005010X231A1",
        control="000000301",
    )
    path = tmp_path / "r.999"
    path.write_text(ack)
    ingest_file(sqlite_store, path, tmp_path / "q")
    event = next(e for e in timeline(sqlite_store, "PCN-1").events if e.kind == "999")
    assert event.claim_id == claim_id and event.status == "rejected"
    assert event.summary == "999 for group 101 ST 0001: rejected; NM1 at 12: segment has data element errors"
    assert event.detail["segment_errors"][0]["elements"] == [
        {"position": 9, "code": "7", "text": "invalid code value"}
    ]
    assert counts(sqlite_store)[3] == "rejected"


@pytest.mark.parametrize(
    ("clp", "cas", "expected"),
    [
        # Status 1 with the whole charge to the deductible: processed, the patient owes it.
        ("CLP*PCN-9*1*300*0*300*12*PAYER-CN-9*11*1", "CAS*PR*1*300", "paid"),
        # Status 1, nothing paid, nothing owed by the patient: a denial in all but name.
        ("CLP*PCN-9*1*300*0**12*PAYER-CN-9*11*1", "CAS*CO*50*300", "denied"),
        ("CLP*PCN-9*4*300*0**12*PAYER-CN-9*11*1", "CAS*CO*197*300", "denied"),
    ],
)
def test_zero_paid_is_denied_only_when_the_patient_owes_nothing(clp: str, cas: str, expected: str) -> None:
    from gateway.inbound.base import Item
    from gateway.inbound.envelope import iter_events
    from gateway.inbound.ledger_entries import remit_entry
    from gateway.inbound.records import Payment, RemitClaim
    from gateway.x12.reader import read_segments

    text = interchange(
        [remit_835([[clp, cas]], amount="0")], functional_id="HP", implementation="005010X221A1"
    )
    items = [e for e in iter_events(read_segments(text.encode())) if isinstance(e, Item)]
    (item,) = [i for i in items if isinstance(i.record, RemitClaim)]
    payment = Payment(
        amount=Decimal(0),
        credit_debit="C",
        method="ACH",
        date="",
        trace_number="",
        payer_id="",
        payer_name="",
    )
    assert remit_entry(item.record, payment, item.envelope).status == expected  # type: ignore[arg-type]
