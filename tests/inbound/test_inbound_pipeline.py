"""gateway.pipeline.inbound: hash once, payments by meaning, 835 matching, caps and cut files."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.errors import ParseError
from gateway.inbound.document import parse_file
from gateway.pipeline.inbound import ingest_file, receive
from gateway.store import ledger
from gateway.store.db import Store
from gateway.store.ledger_read import denials, timeline
from gateway.store.repository import record_outbound_file
from gateway.store.schema import ClaimRow
from gateway.transport import LocalTransport
from tests.inbound.test_ledger import counts, send_claim
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


def remit_text(
    claims: list[list[str]],
    *,
    control: str = "000000204",
    group: str = "204",
    amount: str = "755",
    trace: str = "EFT0001",
    payee: str = "N1*PE*PAIN CLINIC LLC*XX*1234567893",
) -> str:
    body = remit_835(claims, amount=amount, plb=["PLB*1234567893*20261231*WO:R1*5*L6:I*-10"])
    body = [s.replace("EFT0001", trace) if s.startswith("TRN") else s for s in body]
    body = [payee if s.startswith("N1*PE") else s for s in body]
    return interchange(
        [body], functional_id="HP", implementation="005010X221A1", control=control, group=group
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def add_claim(store: Store, pcn: str, npi: str, charge: str, payer: str = "PAYER01") -> int:
    with store.session() as session:
        row = ClaimRow(
            patient_control_number=pcn,
            payer_id=payer,
            billing_npi=npi,
            patient_key="k" * 64,
            first_service_date=dt.date(2026, 11, 5),
            total_charge=Decimal(charge),
            status="sent",
            payload="{}",
        )
        session.add(row)
        session.flush()
        return row.id


# -- #14 item 1: a re-sent 835 (same content, new ISA13/GS06) changes nothing ------------------


@pytest.mark.postgres
def test_a_resent_835_is_one_duplicate_event_per_claim_and_changes_no_amount(
    any_store: Store, tmp_path: Path
) -> None:
    claim_id = send_claim(any_store)
    claims = [PAID_CLAIM, REVERSAL, DENIED]
    first = ingest_file(any_store, write(tmp_path, "a.835", remit_text(claims)), tmp_path / "q")
    assert (first.duplicate, first.duplicate_payments, first.matched_claims) == (False, 0, 1)
    before = [(r.group, r.reason, r.payer, r.procedure, r.amount, r.claims) for r in denials(any_store)]
    status_before = counts(any_store)[3]

    resent = write(tmp_path, "b.835", remit_text(claims, control="000000999", group="999"))
    again = ingest_file(any_store, resent, tmp_path / "q")
    assert (again.duplicate, again.duplicate_payments, again.matched_claims, again.unmatched) == (
        False,
        3,
        0,
        0,
    )
    assert again.describe().endswith(", 3 payments already recorded (re-sent)")
    after = [(r.group, r.reason, r.payer, r.procedure, r.amount, r.claims) for r in denials(any_store)]
    assert after == before and counts(any_store)[3] == status_before == "paid"
    events = timeline(any_store, "PCN-1").events
    assert [(e.kind, e.status, e.claim_id) for e in events if e.kind.startswith("835")] == [
        ("835", "paid", claim_id),
        ("835.duplicate", "duplicate", claim_id),
    ]
    duplicate = events[-1]
    assert duplicate.summary == (
        "835 re-sent: this payment (trace EFT0001 of 1512345678, 755 on 20261127) was recorded "
        f"from inbound file #{first.file_id}; nothing changed"
    )
    assert duplicate.detail["interchange_control_number"] == "000000999"
    assert [e.kind for e in timeline(any_store, "PCN-3").events] == ["835", "835.duplicate"]


def test_a_reversal_in_a_new_remittance_still_applies(sqlite_store: Store, tmp_path: Path) -> None:
    send_claim(sqlite_store)
    ingest_file(sqlite_store, write(tmp_path, "a.835", remit_text([PAID_CLAIM])), tmp_path / "q")
    reversal = [
        "CLP*PCN-1*22*-1500*-1000**12*PAYER-CN-1*11*1",
        "CAS*CO*45*-400",
        "CAS*PR*1*-100",
    ]
    corrected = remit_text([reversal], control="000000205", group="205", amount="0", trace="EFT0002")
    outcome = ingest_file(sqlite_store, write(tmp_path, "b.835", corrected), tmp_path / "q")
    assert (outcome.duplicate_payments, outcome.matched_claims) == (0, 1)
    events = [e for e in timeline(sqlite_store, "PCN-1").events if e.kind.startswith("835")]
    assert [(e.kind, e.status, e.detail["paid"]) for e in events] == [
        ("835", "paid", "1000"),
        ("835", "reversed", "-1000"),
    ]


def test_a_reversal_in_the_same_remittance_as_its_payment_is_not_a_duplicate(
    sqlite_store: Store, tmp_path: Path
) -> None:
    send_claim(sqlite_store)
    reversal = ["CLP*PCN-1*22*-1500*-1000**12*PAYER-CN-1*11*1", "CAS*CO*45*-500"]
    outcome = ingest_file(
        sqlite_store, write(tmp_path, "a.835", remit_text([PAID_CLAIM, reversal], amount="0")), tmp_path / "q"
    )
    assert (outcome.duplicate_payments, outcome.matched_claims) == (0, 2)


# -- #18 item 5: PCN + billing NPI (or payer id) + charge; ambiguous is never guessed -----------


def test_the_835_pays_the_claim_of_its_payee_npi_when_a_pcn_repeats(
    sqlite_store: Store, tmp_path: Path
) -> None:
    other = add_claim(sqlite_store, "PCN-1", "1245319599", "1500")
    ours = add_claim(sqlite_store, "PCN-1", "1234567893", "1500")
    ingest_file(sqlite_store, write(tmp_path, "a.835", remit_text([PAID_CLAIM])), tmp_path / "q")
    by_id = {c.id: c.status for c in timeline(sqlite_store, "PCN-1").claims}
    assert by_id == {other: "sent", ours: "paid"}


def test_without_a_payee_npi_the_payer_id_decides(sqlite_store: Store, tmp_path: Path) -> None:
    add_claim(sqlite_store, "PCN-1", "1234567893", "1500", payer="PAYER01")
    ours = add_claim(sqlite_store, "PCN-1", "1234567893", "1500", payer="PAYER02")
    text = remit_text([PAID_CLAIM], payee="N1*PE*PAIN CLINIC LLC*FI*123456789")
    text = text.replace("N1*PR*ACME HEALTH PLAN~", "N1*PR*ACME HEALTH PLAN~\nREF*2U*PAYER02~")
    ingest_file(sqlite_store, write(tmp_path, "a.835", text), tmp_path / "q")
    event = next(e for e in timeline(sqlite_store, "PCN-1").events if e.kind == "835")
    assert event.claim_id == ours


def test_an_ambiguous_835_claim_is_unmatched_with_the_candidates_named(
    sqlite_store: Store, tmp_path: Path
) -> None:
    first = add_claim(sqlite_store, "PCN-1", "1234567893", "1500")
    second = add_claim(sqlite_store, "PCN-1", "1234567893", "1500")
    outcome = ingest_file(sqlite_store, write(tmp_path, "a.835", remit_text([PAID_CLAIM])), tmp_path / "q")
    assert (outcome.matched_claims, outcome.unmatched) == (0, 1)
    result = timeline(sqlite_store, "PCN-1")
    assert {c.status for c in result.claims} == {"sent"}  # nothing posted to a guess
    (event,) = [e for e in result.events if e.kind == "835"]
    assert event.claim_id is None
    assert event.summary.endswith(
        f"; not matched: 2 claims of ours fit PCN PCN-1, billing NPI 1234567893, charge 1500.00 "
        f"(#{first}, #{second})"
    )
    assert event.detail["match"]["result"] == "ambiguous"
    assert [c["claim_id"] for c in event.detail["match"]["candidates"]] == [first, second]


def test_a_payer_claim_number_from_a_277ca_settles_which_version_is_paid(
    sqlite_store: Store, tmp_path: Path
) -> None:
    add_claim(sqlite_store, "PCN-1", "1234567893", "1500")
    newer = add_claim(sqlite_store, "PCN-1", "1234567893", "1500")
    status = status_277ca("000000203")
    ingest_file(sqlite_store, write(tmp_path, "c.277", status), tmp_path / "q")  # the newest: #newer
    ingest_file(sqlite_store, write(tmp_path, "a.835", remit_text([PAID_CLAIM])), tmp_path / "q")
    event = next(e for e in timeline(sqlite_store, "PCN-1").events if e.kind == "835")
    assert event.claim_id == newer


def test_a_version_already_answered_under_another_payer_claim_number_is_not_a_candidate(
    sqlite_store: Store, tmp_path: Path
) -> None:
    primary = add_claim(sqlite_store, "PCN-1", "1234567893", "1500")
    ingest_file(sqlite_store, write(tmp_path, "a.835", remit_text([PAID_CLAIM])), tmp_path / "q")
    secondary = add_claim(sqlite_store, "PCN-1", "1234567893", "1500", payer="SUPP01")
    answer = [
        PAID_CLAIM[0].replace("*1*1500*1000*100*12*PAYER-CN-1", "*2*1500*100*0*CI*SUP-9"),
        "CAS*OA*23*1400",
    ]
    second = remit_text([answer], control="000000206", group="206", amount="90", trace="EFT0009")
    ingest_file(sqlite_store, write(tmp_path, "b.835", second), tmp_path / "q")
    events = [e for e in timeline(sqlite_store, "PCN-1").events if e.kind == "835"]
    assert [(e.claim_id, e.detail["payer_claim_control_number"]) for e in events] == [
        (primary, "PAYER-CN-1"),
        (secondary, "SUP-9"),
    ]


def test_an_835_for_another_billing_npi_is_unmatched_and_names_the_pcn_s_claims(
    sqlite_store: Store, tmp_path: Path
) -> None:
    theirs = add_claim(sqlite_store, "PCN-1", "1245319599", "1500")
    ingest_file(sqlite_store, write(tmp_path, "a.835", remit_text([PAID_CLAIM])), tmp_path / "q")
    (event,) = [e for e in timeline(sqlite_store, "PCN-1").events if e.kind == "835"]
    assert event.claim_id is None and event.detail["match"]["result"] == "unmatched"
    assert event.summary.endswith(
        f"; not matched: no claim of ours fits PCN PCN-1, billing NPI 1234567893, charge 1500.00; "
        f"same PCN: #{theirs}"
    )


# -- #14 item 7: cut inside IEA, size cap, streaming, unknown interchanges ---------------------


def test_an_835_cut_inside_its_iea_is_quarantined(sqlite_store: Store, tmp_path: Path) -> None:
    text = remit_text([PAID_CLAIM])
    assert text.endswith("IEA*1*000000204~\n")
    path = write(tmp_path, "cut.835", text[: -len("0204~\n")])
    with pytest.raises(
        ParseError, match=r"interchange 000000204 is cut off inside its IEA \(quarantined as "
    ):
        ingest_file(sqlite_store, path, tmp_path / "q")
    assert not path.exists() and (tmp_path / "q" / "cut.835").exists()
    assert counts(sqlite_store)[1] == 0  # no inbound file recorded


def test_a_complete_iea_with_another_control_number_is_still_a_finding(tmp_path: Path) -> None:
    text = remit_text([PAID_CLAIM]).replace("IEA*1*000000204", "IEA*1*000000777")
    parsed = parse_file(write(tmp_path, "odd.835", text))
    assert [f.message for f in parsed.findings if f.kind == "envelope"] == [
        "IEA02 000000777 does not match ISA13 000000204"
    ]


def test_a_file_above_the_cap_is_quarantined_unread(sqlite_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "big.835", remit_text([PAID_CLAIM]))
    size = path.stat().st_size
    with pytest.raises(
        ParseError,
        match=rf"big.835: {size} bytes is above the inbound cap of 100 bytes \(daemon.max_inbound_bytes\)",
    ):
        ingest_file(sqlite_store, path, tmp_path / "q", max_bytes=100)
    note = (tmp_path / "q" / "big.835.reason").read_text()
    assert "sha256: (not read)\n" in note and "above the inbound cap of 100 bytes" in note


def test_a_response_above_the_cap_is_not_fetched_and_stays_on_the_server(
    sqlite_store: Store, tmp_path: Path
) -> None:
    upload, response = tmp_path / "up", tmp_path / "down"
    upload.mkdir()
    response.mkdir()
    write(response, "big.835", remit_text([PAID_CLAIM]))
    transport = LocalTransport("acme", upload, response)
    (remote,) = transport.list_responses()
    received = receive(sqlite_store, transport, remote, tmp_path / "inbound", max_bytes=100)
    assert received.outcome == "too_large"
    assert received.problem == (
        f"acme: response big.835 is {remote.size} bytes, above the inbound cap of 100 bytes "
        "(daemon.max_inbound_bytes); left on the server"
    )
    assert (response / "big.835").exists() and not (tmp_path / "inbound").exists()
    recorded = receive(sqlite_store, transport, remote, tmp_path / "inbound")
    assert (recorded.outcome, recorded.problem) == ("recorded", None)
    assert not (response / "big.835").exists()  # acknowledged once the ledger has it


def test_the_landing_hash_is_the_ledger_hash(sqlite_store: Store, tmp_path: Path) -> None:
    upload, response = tmp_path / "up", tmp_path / "down"
    upload.mkdir()
    response.mkdir()
    write(response, "r.835", remit_text([PAID_CLAIM]))
    transport = LocalTransport("acme", upload, response)
    (remote,) = transport.list_responses()
    landed = transport.fetch(remote, tmp_path / "inbound")
    outcome = ingest_file(sqlite_store, landed.local_path, tmp_path / "q", sha256=landed.sha256)
    assert (
        outcome.sha256 == landed.sha256
        and ledger.find_inbound_file(sqlite_store, landed.sha256) == outcome.file_id
    )


def test_parsing_reads_the_file_in_chunks_not_whole(tmp_path: Path) -> None:
    # About 6 MB of one 837P (carried, not read): the parser keeps only a segment count.
    filler = [f"NTE*ADD*{'X' * 70}{n:08d}" for n in range(70_000)]
    text = interchange(
        [transaction("837", "0001", filler, "005010X222A1")],
        functional_id="HC",
        implementation="005010X222A1",
    )
    path = write(tmp_path, "big.837", text)
    assert path.stat().st_size > 6_000_000
    tracemalloc.start()
    try:
        parsed = parse_file(path, sha256="0" * 64)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [t.type for t in parsed.transactions] == ["837P"]
    assert peak < 1_500_000, peak  # the file is more than four times that


def test_an_ack_for_an_interchange_we_never_sent_is_flagged_for_status(
    sqlite_store: Store, tmp_path: Path
) -> None:
    with sqlite_store.session() as session:
        record_outbound_file(
            session, kind="837P", path="o.x12", data=b"x", sender_id="PAINCLINIC", receiver_id="CLEARINGHOUSE",
            interchange_control_number="000000101", group_control_number="101", claims=[],
        )  # fmt: skip
    ta1 = "~\n".join([isa("000000301"), "TA1*000000555*261128*0931*R*024", "IEA*0*000000301"]) + "~\n"
    known = "~\n".join([isa("000000302"), "TA1*000000101*261128*0931*A*000", "IEA*0*000000302"]) + "~\n"
    ingest_file(sqlite_store, write(tmp_path, "x.ta1", ta1), tmp_path / "q")
    ingest_file(sqlite_store, write(tmp_path, "y.ta1", known), tmp_path / "q")
    total, latest = ledger.unknown_acks(sqlite_store)
    assert total == 1
    assert [(a.kind, a.file, a.summary) for a in latest] == [
        (
            "ta1",
            str(tmp_path / "x.ta1"),
            (
                "TA1 for interchange 000000555: rejected (024 invalid interchange content (e.g. invalid GS segment)); "
                "we sent no such interchange"
            ),
        )
    ]


def test_gateway_status_shows_acks_for_unknown_interchanges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.inbound.test_cli import run_main

    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    ack = interchange(
        [
            transaction(
                "999",
                "0001",
                ["AK1*HC*4242*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"],
            )
        ],
        functional_id="FA",
        implementation="005010X231A1",
        control="000000401",
    )
    code, _, err = run_main(capsys, "ingest", str(write(tmp_path, "u.999", ack)))
    assert code == 0, err
    code, out, err = run_main(capsys, "status")
    assert code == 0, err
    lines = out.splitlines()
    at = lines.index("acknowledgments for interchanges we never sent: 1")
    assert lines[at + 1].endswith(
        f"{tmp_path / 'u.999'}: 999 for group 4242 ST 0001: accepted; we sent no such interchange"
    )


def test_a_278_response_is_parsed_once_per_ingest(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.inbound import parse_278
    from tests.x12_278.samples import RESPONSE_BODY
    from tests.x12_278.samples import interchange as interchange_278

    calls: list[str] = []
    real = parse_278.parse_transaction

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("parse")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parse_278, "parse_transaction", counting)
    outcome = ingest_file(
        sqlite_store, write(tmp_path, "r.278", interchange_278(RESPONSE_BODY)), tmp_path / "q"
    )
    assert calls == ["parse"]  # not again for the JSON view, the check, or the auth update
    assert outcome.parsed is not None and outcome.parsed.kind == "278"
