"""ICD-10-CM validity holds claims in `gateway check`, the build path and the gate.

Five codes that front ends reject (M54.5, M51.36, M47.81 headers; Z99.99 not a code; S33.5XX
without its 7th character) are held with the code, its pointer position and the fix; their
billable codes pass; a date no loaded release covers warns and never holds.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.domain.findings import Finding, Severity
from gateway.rules import evaluate
from tests.codesets.helpers import gateway
from tests.rules.helpers import book, claim, line

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "claims" / "esi_lumbar_tfesi_single.json"

HELD = [
    (
        "M54.5",
        "icd10cm.header",
        (
            "M54.5 'Low back pain' at diagnosis 1 (pointer 1, used by line 1) is a category header in "
            "ICD-10-CM April 2026, not billable."
        ),
        (
            "bill one of its codes: M54.50 Low back pain, unspecified; M54.51 Vertebrogenic low back pain; "
            "M54.59 Other low back pain"
        ),
    ),
    (
        "M51.36",
        "icd10cm.header",
        (
            "M51.36 'Other intervertebral disc degeneration, lumbar region' at diagnosis 1 (pointer 1, used by "
            "line 1) is a category header in ICD-10-CM April 2026, not billable."
        ),
        (
            "bill one of its codes: M51.360 Other intervertebral disc degeneration, lumbar region with "
            "discogenic back pain only; M51.361 Other intervertebral disc degeneration, lumbar region with "
            "lower extremity pain only; M51.362 Other intervertebral disc degeneration, lumbar region with "
            "discogenic back pain and lower extremity pain; M51.369 Other intervertebral disc degeneration, "
            "lumbar region without mention of lumbar back pain or lower extremity pain"
        ),
    ),
    (
        "M47.81",
        "icd10cm.header",
        (
            "M47.81 'Spondylosis without myelopathy or radiculopathy' at diagnosis 1 (pointer 1, used by line 1) "
            "is a category header in ICD-10-CM April 2026, not billable."
        ),
        (
            "bill one of its codes: M47.811 Spondylosis without myelopathy or radiculopathy, occipito-atlanto-"
            "axial region; M47.812 Spondylosis without myelopathy or radiculopathy, cervical region; M47.813 "
            "Spondylosis without myelopathy or radiculopathy, cervicothoracic region; M47.814 Spondylosis "
            "without myelopathy or radiculopathy, thoracic region; M47.815 Spondylosis without myelopathy or "
            "radiculopathy, thoracolumbar region; M47.816 Spondylosis without myelopathy or radiculopathy, "
            "lumbar region; M47.817 Spondylosis without myelopathy or radiculopathy, lumbosacral region; "
            "M47.818 Spondylosis without myelopathy or radiculopathy, sacral and sacrococcygeal region; and 1 "
            "more (gateway codes show M47.81)"
        ),
    ),
    (
        "Z99.99",
        "icd10cm.unknown",
        "Z99.99 at diagnosis 1 (pointer 1, used by line 1) is not an ICD-10-CM code in release April 2026.",
        (
            "check the record; the nearest existing code is Z99 'Dependence on enabling machines and devices, "
            "not elsewhere classified'; its billable codes: Z99.0 Dependence on aspirator; Z99.11 Dependence on "
            "respirator [ventilator] status; Z99.12 Encounter for respirator [ventilator] dependence during "
            "power failure; Z99.2 Dependence on renal dialysis; Z99.3 Dependence on wheelchair; Z99.81 "
            "Dependence on supplemental oxygen; Z99.89 Dependence on other enabling machines and devices"
        ),
    ),
    (
        "S33.5XX",
        "icd10cm.seventh_character",
        (
            "S33.5XX 'Sprain of ligaments of lumbar spine' at diagnosis 1 (pointer 1, used by line 1) needs a "
            "7th character in ICD-10-CM April 2026."
        ),
        (
            "bill the full code: S33.5XXA Sprain of ligaments of lumbar spine, initial encounter; S33.5XXD "
            "Sprain of ligaments of lumbar spine, subsequent encounter; S33.5XXS Sprain of ligaments of lumbar "
            "spine, sequela"
        ),
    ),
]
CHILDREN = {
    "M54.5": ["M54.50", "M54.51", "M54.59"],
    "M51.36": ["M51.360", "M51.361", "M51.362", "M51.369"],
    "M47.81": ["M47.816", "M47.817"],
    "Z99.99": ["Z99.89"],
    "S33.5XX": ["S33.5XXA", "S33.5XXD", "S33.5XXS"],
}


def code_findings(findings: tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.rule_id.startswith("icd10cm.")]


@pytest.mark.parametrize(("code", "rule", "message", "fix"), HELD, ids=[row[0] for row in HELD])
def test_invalid_codes_hold_with_the_fix(code: str, rule: str, message: str, fix: str) -> None:
    result = evaluate(claim([line("64483", ["RT"])], dx=[code]), None, book())
    assert result.held
    [finding] = code_findings(result.findings)
    assert (finding.severity, finding.rule_id, finding.source) == (
        Severity.ERROR,
        rule,
        "ICD-10-CM April 2026",
    )
    assert finding.message == message
    assert finding.fix == fix


@pytest.mark.parametrize("code", sorted(CHILDREN))
def test_their_billable_codes_pass(code: str) -> None:
    for child in CHILDREN[code]:
        result = evaluate(claim([line("64483", ["RT"])], dx=[child]), None, book())
        assert code_findings(result.findings) == [], child


def test_pointer_position_names_the_second_diagnosis() -> None:
    lines = [line("64483", ["RT"]), {**line("64484", ["RT"]), "diagnosis_pointers": [1, 2]}]
    result = evaluate(claim(lines, dx=["M54.16", "M48.06"]), None, book())
    [finding] = code_findings(result.findings)
    assert finding.message == (
        "M48.06 'Spinal stenosis, lumbar region' at diagnosis 2 (pointer 2, used by line 2) is a category "
        "header in ICD-10-CM April 2026, not billable."
    )


def test_a_date_no_release_covers_warns_and_does_not_hold() -> None:
    day = dt.date(2026, 11, 2)
    result = evaluate(claim([line("64483", ["RT"], day=day)], dx=["M54.5"]), None, book())
    found = {f.rule_id: f for f in code_findings(result.findings)}
    assert set(found) == {"icd10cm.header", "icd10cm.release_not_loaded"}
    assert all(f.severity is Severity.WARNING for f in found.values())
    assert found["icd10cm.release_not_loaded"].message == (
        "ICD-10-CM release for 2026-11-02 not loaded; judged by April 2026; its findings cannot hold the claim."
    )
    assert found["icd10cm.header"].message.endswith(
        "(ICD-10-CM release for 2026-11-02 not loaded; judged by April 2026.)"
    )


def test_excludes1_pair_warns_with_the_note_text() -> None:
    result = evaluate(claim([line("64483", ["RT"])], dx=["M54.16", "M54.50", "M51.360"]), None, book())
    [finding] = code_findings(result.findings)
    assert finding.severity is Severity.WARNING
    assert finding.rule_id == "icd10cm.excludes1"
    assert finding.message == (
        "M54.50 and M51.360 are on one claim, but M54.5 has an Excludes1 note: 'intervertebral disc "
        "degeneration, lumbar region with discogenic back pain only (M51.360)'."
    )


def test_a_claim_no_payer_file_routes_is_still_held_for_its_codes() -> None:
    result = evaluate(claim([line("64483", ["RT"])], dx=["M54.5"], state="FL", filing="CI"), None, book())
    assert result.held
    assert [f.rule_id for f in result.findings] == ["icd10cm.header", "routing.not_checked"]


def example_with(tmp_path: Path, dx: list[str]) -> Path:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text())
    for item in document.get("claims", [document]):
        item["diagnosis_codes"] = dx
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(document))
    return path


def test_gateway_check_and_build_hold_a_header_code(tmp_path: Path) -> None:
    path = example_with(tmp_path, ["M54.17", "M54.5"])
    checked = gateway(tmp_path, "check", "--no-history", str(path))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "  error   claim   icd10cm.header  [ICD-10-CM April 2026; verified]" in checked.stdout
    assert "M54.5 'Low back pain' at diagnosis 2 (pointer 2, used by line 1)" in checked.stdout
    assert "fix: bill one of its codes: M54.50 Low back pain, unspecified;" in checked.stdout
    built = gateway(tmp_path, "build", "837p", str(path), "-o", str(tmp_path / "out.x12"))
    assert built.returncode == 3, built.stdout + built.stderr
    assert (
        "icd10cm.header [ICD-10-CM April 2026; verified]: M54.5 'Low back pain' at diagnosis 2"
        in built.stderr
    )
    assert not (tmp_path / "out.x12").exists()
    assert "Traceback" not in built.stderr


def test_validate_reports_code_set_errors_in_a_foreign_837p(tmp_path: Path) -> None:
    built = gateway(tmp_path, "build", "837p", str(EXAMPLE), "-o", str(tmp_path / "ok.x12"))
    assert built.returncode == 0, built.stdout + built.stderr
    text = (tmp_path / "ok.x12").read_text()
    assert "HI*ABK:M5417" in text
    foreign = tmp_path / "foreign.x12"
    foreign.write_text(text.replace("HI*ABK:M5417", "HI*ABK:M545"))
    result = gateway(tmp_path, "validate", str(foreign))
    assert result.returncode == 1, result.stdout + result.stderr
    [line_out] = [row for row in result.stdout.splitlines() if "SNIP5" in row]
    assert line_out.endswith(
        "HI HI01-2: [SNIP5] claim ESI2026091501: diagnosis 1 M54.5 is a category header, not billable in "
        "ICD-10-CM April 2026; use M54.50 Low back pain, unspecified; M54.51 Vertebrogenic low back pain; "
        "M54.59 Other low back pain"
    )
    assert f"{foreign}: 837P INVALID (1 error(s))" in result.stdout
