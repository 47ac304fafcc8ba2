"""The packet's attachment control number travels as PWK in the 837P (2300) and the 278 (2000E)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.domain.auth import AuthRequest
from gateway.domain.claim import Claim
from gateway.packet.subject import for_auth, for_claim
from gateway.x12.build_278 import build_278
from gateway.x12.envelope import ControlNumbers
from gateway.x12.gate import validate_text
from gateway.x12.pyx12_maps import map_path_for
from gateway.x12.reader import read_segments
from tests.foundation.helpers import PARTNERS, WHEN, build, pyx12_independent

REPO = Path(__file__).resolve().parents[2]
CLAIM_FILE = REPO / "examples" / "claims" / "esi_lumbar_tfesi_single.json"
AUTH_FILE = REPO / "examples" / "auths" / "esi_lumbar_tfesi.json"


def _claim(**changes: object) -> Claim:
    item = json.loads(CLAIM_FILE.read_text())["claims"][0]
    item.update(changes)
    return Claim.model_validate(item)


def _segments(text: str) -> list[tuple[str, ...]]:
    return [tuple(segment.elements) for segment in read_segments(text.encode())]


def test_837p_carries_pwk_between_dtp_and_ref_and_pyx12_accepts_it() -> None:
    plain = _claim(onset_date="2026-05-20", prior_authorization="UTN123456")
    number = for_claim(plain).control_number
    claim = _claim(
        onset_date="2026-05-20",
        prior_authorization="UTN123456",
        attachments=[{"report_type": "M1", "transmission": "EL", "control_number": number}],
    )
    built = build([claim])
    ids = [segment[0] for segment in _segments(built.text)]
    pwk = ids.index("PWK")
    assert ids[pwk - 1] == "DTP" and ids[pwk + 1] == "REF"
    assert ("PWK", "M1", "EL", "", "", "AC", number) == _segments(built.text)[pwk]
    assert validate_text(built.text).ok
    ok, errors = pyx12_independent(built.text)
    assert ok, errors


def test_837p_without_attachments_has_no_pwk() -> None:
    assert "PWK" not in [segment[0] for segment in _segments(build([_claim()]).text)]


@pytest.mark.parametrize("transmission", ["AA", "BM", "FX"])
def test_837p_pwk_transmission_codes(transmission: str) -> None:
    claim = _claim(
        attachments=[{"report_type": "OB", "transmission": transmission, "control_number": "PKT1"}]
    )
    built = build([claim])
    assert f"PWK*OB*{transmission}***AC*PKT1~" in built.text
    assert validate_text(built.text).ok


def test_278_carries_the_packet_control_number() -> None:
    item = json.loads(AUTH_FILE.read_text())["auth_requests"][0]
    number = for_auth(AuthRequest.model_validate(item)).control_number
    item["attachments"] = [{"report_type": "M1", "transmission": "EL", "control_number": number}]
    built = build_278([AuthRequest.model_validate(item)], PARTNERS, ControlNumbers(1, 1, 1), WHEN)
    assert f"PWK*M1*EL***AC*{number}" in built.text
    result = validate_text(built.text, map_path_for(built.text))
    assert result.ok, result.issues


def test_control_number_is_stable_and_changes_with_the_record() -> None:
    claim = _claim()
    again = _claim()
    changed = _claim(onset_date="2026-05-21")
    assert for_claim(claim).control_number == for_claim(again).control_number
    assert for_claim(claim).control_number != for_claim(changed).control_number
    assert 2 <= len(for_claim(claim).control_number) <= 50
