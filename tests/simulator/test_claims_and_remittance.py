"""277CA per claim and the 835 of a later cycle: codes, numbers, balancing, pyx12, our parsers.

The expected amounts are computed here from the policy's terms, independently of the
simulator's own adjudication code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from gateway.domain.claim import Claim
from gateway.inbound.document import parse_file
from gateway.simulator.policy import DEFAULT_POLICY, ProviderAdjustmentRule, RejectRule, SimulatorPolicy
from tests.simulator.helpers import Harness, claim_file, example_claims, pyx12_verdict

CENT = Decimal("0.01")
MEDICARE = "esi_lumbar_tfesi_single"  # 64483-LT, 850.00, Noridian (MB)
COMMERCIAL = "rfa_lumbar_single_right"  # 64635-RT, 1850.00, Aetna (CI), has REF*G1
DENIED = "trigger_point_injections"  # 20553: the default policy denies it CO-50
NO_AUTH_SCS = "held_scs_permanent_after_failed_trial"  # 63650 x2 + 63685, no REF*G1
AUTHORIZED_SCS = "scs_trial_percutaneous"  # 63650 x2, with REF*G1


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def run_two_cycles(tmp_path: Path, claims: list[Claim], policy: SimulatorPolicy = DEFAULT_POLICY) -> Harness:
    sim = Harness(tmp_path, policy)
    sim.put("claims.x12", claim_file(claims, 71))
    sim.cycle()
    sim.cycle()
    return sim


def remit(sim: Harness) -> tuple[list[dict[str, Any]], Path]:
    path = next(sim.responses.glob("era_*.835.x12"))
    parsed = parse_file(path)
    assert parsed.findings == []  # the inbound balancing checks found nothing
    return parsed.to_json()["transactions"], path


def by_claim(transactions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {claim["patient_control_number"]: claim for t in transactions for claim in t["claims"]}


def test_277ca_accepts_each_claim_with_a_payer_claim_number_the_835_repeats(tmp_path: Path) -> None:
    claims = example_claims(MEDICARE, COMMERCIAL, DENIED)
    sim = Harness(tmp_path)
    sim.put("claims.x12", claim_file(claims, 72))
    sim.cycle()
    assert not list(sim.responses.glob("*.835.x12"))  # the 835 comes on a later cycle
    text = sim.response("claims.277ca.x12")
    ok, errors = pyx12_verdict(text)
    assert ok, errors
    status = parse_file(sim.responses / "claims.277ca.x12").to_json()["transactions"]
    assert [t["type"] for t in status] == ["277CA"] and status[0]["implementation"] == "005010X214"
    claims_277 = {c["patient_control_number"]: c for c in status[0]["claims"]}
    assert set(claims_277) == {c.patient_control_number for c in claims}
    for claim in claims:
        entry = claims_277[claim.patient_control_number]
        assert entry["statuses"] == [{"category": "A2", "code": "20", "entity": ""}]
        assert Decimal(entry["charge"]) == sum(line.charge for line in claim.service_lines)
        assert entry["payer_claim_control_number"]
    sim.cycle()
    remitted = by_claim(remit(sim)[0])
    for pcn, entry in claims_277.items():
        assert remitted[pcn]["payer_claim_control_number"] == entry["payer_claim_control_number"]


def test_a_claim_with_the_reject_marker_is_rejected_a7_and_never_remitted(tmp_path: Path) -> None:
    claims = example_claims(MEDICARE, COMMERCIAL)
    marked = claims[0].model_copy(update={"patient_control_number": "XREJ0001"})
    policy = SimulatorPolicy(reject=[RejectRule(marker="REJ", category="A7", status="164", entity="IL")])
    sim = run_two_cycles(tmp_path, [marked, claims[1]], policy)
    status = parse_file(sim.responses / "claims.277ca.x12").to_json()["transactions"][0]["claims"]
    rejected = next(c for c in status if c["patient_control_number"] == "XREJ0001")
    assert rejected["statuses"] == [{"category": "A7", "code": "164", "entity": "IL"}]
    assert rejected["payer_claim_control_number"] == ""
    assert "STC*A7:164:IL*20261128*U*850~" in sim.response("claims.277ca.x12")
    assert set(by_claim(remit(sim)[0])) == {claims[1].patient_control_number}


def test_835_pays_with_co45_and_patient_responsibility_at_claim_and_line_level(tmp_path: Path) -> None:
    medicare, commercial = example_claims(MEDICARE, COMMERCIAL)
    sim = run_two_cycles(tmp_path, [medicare, commercial])
    transactions, path = remit(sim)
    ok, errors = pyx12_verdict(path.read_text())
    assert ok, errors
    terms = DEFAULT_POLICY.adjudication
    for claim, copay in ((medicare, Decimal(0)), (commercial, terms.copay["CI"])):
        entry = by_claim(transactions)[claim.patient_control_number]
        line = claim.service_lines[0]
        allowed = cents(line.charge * terms.allowed_percent / 100)
        coinsurance = cents(allowed * terms.coinsurance_percent / 100)
        deductible = terms.deductible  # first claim of each subscriber
        expected_paid = allowed - coinsurance - deductible - copay
        assert entry["status_code"] == "1"
        assert Decimal(entry["paid"]) == expected_paid
        assert Decimal(entry["patient_responsibility"]) == coinsurance + deductible + copay
        claim_level = {(a["group"], a["reason"]): Decimal(a["amount"]) for a in entry["adjustments"]}
        assert claim_level == {("PR", "1"): deductible, **({("PR", "3"): copay} if copay else {})}
        svc = entry["service_lines"][0]
        assert (svc["procedure"], svc["modifiers"], Decimal(svc["units"])) == (
            line.procedure_code,
            line.modifiers,
            line.units,
        )
        line_level = {(a["group"], a["reason"]): Decimal(a["amount"]) for a in svc["adjustments"]}
        assert line_level == {("CO", "45"): line.charge - allowed, ("PR", "2"): coinsurance}
        assert Decimal(svc["paid"]) == allowed - coinsurance


def test_deductible_is_taken_once_per_subscriber(tmp_path: Path) -> None:
    facet, rfa = example_claims("facet_mbb_lumbar_bilateral", "rfa_lumbar_bilateral")  # same patient
    assert facet.subscriber.member_id == rfa.subscriber.member_id
    sim = run_two_cycles(tmp_path, [facet, rfa])
    remitted = by_claim(remit(sim)[0])
    deductibles = [
        a["amount"]
        for pcn in (facet.patient_control_number, rfa.patient_control_number)
        for a in remitted[pcn]["adjustments"]
        if (a["group"], a["reason"]) == ("PR", "1")
    ]
    assert deductibles == [str(DEFAULT_POLICY.adjudication.deductible)]


def test_denials_co50_by_procedure_and_co197_without_authorization(tmp_path: Path) -> None:
    denied, no_auth, with_auth = example_claims(DENIED, NO_AUTH_SCS, AUTHORIZED_SCS)
    sim = run_two_cycles(tmp_path, [denied, no_auth, with_auth])
    transactions, path = remit(sim)
    assert pyx12_verdict(path.read_text())[0]
    remitted = by_claim(transactions)
    tpi = remitted[denied.patient_control_number]
    assert (tpi["status_code"], Decimal(tpi["paid"])) == ("4", Decimal(0))
    assert [(a["group"], a["reason"]) for a in tpi["service_lines"][0]["adjustments"]] == [("CO", "50")]
    scs = remitted[no_auth.patient_control_number]
    assert scs["status_code"] == "4"
    reasons = {(a["group"], a["reason"]) for line in scs["service_lines"] for a in line["adjustments"]}
    assert reasons == {("CO", "197")}
    assert Decimal(scs["charge"]) == sum(
        Decimal(a["amount"]) for x in scs["service_lines"] for a in x["adjustments"]
    )
    assert scs["service_lines"][0]["units"] == "2"
    authorized = remitted[with_auth.patient_control_number]
    assert authorized["status_code"] == "1" and Decimal(authorized["paid"]) > 0
    text = path.read_text()
    assert "LQ*HE*N115~" in text and "LQ*HE*M62~" in text


def test_every_claim_and_the_payment_balance_and_plb_now_and_then(tmp_path: Path) -> None:
    claims = example_claims()
    policy = SimulatorPolicy(**{**DEFAULT_POLICY.model_dump(), "provider_adjustment_every": 2})
    sim = run_two_cycles(tmp_path, claims, policy)
    transactions, path = remit(sim)
    assert pyx12_verdict(path.read_text())[0]
    plb_count = 0
    for number, transaction in enumerate(transactions, start=1):
        paid = sum(Decimal(c["paid"]) for c in transaction["claims"])
        plb = sum(Decimal(p["amount"]) for p in transaction["provider_adjustments"])
        assert Decimal(transaction["payment"]["amount"]) == paid - plb
        plb_count += bool(transaction["provider_adjustments"])
        assert bool(transaction["provider_adjustments"]) == (number % 2 == 0)
        for claim in transaction["claims"]:
            every = claim["adjustments"] + [a for line in claim["service_lines"] for a in line["adjustments"]]
            assert Decimal(claim["charge"]) - Decimal(claim["paid"]) == sum(
                Decimal(a["amount"]) for a in every
            )
            patient = sum(Decimal(a["amount"]) for a in every if a["group"] == "PR")
            assert Decimal(claim["patient_responsibility"] or 0) == patient
            for line in claim["service_lines"]:
                line_total = sum(Decimal(a["amount"]) for a in line["adjustments"])
                assert Decimal(line["charge"]) - Decimal(line["paid"]) == line_total
    assert plb_count >= 1


def test_plb_pays_interest_when_payments_do_not_cover_a_recovery(tmp_path: Path) -> None:
    policy = SimulatorPolicy(
        **{
            **DEFAULT_POLICY.model_dump(),
            "provider_adjustment_every": 1,
            "provider_adjustment": ProviderAdjustmentRule(amount=Decimal(100000)),
        }
    )
    sim = run_two_cycles(tmp_path, example_claims(MEDICARE), policy)
    transaction = remit(sim)[0][0]
    (plb,) = transaction["provider_adjustments"]
    assert (plb["reason"], Decimal(plb["amount"])) == ("L6", -policy.provider_adjustment.interest)
    expected = Decimal(transaction["claims"][0]["paid"]) + policy.provider_adjustment.interest
    assert Decimal(transaction["payment"]["amount"]) == expected


def test_line_control_numbers_come_back_in_ref_6r(tmp_path: Path) -> None:
    (claim,) = example_claims(MEDICARE)
    line = claim.service_lines[0].model_copy(update={"line_control_number": "LINE0001"})
    sim = run_two_cycles(tmp_path, [claim.model_copy(update={"service_lines": [line]})])
    entry = by_claim(remit(sim)[0])[claim.patient_control_number]
    assert entry["service_lines"][0]["control_number"] == "LINE0001"


def test_remit_delay_is_counted_in_cycles(tmp_path: Path) -> None:
    policy = SimulatorPolicy(**{**DEFAULT_POLICY.model_dump(), "remit_delay_cycles": 2})
    sim = Harness(tmp_path, policy)
    sim.put("claims.x12", claim_file(example_claims(MEDICARE), 73))
    sim.cycle()
    sim.cycle()
    assert not list(sim.responses.glob("*.835.x12"))
    sim.cycle()
    assert len(list(sim.responses.glob("*.835.x12"))) == 1
