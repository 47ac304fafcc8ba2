"""Generated auth requests of many shapes all build into 278s that pass pyx12 with our map."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.domain.auth import AuthRequest
from gateway.pipeline.auth_requests import gate_278
from gateway.settings import REPO_ROOT
from gateway.x12.build_278 import build_278
from gateway.x12.envelope import ControlNumbers, TradingPartners

BASE: dict[str, Any] = json.loads((REPO_ROOT / "examples/auths/esi_cervical_dependent.json").read_text())[
    "auth_requests"
][0]
CODES = ["64483", "64484", "64493", "64494", "64635", "64636", "62321", "62323", "20552", "63650", "27096"]
DIAGNOSES = [
    "M54.16",
    "M47.816",
    "M51.16",
    "M54.17",
    "M51.17",
    "G89.4",
    "M96.1",
    "M54.12",
    "M50.122",
    "M47.812",
    "M53.3",
    "M46.1",
    "M54.50",
]
TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), min_size=1, max_size=300)


@st.composite
def services(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 1)))
    return {
        "procedure_code": draw(st.sampled_from(CODES)),
        "modifiers": draw(st.lists(st.sampled_from(["LT", "RT", "50", "59", "XS"]), max_size=4, unique=True)),
        "units": draw(st.integers(1, 8)),
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=draw(st.integers(0, 180)))).isoformat(),
    }


@st.composite
def requests(draw: st.DrawFn) -> AuthRequest:
    data = json.loads(json.dumps(BASE))
    data["request_id"] = draw(st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,29}", fullmatch=True))
    data["services"] = draw(st.lists(services(), min_size=1, max_size=5))
    data["diagnosis_codes"] = draw(st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=12, unique=True))
    if draw(st.booleans()):
        del data["patient"]
    data["certification_type"] = draw(st.sampled_from(["I", "R", "S", "4", "N"]))
    if data["certification_type"] != "I":
        data["previous_authorization"] = draw(st.from_regex(r"[A-Z0-9]{4,20}", fullmatch=True))
    data["level_of_service"] = draw(st.sampled_from([None, "03", "U", "E"]))
    data["category"] = draw(st.sampled_from(["HS", "SC"]))
    data["evidence"]["functional_impacts"] = [
        {"description": draw(TEXT).strip() or "x", "date": "2026-01-02"}
        for _ in range(draw(st.integers(0, 6)))
    ]
    return AuthRequest.model_validate(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests(), min_size=1, max_size=3, unique_by=lambda r: r.request_id))
def test_generated_requests_pass_pyx12(batch: list[AuthRequest]) -> None:
    built = build_278(
        batch,
        TradingPartners("PAINCLINIC", "UMOPAYER"),
        ControlNumbers(7, 8, 9),
        dt.datetime(2026, 1, 5, 9, 30),
    )
    assert [str(issue) for issue in gate_278(built.text)] == []
    assert built.text.count("~ST*278*") == len(batch)
