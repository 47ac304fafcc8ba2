"""TA1 and 999: what an upload's envelope and pyx12's findings turn into."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import TemporaryTransportError
from gateway.inbound.document import parse_file
from gateway.x12.reader import read_segments
from tests.simulator.helpers import Harness, claim_file, example_claims, pyx12_verdict

TWO_CLAIMS = ("esi_lumbar_tfesi_single", "si_joint_injection_right")


def segments(text: str) -> list[list[str]]:
    return [seg.elements for seg in read_segments(text.encode())]


def ids(text: str) -> list[str]:
    return [row[0] for row in segments(text)]


def find(text: str, seg_id: str) -> list[list[str]]:
    return [row for row in segments(text) if row[0] == seg_id]


def two_transactions(control: int, break_second: bool) -> str:
    """One group with two 837 transaction sets; the second with an impossible service date."""
    claims = example_claims(*TWO_CLAIMS, "trigger_point_injections")
    first = claim_file(claims[:2], control)
    second = claim_file(claims[2:], control).replace("ST*837*0001*", "ST*837*0002*").replace("SE*", "SE*", 1)
    body = second[second.index("ST*837*") : second.index("GE*")]
    body = body.replace("*0001~", "*0002~")  # SE02 (the ST02 was changed above)
    if break_second:
        body = re.sub(r"DTP\*472\*D8\*\d{8}", "DTP*472*D8*20260230", body, count=1)
    return first.replace(f"GE*1*{control}~", f"{body}GE*2*{control}~")


def test_accepted_upload_gets_a_999_x231a1_with_our_own_control_numbers(tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    claims = example_claims(*TWO_CLAIMS)
    sim.put("one.x12", claim_file(claims[:1], 11))
    sim.put("two.x12", claim_file(claims[1:], 12))
    sim.cycle()
    acks = [sim.response("one.999.x12"), sim.response("two.999.x12")]
    interchange_numbers = {find(text, "ISA")[0][13] for text in acks}
    group_numbers = {find(text, "GS")[0][6] for text in acks}
    assert len(interchange_numbers) == 2 and len(group_numbers) == 2  # same minute, still distinct
    for text, upload_group in zip(acks, ("11", "12"), strict=True):
        assert find(text, "GS")[0][8] == "005010X231A1"
        assert find(text, "ST")[0][3] == "005010X231A1"
        assert find(text, "AK1")[0][1:3] == ["HC", upload_group]
        assert find(text, "IK5")[0][1] == "A"
        assert find(text, "AK9")[0][1:5] == ["A", "1", "1", "1"]
        assert "TA1" not in ids(text)  # ISA14 was 0
        ok, errors = pyx12_verdict(text)
        assert ok, errors


def test_ta1_goes_before_the_group_when_the_upload_asks_for_one(tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    sim.put("asks.x12", claim_file(example_claims(TWO_CLAIMS[0]), 21, ack_requested=True))
    sim.cycle()
    text = sim.response("asks.999.x12")
    assert ids(text)[:3] == ["ISA", "TA1", "GS"]
    assert find(text, "TA1")[0][1] == "000000021"
    assert find(text, "TA1")[0][4:6] == ["A", "000"]
    parsed = parse_file(sim.responses / "asks.999.x12")
    assert [(t.interchange_control_number, t.ack_code) for t in parsed.ta1] == [("000000021", "A")]
    assert pyx12_verdict(text)[0]


def test_partial_acceptance_reports_ik3_ik4_and_answers_only_the_good_transaction(tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    sim.put("mixed.x12", two_transactions(31, break_second=True))
    sim.cycle()
    ack = sim.response("mixed.999.x12")
    assert find(ack, "AK9")[0][1:5] == ["P", "2", "2", "1"]
    verdicts = {row[2]: None for row in find(ack, "AK2")}
    assert list(verdicts) == ["0001", "0002"]
    assert [row[1] for row in find(ack, "IK5")] == ["A", "R"]
    assert find(ack, "IK3")[0][1] == "DTP"
    assert find(ack, "IK4")[0][1:4] == ["3", "1251", "8"]  # DTP03, invalid date
    assert pyx12_verdict(ack)[0]
    parsed = parse_file(sim.responses / "mixed.999.x12").to_json()["transactions"][0]
    assert parsed["group_ack_code"] == "P"
    assert [t["ack_code"] for t in parsed["transaction_acks"]] == ["A", "R"]
    assert parsed["transaction_acks"][1]["segment_errors"][0]["element_errors"][0]["code"] == "8"
    status = parse_file(sim.responses / "mixed.277ca.x12").to_json()["transactions"]
    claims = [claim["patient_control_number"] for t in status for claim in t["claims"]]
    assert claims == [c.patient_control_number for c in example_claims(*TWO_CLAIMS)]
    sim.cycle()
    remit = parse_file(next(sim.responses.glob("era_*.835.x12"))).to_json()["transactions"]
    assert sorted(c["patient_control_number"] for t in remit for c in t["claims"]) == sorted(claims)


def test_a_rejected_transaction_gets_no_277ca_and_no_835(tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    text = two_transactions(41, break_second=True)
    sim.put("bad.x12", re.sub(r"DTP\*472\*D8\*\d{8}", "DTP*472*D8*20261340", text, count=1))
    sim.cycle()
    assert find(sim.response("bad.999.x12"), "AK9")[0][1:5] == ["R", "2", "2", "0"]
    sim.cycle()
    assert sim.names() == ["bad.999.x12"]


def _truncated(text: str) -> str:
    return text[: text.index("GE*")]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("iea_mismatch", "001"),
        ("version", "017"),
        ("truncated", "023"),
        ("garbage", "024"),
        ("group_count", "021"),
    ],
)
def test_a_broken_envelope_gets_a_ta1_rejection_and_nothing_else(
    tmp_path: Path, case: str, code: str
) -> None:
    good = claim_file(example_claims(TWO_CLAIMS[0]), 51)
    broken = {
        "iea_mismatch": good.replace("IEA*1*000000051", "IEA*1*000000052"),
        "version": good.replace("*00501*", "*00401*", 1),
        "truncated": _truncated(good),
        "garbage": "this is not an X12 file at all\n",
        "group_count": good.replace("IEA*1*", "IEA*2*"),
    }[case]
    sim = Harness(tmp_path)
    sim.put("broken.x12", broken)
    report = sim.cycle()
    assert sim.names() == ["broken.ta1.x12"]
    text = sim.response("broken.ta1.x12")
    assert ids(text) == ["ISA", "TA1", "IEA"]
    ta1 = find(text, "TA1")[0]
    assert ta1[1] == ("000000000" if case == "garbage" else "000000051")
    assert ta1[4:6] == ["R", code]
    assert find(text, "IEA")[0][1] == "0"
    assert pyx12_verdict(text)[0]
    assert [(t.ack_code, t.note_code) for t in parse_file(sim.responses / "broken.ta1.x12").ta1] == [
        ("R", code)
    ]
    assert not (sim.upload / "broken.x12").exists()  # picked up, answered, removed
    assert f"TA1 {code}" in report.events[0]


def test_a_resend_with_the_same_interchange_number_is_refused_as_a_duplicate(tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    text = claim_file(example_claims(TWO_CLAIMS[0]), 61)
    sim.put("first.x12", text)
    sim.cycle()
    sim.put("again.x12", text)
    sim.cycle()  # a new Simulator object each cycle: the memory is the state file
    assert find(sim.response("again.ta1.x12"), "TA1")[0][4:6] == ["R", "025"]
    assert "again.999.x12" not in sim.names()
    sim.put("renumbered.x12", claim_file(example_claims(TWO_CLAIMS[0]), 62))
    sim.cycle()
    assert "renumbered.999.x12" in sim.names()


def test_front_end_edit_rejects_the_first_batch_and_accepts_its_replay(tmp_path: Path) -> None:
    from gateway.simulator.policy import SimulatorPolicy

    sim = Harness(tmp_path, SimulatorPolicy(reject_first_batches=1))
    claims = example_claims(*TWO_CLAIMS)
    sim.put("first.x12", claim_file(claims, 71))
    sim.cycle()
    ack = sim.response("first.999.x12")
    assert pyx12_verdict(ack)[0]
    assert find(ack, "AK9")[0][1:5] == ["R", "1", "1", "0"]
    assert find(ack, "IK3")[0][1:5] == ["NM1", find_position(claim_file(claims, 71)), "", "8"]
    assert find(ack, "IK4")[0][1:5] == ["9", "67", "7", claims[0].payer.payer_id]
    parsed = parse_file(sim.responses / "first.999.x12").to_json()["transactions"][0]
    assert parsed["transaction_acks"][0]["ack_code"] == "R"
    assert "first.277ca.x12" not in sim.names()
    sim.put("replay.x12", claim_file(claims, 72))  # the operator's replay: new control numbers
    sim.cycle()
    assert find(sim.response("replay.999.x12"), "AK9")[0][1] == "A"
    assert "replay.277ca.x12" in sim.names()


def find_position(text: str) -> str:
    """Position in its transaction set (ST = 1) of the first 2010BB NM1*PR, counted here."""
    position, level = 0, ""
    for row in segments(text):
        if row[0] == "ST":
            position = 1
            continue
        position += 1
        if row[0] == "HL":
            level = row[3]
        if row[0] == "NM1" and row[1] == "PR" and level == "22":
            return str(position)
    raise AssertionError("no 2010BB NM1*PR")


class _FailingOnce:
    """A transport whose second upload fails once (a dropped connection in mid-cycle)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sends = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def send(self, local: Path, remote_name: str) -> Any:
        self.sends += 1
        if self.sends == 2:
            raise TemporaryTransportError("connection reset")
        return self.inner.send(local, remote_name)


def test_a_cycle_cut_short_neither_loses_nor_repeats_an_answer(tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    sim.put("batch.x12", claim_file(example_claims(TWO_CLAIMS[0]), 81))
    flaky = _FailingOnce(sim.simulator().transport)
    simulator = sim.simulator()
    simulator.transport = flaky
    with pytest.raises(TemporaryTransportError, match=r"^connection reset$"):
        simulator.run_cycle()
    assert sim.names() == ["batch.999.x12"]  # the 277CA was not sent yet
    assert (sim.upload / "batch.x12").exists()  # and the upload is still there
    report = simulator.run_cycle()
    assert report.received == []  # answered already: only removed now
    assert report.sent == ["batch.277ca.x12", "era_0002_1.835.x12"]  # the leftover first, then what is due
    assert "batch.ta1.x12" not in sim.names()  # no TA1 025 for the retry
    assert not (sim.upload / "batch.x12").exists()
