"""docs/coverage_matrix.md is generated from payer_configs/coverage_matrix.yaml and the rule packs:
the committed file must be current, every rule id must exist, every rule must be on a row, and no
verified limitation the claim can decide may be left unencoded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from gateway.rules.config import load_config
from gateway.rules.matrix import build, counts, load_matrix, problems, rule_index
from tests.rules.helpers import PAYER_CONFIGS, REPO

MATRIX = PAYER_CONFIGS / "coverage_matrix.yaml"
COMMITTED = REPO / "docs" / "coverage_matrix.md"


def test_committed_matrix_is_current_and_has_no_problems() -> None:
    text, found = build(load_config(PAYER_CONFIGS), MATRIX, REPO / "tests")
    assert found == []
    assert text == COMMITTED.read_text(), "run: gateway config matrix > docs/coverage_matrix.md"


def test_counts_per_family_and_no_verified_decidable_row_left_out() -> None:
    matrix = load_matrix(MATRIX)
    by_family = {family.family: counts(family) for family in matrix.families}
    assert list(by_family) == ["esi", "facet", "sij", "tpi", "scs", "prior_auth", "ncci", "commercial"]
    assert all(c["verified_decidable_unencoded"] == 0 for c in by_family.values())
    assert all(c["not_yet"] == 0 for c in by_family.values())
    assert (by_family["esi"]["rows"], by_family["esi"]["encoded"]) == (28, 25)
    assert sum(c["rows"] for c in by_family.values()) == 148
    assert sum(c["encoded"] for c in by_family.values()) == 127
    assert "| **all** | 148 | 127 | 8 | 6 | 7 | 0 |" in COMMITTED.read_text()


def test_every_encoded_row_names_a_test() -> None:
    assert "| none |" not in COMMITTED.read_text()


def test_a_missing_rule_an_orphan_rule_and_a_verified_gap_are_reported(tmp_path: Path) -> None:
    raw = yaml.safe_load(MATRIX.read_text())
    esi_rows = raw["families"][0]["rows"]
    esi_rows[0]["rules"] = ["esi.indicaton"]  # a typo
    units = next(row for row in esi_rows if row.get("rules") == ["esi.units"])
    units["rules"] = ["esi.frequency"]  # esi.units is now on no row
    esi_rows[1] = {
        "item": "a verified limit nobody encoded",
        "source": "L39240",
        "status": "V",
        "not_encoded": {"reason": "not_yet", "why": "later"},
    }
    copy = tmp_path / "coverage_matrix.yaml"
    copy.write_text(yaml.safe_dump(raw))
    found = problems(load_matrix(copy), rule_index(load_config(PAYER_CONFIGS)))
    assert found == [
        "esi row 1 (Covered indication 1: radiculopathy, radicular pai): rule esi.indicaton does not exist in payer_configs/",
        "esi row 2 (a verified limit nobody encoded): a verified limitation the claim can decide is not encoded",
        "rule esi.units (pack esi) is on no row of the coverage matrix",
    ]


def test_config_matrix_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "coverage_matrix.md"
    stale.write_text(COMMITTED.read_text().replace("| esi-01 |", "| esi-1 |"))
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "config", "matrix", "--check", str(stale)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GATEWAY_HOME": str(tmp_path)},
    )
    assert result.returncode == 1
    assert f"{stale} is stale: run gateway config matrix > {stale}" in result.stderr
    assert "Traceback" not in result.stderr
