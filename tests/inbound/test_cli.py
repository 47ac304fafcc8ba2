"""`gateway parse`, `gateway ingest`, `gateway claims show` and `gateway denials` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli.main import main
from tests.inbound.x12_fixtures import DENIED, PAID_CLAIM, interchange, remit_835

BASE_KEYS = {"type", "implementation", "interchange_control_number", "group_control_number", "control_number"}


def gateway(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GATEWAY_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """In-process run (no interpreter start-up): exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def remit_file(folder: Path) -> Path:
    path = folder / "remit.835"
    text = interchange(
        [remit_835([PAID_CLAIM, DENIED], amount="1000")], functional_id="HP", implementation="005010X221A1"
    )
    path.write_text(text)
    return path


def test_parse_json_has_exactly_the_issue_shape(tmp_path: Path) -> None:
    result = gateway(tmp_path, "parse", str(remit_file(tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"file", "transactions", "ta1", "errors"}
    transaction = data["transactions"][0]
    assert set(transaction) == BASE_KEYS | {"payment", "claims", "provider_adjustments"}
    assert transaction["type"] == "835" and transaction["implementation"] == "005010X221A1"
    # Issue 5's keys, plus what issue 19 added so that every parsed field is in the output.
    assert set(transaction["payment"]) == {"amount", "method", "trace_number", "payer_id"} | {
        "credit_debit",
        "date",
        "payer_name",
    }
    claim = transaction["claims"][0]
    assert set(claim) == {
        "patient_control_number",
        "status_code",
        "charge",
        "paid",
        "patient_responsibility",
        "payer_claim_control_number",
        "adjustments",
        "service_lines",
    } | {"filing_indicator", "remark_codes"}
    assert set(claim["service_lines"][0]) == {
        "procedure",
        "modifiers",
        "charge",
        "paid",
        "units",
        "control_number",
        "adjustments",
    } | {"qualifier", "service_date", "remark_codes"}
    assert set(claim["service_lines"][0]["adjustments"][0]) == {"group", "reason", "amount", "quantity"}


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty file"), (b"<html>not edi</html>", "no ISA segment"), (None, "ends without IEA")],
)
def test_bad_files_one_line_error_nonzero_no_traceback_and_quarantined(
    tmp_path: Path,
    content: bytes | None,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "in.x12"
    path.write_bytes(content if content is not None else remit_file(tmp_path).read_bytes()[:500])
    parsed = gateway(tmp_path, "parse", str(path))
    assert parsed.returncode == 2
    assert parsed.stderr.count("\n") == 1 and message in parsed.stderr and "Traceback" not in parsed.stderr
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    code, _, err = run_main(capsys, "ingest", str(path))
    assert code == 2 and "Traceback" not in err
    assert "quarantined as" in err
    assert (tmp_path / "inbound" / "quarantine" / "in.x12.reason").exists() and not path.exists()


def test_ingest_twice_then_timeline_and_denials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    path = remit_file(tmp_path)
    code, out, err = run_main(capsys, "ingest", str(path))
    assert code == 0, err
    assert "2 unmatched" in out
    _, out, _ = run_main(capsys, "ingest", str(path))
    assert "already recorded" in out
    code, out, err = run_main(capsys, "claims", "show", "PCN-3", "--json")
    assert code == 0, err
    events = json.loads(out)["events"]
    assert [(e["kind"], e["status"]) for e in events] == [("835", "denied")]
    _, out, _ = run_main(capsys, "claims", "show", "PCN-3")
    assert "not sent through this gateway" in out and "denied" in out
    _, out, _ = run_main(capsys, "denials", "--json")
    assert {(r["group"], r["reason"], r["claims"]) for r in json.loads(out)} >= {("CO", "197", 1)}
    code, _, err = run_main(capsys, "claims", "show", "NOPE")
    assert code != 0 and "no claim" in err and "Traceback" not in err


def test_parse_a_file_with_one_bad_transaction_prints_the_rest_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = remit_835([[DENIED[0].replace("*700*", "*7O0*"), *DENIED[1:]]], amount="0", control="0001")
    good = remit_835([PAID_CLAIM], amount="1000", control="0002")
    path = tmp_path / "partial.835"
    path.write_text(interchange([bad, good], functional_id="HP", implementation="005010X221A1"))
    code, out, err = run_main(capsys, "parse", str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert [t["control_number"] for t in data["transactions"]] == ["0002"]
    assert [(e["kind"], e["control_number"]) for e in data["errors"]] == [("transaction", "0001")]
    assert "1 transaction(s) could not be read" in err and err.count("\n") == 1
