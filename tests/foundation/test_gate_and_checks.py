from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from gateway.x12.checks_837p import check_837p
from gateway.x12.gate import validate_text
from gateway.x12.reader import read_segments
from tests.conftest import CORPUS
from tests.foundation.helpers import build, claims_from, pyx12_independent


@pytest.fixture
def good_text(example_claims: list[dict[str, Any]]) -> str:
    return build(claims_from(example_claims[:3])).text


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_gate_agrees_with_pyx12_on_good_and_broken_files(good_text: str) -> None:
    broken = {
        "bad date": _replace(good_text, "DTP*472*D8*2026", "DTP*472*D8*2025133"),
        "bad code": _replace(good_text, "*UN*", "*XX*"),
        "missing billing NM1": _replace(
            good_text, "NM1*85*2*DESERT SPINE AND PAIN CENTER*****XX*1234567893~", ""
        ),
        "wrong SE count": good_text.replace("SE*", "SE*9", 1),
    }
    assert validate_text(good_text).ok and pyx12_independent(good_text)[0]
    for name, text in broken.items():
        ours = validate_text(text)
        assert not ours.ok, name
        assert not pyx12_independent(text)[0], name


def test_gate_issue_names_segment_loop_and_element(good_text: str) -> None:
    text = _replace(good_text, "DTP*472*D8*20260922", "DTP*472*D8*20260231")
    issues = validate_text(text).issues
    date_issue = next(issue for issue in issues if issue.element == "DTP03")
    assert date_issue.code == "8" and date_issue.loop == "2400" and date_issue.segment_id == "DTP"
    index = next(
        s.index for s in read_segments(text.encode()) if s.elements[:4] == ["DTP", "472", "D8", "20260231"]
    )
    assert date_issue.segment_index == index
    assert f"segment {index} DTP loop 2400 DTP03: [8]" in str(date_issue)


def test_gate_withholds_long_values_from_messages(good_text: str) -> None:
    # An invalid character in a name: the message must not carry the name.
    text = _replace(good_text, "NM1*IL*1*NGUYEN*DAVID", "NM1*IL*1*NGUYEN\x01*DAVID")
    issues = validate_text(text).issues
    assert issues
    assert all("NGUYEN" not in str(issue) for issue in issues)


def test_gate_reports_an_unknown_map_as_fatal(good_text: str) -> None:
    result = validate_text(good_text.replace("005010X222A1", "005010X999"))
    assert result.fatal and "no map" in result.fatal and not result.ok


def test_gate_can_produce_a_999(good_text: str) -> None:
    result = validate_text(good_text, want_999=True)
    assert result.ack_999 and "AK9*A*1*1*1" in result.ack_999


def test_our_checks_find_what_pyx12_does_not(example_claims: list[dict[str, Any]]) -> None:
    data = copy.deepcopy(next(c for c in example_claims if c["patient_control_number"] == "ESI2026091501"))
    text = build(claims_from([data])).text
    assert check_837p(read_segments(text.encode())) == []
    pcn = data["patient_control_number"]
    broken = text.replace("CLM*" + pcn + "*850*", "CLM*" + pcn + "*851*")
    broken = broken.replace("XX*1748392010", "XX*1748392011")
    broken = broken.replace("ABK:M5417", "ABK:9999")
    broken = broken.replace("***1:2~", "***1:3~")
    broken = broken.replace("HC:64483", "HC:6448")
    messages = [str(issue) for issue in check_837p(read_segments(broken.encode()))]
    assert len(messages) == 5, messages
    for expected in ("CLM02 851", "NPI 1748392011", "'9999' is not ICD-10-CM", "pointer 3", "'6448' is not"):
        assert any(expected in message for message in messages), expected
    # pyx12 alone calls this file valid: these checks are ours.
    assert pyx12_independent(broken)[0]


corpus_837 = sorted((CORPUS / "837P").glob("*")) if CORPUS.exists() else []


@pytest.mark.corpus
@pytest.mark.skipif(not corpus_837, reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", corpus_837, ids=lambda p: p.name)
def test_gate_matches_pyx12_on_third_party_837p(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    text = text[text.find("ISA") :]
    ours = validate_text(text)
    theirs_ok, _ = pyx12_independent(text)
    assert ours.ok == theirs_ok, [str(issue) for issue in ours.issues]


def test_a_file_that_crashes_pyx12_is_a_fatal_result_not_an_exception(good_text: str) -> None:
    # Found by mutating corpus files: a damaged ST makes pyx12's walk raise AttributeError.
    damaged = good_text.replace("ST*837*0001*", "ST*8370001*", 1)
    result = validate_text(damaged)
    assert result.fatal is not None and "pyx12 failed on this file (AttributeError)" in result.fatal
    assert not result.ok
