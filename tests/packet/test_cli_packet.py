"""`gateway packet`: from a file or the database, PDF 0600, control number and score recorded, no PHI
in logs, one-line errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.cli.main import main
from gateway.domain.status import ClaimStatus
from gateway.intake import load_claims
from gateway.packet.subject import for_claim
from gateway.store import repository
from gateway.store.db import Store
from gateway.store.documentation import DocumentationRecordRow

REPO = Path(__file__).resolve().parents[2]
CLAIM_FILE = REPO / "examples" / "claims" / "rfa_lumbar_bilateral.json"
AUTH_FILE = REPO / "examples" / "auths" / "scs_trial_percutaneous.json"


def gateway(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GATEWAY_HOME": str(home)},
    )


def in_process(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """The CLI's own entry point without a new interpreter (exit code, stdout, stderr)."""
    monkeypatch.setenv("GATEWAY_HOME", str(home))
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def test_packet_from_a_claims_file_without_a_database(tmp_path: Path) -> None:
    claim = load_claims(CLAIM_FILE)[0]
    out = tmp_path / "packets" / "rfa.pdf"
    result = gateway(
        tmp_path, "--debug", "packet", claim.patient_control_number, "--from", str(CLAIM_FILE), "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    number = for_claim(claim).control_number
    assert number in result.stdout and "not recorded (no database yet)" in result.stdout
    fragment = json.loads(result.stdout.rsplit("PWK: ", 1)[1])
    assert fragment == {
        "attachments": [{"report_type": "M1", "transmission": "EL", "control_number": number}]
    }
    assert not (tmp_path / "gateway.db").exists()
    person = claim.subscriber.person
    for phi in (person.last_name, claim.subscriber.member_id, person.birth_date.isoformat()):
        assert phi not in result.stderr  # --debug logging carries no PHI


def test_packet_from_the_database_records_score_and_control_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    claim = load_claims(CLAIM_FILE)[0]
    store = Store.open(f"sqlite:///{tmp_path / 'gateway.db'}")
    with store.session() as session:
        claim_id = repository.upsert_claim(session, claim, ClaimStatus.RECEIVED).id
    out = tmp_path / "rfa.pdf"
    code, stdout, stderr = in_process(
        tmp_path, monkeypatch, capsys, "packet", claim.patient_control_number, "-o", str(out)
    )
    assert code == 0, stderr
    assert "recorded in the database" in stdout
    with store.session() as session:
        row = session.scalars(select(DocumentationRecordRow)).one()
    store.close()
    assert (row.subject_kind, row.subject_id, row.claim_id) == (
        "claim",
        claim.patient_control_number,
        claim_id,
    )
    assert row.packet_control_number == for_claim(claim).control_number
    # The RFA example documents every element (procedure notes included).
    assert row.present == row.required and json.loads(row.missing) == []
    assert row.packet_sha256 is not None and len(row.packet_sha256) == 64


def test_packet_for_an_auth_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = json.loads(AUTH_FILE.read_text())["auth_requests"][0]["request_id"]
    out = tmp_path / "auth.pdf"
    code, stdout, stderr = in_process(
        tmp_path,
        monkeypatch,
        capsys,
        "packet",
        request_id,
        "--auth",
        "--from",
        str(AUTH_FILE),
        "-o",
        str(out),
    )
    assert code == 0, stderr
    assert f"for auth {request_id}" in stdout and "add to the request for PWK" in stdout
    assert out.read_bytes().startswith(b"%PDF")


def test_unknown_claim_is_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = in_process(
        tmp_path,
        monkeypatch,
        capsys,
        "packet",
        "NOSUCHPCN",
        "--from",
        str(CLAIM_FILE),
        "-o",
        str(tmp_path / "x.pdf"),
    )
    assert code == 2
    assert stderr.strip() == f"error: {CLAIM_FILE}: no claim NOSUCHPCN"
    code, _, stderr = in_process(
        tmp_path, monkeypatch, capsys, "packet", "NOSUCHPCN", "-o", str(tmp_path / "x.pdf")
    )
    assert code == 2 and "--from FILE" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "x.pdf").exists()
