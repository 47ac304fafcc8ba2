"""`gateway check` shows the documentation score: a line per claim, an object in --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli.main import main
from tests.documentation.helpers import claim_document, complete_evidence

FAMILY_CODE = "64483"


def run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> str:
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    with pytest.raises(SystemExit) as done:
        main(list(args))
    output = capsys.readouterr().out
    # Exit 1: both claims are held by esi.repeat_relief (relief of 35 days before a repeat ESI);
    # a missing documentation element only lowers the score, it holds nothing.
    assert done.value.code == 1, output
    return output


def test_check_prints_and_exports_the_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    thin = complete_evidence(FAMILY_CODE)
    thin["procedure_notes"][0]["laterality"] = None
    thin_claim = claim_document(FAMILY_CODE, thin)
    thin_claim["patient_control_number"] = "DOCTHIN1"
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps({"claims": [claim_document(FAMILY_CODE), thin_claim]}))
    text = run(tmp_path, monkeypatch, capsys, "check", "--no-history", str(claims))
    holding = [line.split()[3] for line in text.splitlines() if line.strip().startswith("error ")]
    assert holding == ["esi.repeat_relief", "esi.repeat_relief"]  # the only holds, one per claim
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("documentation ")]
    assert len(lines) == 2
    complete, missing = lines
    required = int(complete.split()[1].split("/")[1])
    assert complete == f"documentation {required}/{required} elements (100%)"
    assert missing.startswith(f"documentation {required - 1}/{required} elements")
    assert missing.endswith("missing: procedure_laterality")
    document = json.loads(run(tmp_path, monkeypatch, capsys, "check", "--json", "--no-history", str(claims)))
    scores = {item["patient_control_number"]: item["documentation"] for item in document}
    assert scores["DOCTEST1"]["score"] == 1.0 and scores["DOCTEST1"]["missing"] == []
    assert scores["DOCTHIN1"]["missing"] == ["procedure_laterality"]
    assert scores["DOCTHIN1"]["present"] == scores["DOCTHIN1"]["required"] - 1
