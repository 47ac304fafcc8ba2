"""278 request builder: every example passes pyx12 with our X217 map; content is what we asked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from gateway.domain.auth import AuthRequest
from gateway.errors import InputError
from gateway.intake import load_auth_requests, parse_auth_requests
from gateway.pipeline.auth_requests import gate_278
from gateway.settings import REPO_ROOT
from gateway.x12.build_278 import MSG_LENGTH, build_278, justification_facts, message_text, pack_messages
from gateway.x12.delimiters import DEFAULT_DELIMITERS
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.reader import Segment, read_segments

EXAMPLES = sorted((REPO_ROOT / "examples" / "auths").glob("*.json"))
PARTNERS = TradingPartners("PAINCLINIC", "UMOPAYER")
CONTROL = ControlNumbers(101, 201, 1)
WHEN = dt.datetime(2026, 1, 5, 9, 30)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPO_ROOT / "examples" / "auths" / name).read_text())
    return data["auth_requests"][0]


def segments(text: str) -> list[Segment]:
    return list(read_segments(text.encode()))


def test_there_are_examples_for_each_family() -> None:
    names = {p.name for p in EXAMPLES}
    assert {
        "esi_lumbar_tfesi.json",
        "facet_mbb_lumbar_bilateral.json",
        "rfa_lumbar_bilateral.json",
        "scs_trial_percutaneous.json",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_passes_pyx12_with_our_map(path: Path) -> None:
    built = build_278(load_auth_requests(path), PARTNERS, CONTROL, WHEN)
    assert [str(issue) for issue in gate_278(built.text)] == []


def test_all_examples_in_one_interchange() -> None:
    requests = [r for path in EXAMPLES for r in load_auth_requests(path)]
    built = build_278(requests, PARTNERS, CONTROL, WHEN)
    assert gate_278(built.text) == []
    assert list(built.transactions) == [f"{n:04d}" for n in range(1, len(requests) + 1)]
    assert sorted(built.transactions.values()) == sorted(r.request_id for r in requests)


def test_request_content() -> None:
    request = AuthRequest.model_validate(example("facet_mbb_lumbar_bilateral.json"))
    segs = segments(build_278([request], PARTNERS, CONTROL, WHEN).text)
    by_id = {s.id: s for s in segs}
    assert by_id["BHT"].elements[1:4] == ["0007", "13", request.request_id]
    um = by_id["UM"]
    assert (um[1], um[2], um.component(4, 1), um.component(4, 2)) == ("HS", "I", "11", "B")
    hi = by_id["HI"]
    assert hi.component(1, 1) == "ABK" and "." not in hi[1]
    sv1 = [s for s in segs if s.id == "SV1"]
    assert [s.component(1, 2) for s in sv1] == [svc.procedure_code for svc in request.services]
    assert [s.component(1, 3) for s in sv1] == [svc.modifiers[0] for svc in request.services]
    hls = [s for s in segs if s.id == "HL"]
    assert [h[3] for h in hls] == ["20", "21", "22", "EV"] + ["SS"] * len(request.services)
    assert all(h[2] == "4" for h in hls if h[3] == "SS")  # every service hangs under the event
    se = next(s for s in segs if s.id == "SE")
    st_index = next(s.index for s in segs if s.id == "ST")
    assert int(se[1]) == se.index - st_index + 1


def test_dependent_patient_gets_a_2000d() -> None:
    built = build_278(
        load_auth_requests(REPO_ROOT / "examples/auths/esi_cervical_dependent.json"), PARTNERS, CONTROL, WHEN
    )
    segs = segments(built.text)
    assert [h[3] for h in segs if h.id == "HL"][:5] == ["20", "21", "22", "23", "EV"]
    assert next(s for s in segs if s.id == "INS").elements[1:3] == ["N", "01"]


def test_previous_authorization_is_required_for_an_extension() -> None:
    data = example("esi_lumbar_tfesi.json") | {"certification_type": "4"}
    with pytest.raises(ValidationError, match="previous_authorization"):
        AuthRequest.model_validate(data)
    built = build_278(
        [AuthRequest.model_validate(data | {"previous_authorization": "AUTH1"})], PARTNERS, CONTROL, WHEN
    )
    assert "REF*BB*AUTH1~" in built.text
    assert gate_278(built.text) == []


def test_delimiters_in_evidence_text_never_reach_the_file() -> None:
    data = example("esi_lumbar_tfesi.json")
    data["evidence"]["functional_impacts"] = [
        {"description": "can't sit > 20 min~*:^ ÉTÉ", "date": "2026-06-01"}
    ]
    built = build_278([AuthRequest.model_validate(data)], PARTNERS, CONTROL, WHEN)
    assert gate_278(built.text) == []
    messages = " ".join(s[1] for s in segments(built.text) if s.id == "MSG")
    assert "CAN'T SIT > 20 MIN ETE" in messages


def test_facts_fill_msg_segments_in_order_and_report_what_does_not_fit() -> None:
    facts = [f"fact number {n:02d} " + "x" * 80 for n in range(10)]
    messages, omitted = pack_messages(facts, 2, DEFAULT_DELIMITERS)
    assert len(messages) == 2 and all(len(m) <= MSG_LENGTH for m in messages)
    sent = " ".join(messages)
    kept = [f for f in facts if message_text(f, DEFAULT_DELIMITERS) in sent]
    assert kept == facts[: len(kept)]  # a prefix, in order
    assert [message_text(f, DEFAULT_DELIMITERS) for f in facts[len(kept) :]] == omitted


def test_no_evidence_means_no_msg() -> None:
    data = example("rfa_lumbar_bilateral.json") | {"evidence": {}}
    built = build_278([AuthRequest.model_validate(data)], PARTNERS, CONTROL, WHEN)
    assert "MSG*" not in built.text and "PWK*" not in built.text
    assert gate_278(built.text) == []


def test_justification_names_failed_therapy_scores_and_prior_relief() -> None:
    request = AuthRequest.model_validate(example("rfa_lumbar_bilateral.json"))
    text = " | ".join(justification_facts(request.evidence)).upper()
    assert "PT 20260302-20260525 FAILED" in text
    assert "NRS 7 20260215 BASELINE" in text
    assert "PRIOR 64493 20260610 LUMBAR L4-L5/L5-S1 BILATERAL 85 PCT RELIEF" in text


def test_intake_lists_every_problem_without_values() -> None:
    good = example("esi_lumbar_tfesi.json")
    bad_npi = json.loads(json.dumps(good)) | {"request_id": "B1"}
    bad_npi["requester"]["npi"] = "1234567890"
    no_dx = good | {"request_id": "B2", "diagnosis_codes": []}
    with pytest.raises(InputError) as caught:
        parse_auth_requests({"auth_requests": [good, bad_npi, no_dx]}, "auths.json")
    problems = caught.value.problems
    assert any("request B1" in p and "requester.npi" in p for p in problems)
    assert any("request B2" in p and "diagnosis_codes" in p for p in problems)
    assert not any("RAMIREZ" in p for p in problems)


def test_trace_assigner_never_carries_an_ssn() -> None:
    data = example("esi_lumbar_tfesi.json")
    data["requester"] = data["requester"] | {"tax_id": "987651234", "tax_id_type": "SY"}
    text = build_278([AuthRequest.model_validate(data)], PARTNERS, CONTROL, WHEN).text
    traces = [s for s in segments(text) if s.id == "TRN"]
    assert traces and all(t[3] == "9" + data["requester"]["npi"][:9] for t in traces)
    assert "987651234" not in text
    assert gate_278(text) == []


def test_service_facility_with_and_without_npi() -> None:
    data = example("scs_trial_percutaneous.json")
    with_npi = build_278([AuthRequest.model_validate(data)], PARTNERS, CONTROL, WHEN).text
    assert "NM1*77*2*DESERT SURGERY CENTER*****XX*1003000126~" in with_npi
    data["facility"] = {k: v for k, v in data["facility"].items() if k != "npi"}
    without = build_278([AuthRequest.model_validate(data)], PARTNERS, CONTROL, WHEN).text
    assert "NM1*77*2*DESERT SURGERY CENTER~" in without
    assert gate_278(with_npi) == [] and gate_278(without) == []
