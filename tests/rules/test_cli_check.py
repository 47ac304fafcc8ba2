"""`gateway check` and `gateway config check` from the shell: readable findings with their source,
exit 1 when a claim is held, exit 2 with file and key for a broken config, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.rules.helpers import PAYER_CONFIGS, REPO

EXAMPLES = REPO / "examples" / "claims"


def gateway(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GATEWAY_HOME": str(tmp_path), **env},
    )


def test_check_prints_held_findings_with_source_and_fix(tmp_path: Path) -> None:
    result = gateway(tmp_path, "check", str(EXAMPLES / "held_esi_bilateral_interlaminar.json"))
    assert result.returncode == 1, result.stderr
    assert "HELDIL0001  HELD" in result.stdout
    assert "esi.il_bilateral  [L39015 v16; verified]" in result.stdout
    assert "fix: bill one side only" in result.stdout
    assert "1 of 1 claim(s) held" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "gateway.db").exists()  # checking never creates a database


def test_check_json_lists_every_claim_and_the_pack_version(tmp_path: Path) -> None:
    result = gateway(
        tmp_path, "check", "--json", str(EXAMPLES / "held_scs_permanent_after_failed_trial.json")
    )
    assert result.returncode == 1
    [document] = json.loads(result.stdout)
    assert document["held"] is True
    assert document["pack_version"].startswith("medicare-cgs@")
    rules = {finding["rule_id"]: finding for finding in document["findings"]}
    assert rules["scs.trial_before_permanent"]["severity"] == "error"
    assert rules["scs.psych_evaluation"]["verified"] is True


def test_check_passes_a_clean_example(tmp_path: Path) -> None:
    result = gateway(tmp_path, "check", str(EXAMPLES / "esi_lumbar_tfesi_single.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 held" in result.stdout


def test_config_check_summarises_the_shipped_packs(tmp_path: Path) -> None:
    result = gateway(tmp_path, "config", "check")
    assert result.returncode == 0, result.stderr
    assert "payer medicare-cgs" in result.stdout and result.stdout.rstrip().endswith("ok")


def test_config_check_names_file_and_key_of_a_typo(tmp_path: Path) -> None:
    broken = tmp_path / "configs"
    shutil.copytree(PAYER_CONFIGS, broken)
    esi = broken / "packs" / "esi.yaml"
    esi.write_text(esi.read_text().replace("window_days: 365", "window_day: 365", 1))
    result = gateway(tmp_path, "config", "check", GATEWAY_PAYER_CONFIGS=str(broken))
    assert result.returncode == 2
    assert "configs/packs/esi.yaml" in result.stderr and "'esi.frequency'.window_day" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_json_gives_each_finding_a_category(tmp_path: Path) -> None:
    result = gateway(tmp_path, "check", "--json", str(EXAMPLES / "held_esi_wiser_texas_no_prior_auth.json"))
    assert result.returncode == 1, result.stderr
    [document] = json.loads(result.stdout)
    categories = {finding["rule_id"]: finding["category"] for finding in document["findings"]}
    assert categories["esi.wiser_prior_auth_tx"] == "prior_auth"
    assert {category for rule, category in categories.items() if rule.startswith("documentation.")} <= {
        "documentation"
    }
    assert set(categories.values()) <= {"coverage", "coding", "prior_auth", "documentation"}


def test_check_groups_findings_by_category(tmp_path: Path) -> None:
    """Coverage (would be denied) comes apart from documentation (incomplete for an audit)."""
    result = gateway(tmp_path, "check", str(EXAMPLES / "held_esi_bilateral_interlaminar.json"))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    coverage = out.index(
        "  coverage: 1 finding(s), 1 holding\n  error   line 1  esi.il_bilateral  [L39015 v16; verified]"
    )
    documentation = out.index("  documentation: 1 finding(s), 0 holding\n")
    assert coverage < documentation < out.index("documentation.esi_procedure_note.procedure_note")
    assert "  coding: " not in out and "  prior_auth: " not in out


def test_old_claim_file_reports_what_it_leaves_unstated(tmp_path: Path) -> None:
    result = gateway(
        tmp_path, "check", str(REPO / "tests" / "rules" / "fixtures" / "claims_before_issue13.json")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "  documentation: 1 finding(s), 0 holding\n  warning line 1  esi.indication  [L39240 v15; verified]"
        in (result.stdout)
    )
    assert "Not stated: radicular findings or neurogenic claudication (ESI is covered for" in result.stdout
    assert (
        "fix: record evidence.exam.radicular_findings, evidence.exam.neurogenic_claudication" in result.stdout
    )


def test_claim_file_written_before_the_new_evidence_fields_still_loads(tmp_path: Path) -> None:
    """An intake file from before issue 13 (no exam, lines, scs ... blocks) loads and is checked;
    what it leaves unstated is reported as documentation warnings, never held."""
    result = gateway(
        tmp_path, "check", "--json", str(REPO / "tests" / "rules" / "fixtures" / "claims_before_issue13.json")
    )
    assert result.returncode == 0, result.stderr
    [document] = json.loads(result.stdout)
    assert document["held"] is False
    not_stated = [f for f in document["findings"] if f["message"].startswith("Not stated: ")]
    assert [(f["rule_id"], f["severity"], f["category"]) for f in not_stated] == [
        ("esi.indication", "warning", "documentation")
    ]


def test_claim_schema_publishes_the_new_evidence_fields(tmp_path: Path) -> None:
    """gateway schema claim: every fact the LCD rules decide on can be stated, and all are optional."""
    result = gateway(tmp_path, "schema", "claim")
    assert result.returncode == 0, result.stderr
    definitions = json.loads(result.stdout)["$defs"]
    evidence = definitions["ClinicalEvidence"]
    new = {
        "lines",
        "exam",
        "trigger_points",
        "sedation",
        "sedation_reason",
        "injectate",
        "ablation",
        "repeat",
    }
    new |= {"rfa_contraindication", "scs", "continuation"}
    assert new <= set(evidence["properties"])
    assert not new & set(evidence.get("required", []))
    assert set(definitions["LineIntent"]["enum"]) == {
        "diagnostic",
        "therapeutic",
        "trial",
        "permanent",
        "replacement",
    }
    prior = definitions["PriorProcedure"]["properties"]
    assert {
        "relief_duration_hours",
        "anesthetic_agent",
        "successful",
        "functional_improvement_percent",
    } <= set(prior)
    assert {"PDAS", "PEG", "BPI_INTERFERENCE"} <= set(definitions["PainScale"]["enum"])
    assert {"multidisciplinary_screening", "active_substance_abuse", "leads", "contacts", "trials"} <= set(
        definitions["ScsEvidence"]["properties"]
    )
