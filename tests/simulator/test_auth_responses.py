"""278 responses: certified, pended then certified, denied; our X217 response map; our parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.inbound.document import parse_file
from gateway.simulator.policy import DEFAULT_POLICY, AuthPolicy, SimulatorPolicy
from tests.simulator.helpers import Harness, auth_file, pyx12_verdict


def reviews(path: Path) -> list[dict[str, Any]]:
    parsed = parse_file(path)
    assert parsed.findings == []
    transactions = parsed.to_json()["transactions"]
    assert {t["type"] for t in transactions} == {"278"}
    return [t for t in transactions]


def decisions(transaction: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["level"], r["decision"]) for r in transaction["reviews"]]


def test_default_policy_certifies_and_pends_the_stimulator_until_the_next_cycle(tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    sim.put("auths.x12", auth_file(81, "esi_lumbar_tfesi", "scs_trial_percutaneous"))
    sim.cycle()
    text = sim.response("auths.278.x12")
    ok, errors = pyx12_verdict(text)
    assert ok, errors
    esi, scs = reviews(sim.responses / "auths.278.x12")
    assert esi["reference"] == "AUTH-ESI-0001" and esi["purpose"] == "11"
    assert decisions(esi) == [("event", "A1"), ("service", "A1")]
    number = esi["reviews"][0]["certification_number"]
    assert number and esi["reviews"][1]["certification_number"] == number
    assert [t["number"] for t in esi["reviews"][1]["trace_numbers"]] == ["AUTH-ESI-0001-1"]
    assert esi["reviews"][1]["procedures"][0]["code"] == "64483"
    assert decisions(scs) == [("event", "A4"), ("service", "A4")]
    assert scs["reviews"][0]["administrative_reference"]
    assert scs["reviews"][0]["certification_number"] is None
    sim.cycle()
    (later,) = sim.responses.glob("auth_*.278.x12")
    assert pyx12_verdict(later.read_text())[0]
    (decided,) = reviews(later)
    assert decided["reference"] == "AUTH-SCS-0001"
    assert decisions(decided) == [("event", "A1"), ("service", "A1")]
    assert decided["reviews"][0]["certification_number"]
    sim.cycle()
    assert len(list(sim.responses.glob("auth_*.278.x12"))) == 1  # decided once


def test_denied_procedure_gets_a3_with_reason_and_the_event_is_partial(tmp_path: Path) -> None:
    policy = SimulatorPolicy(auth=AuthPolicy(deny={"64636": "01"}))
    sim = Harness(tmp_path, policy)
    sim.put("rfa.x12", auth_file(82, "rfa_lumbar_bilateral"))
    sim.cycle()
    assert pyx12_verdict(sim.response("rfa.278.x12"))[0]
    (rfa,) = reviews(sim.responses / "rfa.278.x12")
    by_code = {r["procedures"][0]["code"]: r for r in rfa["reviews"] if r["level"] == "service"}
    assert by_code["64636"]["decision"] == "A3" and by_code["64636"]["reason"] == "01"
    assert by_code["64636"]["certification_number"] is None
    assert by_code["64635"]["decision"] == "A1" and by_code["64635"]["certification_number"]
    assert rfa["reviews"][0]["decision"] == "A2"


def test_all_services_denied_denies_the_event_and_nothing_is_pended(tmp_path: Path) -> None:
    policy = SimulatorPolicy(auth=AuthPolicy(deny={"64483": "01"}))
    sim = Harness(tmp_path, policy)
    sim.put("esi.x12", auth_file(83, "esi_lumbar_tfesi"))
    sim.cycle()
    (esi,) = reviews(sim.responses / "esi.278.x12")
    assert decisions(esi) == [("event", "A3"), ("service", "A3")]
    assert esi["reviews"][0]["reason"] == "01"
    sim.cycle()
    assert not list(sim.responses.glob("auth_*.278.x12"))


def test_dependent_request_validates_with_our_response_map(tmp_path: Path) -> None:
    sim = Harness(tmp_path, DEFAULT_POLICY)
    sim.put("dep.x12", auth_file(84, "esi_cervical_dependent"))
    sim.cycle()
    ok, errors = pyx12_verdict(sim.response("dep.278.x12"))
    assert ok, errors
    assert decisions(reviews(sim.responses / "dep.278.x12")[0])[0] == ("event", "A1")
