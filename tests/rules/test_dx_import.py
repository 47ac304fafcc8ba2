"""The MCD article export (our own small fixture in its CSV layout) becomes a loadable dx/ file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from gateway.domain.history import History
from gateway.errors import ConfigError
from gateway.rules import engine
from gateway.rules.book import RuleBook
from gateway.rules.config import load_config
from gateway.rules.dx_import import article_from_export, write_article
from tests.rules.helpers import PAYER_CONFIGS, claim, line


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "current_article_csv"
    folder.mkdir()
    write_csv(
        folder / "article_x_icd10_covered.csv",
        [
            "article_id",
            "article_version",
            "icd10_code_id",
            "icd10_code_version",
            "range",
            "sort_order",
            "description",
            "asterisk",
            "icd10_covered_group",
        ],
        [
            ["99001", "3", "M47816", "1", "", "1", "spondylosis lumbar", "", "1"],
            ["99001", "3", "M47817", "1", "", "2", "spondylosis lumbosacral", "", "1"],
            ["99001", "3", "M5386", "1", "", "1", "other dorsopathy lumbar", "", "2"],
            ["99001", "2", "M5450", "1", "", "1", "old version only", "", "1"],
            ["99002", "1", "Z00.00", "1", "", "1", "another article", "", "1"],
        ],
    )
    write_csv(
        folder / "article_x_icd10_covered_group.csv",
        ["article_id", "article_version", "icd10_covered_group", "paragraph"],
        [["99001", "3", "2", "<p>For facet cyst injection only.</p>"]],
    )
    write_csv(
        folder / "article_x_hcpc_code.csv",
        ["article_id", "article_version", "hcpc_code_id", "hcpc_code_group", "short_description"],
        [
            ["99001", "3", "64493", "1", ""],
            ["99001", "3", "64494", "1", ""],
            ["99001", "3", "64495", "2", ""],
        ],
    )
    return folder


def test_newest_version_groups_codes_and_cpt_scope(export: Path) -> None:
    document = article_from_export(export, "A99001", mac="Test MAC", lcd="L38773")
    assert document["version"] == "3" and document["status"] == "verified"
    assert [g["group"] for g in document["groups"]] == ["1", "2"]
    assert document["groups"][0]["codes"] == ["M47.816", "M47.817"]  # not the version-2 M54.50
    assert document["groups"][0]["cpt"] == ["64493", "64494"]  # group-2 (non-covered) 64495 left out
    assert "facet cyst" in document["groups"][1]["note"]


def test_imported_file_loads_and_drives_a_dx_rule(export: Path, tmp_path: Path) -> None:
    configs = tmp_path / "payer_configs"
    shutil.copytree(PAYER_CONFIGS, configs)
    write_article(article_from_export(export, "99001", lcd="L38773"), configs / "dx")
    payer = configs / "payers" / "medicare-cgs.yaml"
    payer.write_text(
        payer.read_text() + "    rules:\n      - {id: cgs.dx_facet, kind: dx_coverage, "
        "articles: [A99001], status: verified, sources: [L38773]}\n"
    )
    book = RuleBook(load_config(configs))
    cgs = book.config.payers["medicare-cgs"]
    ruleset = book.ruleset(cgs, cgs.versions[0], cgs.versions[0].effective_from)
    rule = next(r for r in ruleset.rules if r.id == "cgs.dx_facet")
    assert rule.dx[0].by_cpt["64493"][0] == frozenset({"M47816", "M47817", "M5386"})
    mbb = {"diagnostic_block": True}
    uncovered = engine.evaluate(
        claim([line("64493", ["KX"])], dx=["M54.50"], evidence_changes=mbb), History(), book
    )
    assert [f.severity.value for f in uncovered.findings if f.rule_id == "cgs.dx_facet"] == ["error"]
    covered = engine.evaluate(
        claim([line("64493", ["KX"])], dx=["M47.816"], evidence_changes=mbb), History(), book
    )
    assert not [f for f in covered.findings if f.rule_id == "cgs.dx_facet"]


def test_missing_article_is_a_config_error(export: Path) -> None:
    with pytest.raises(ConfigError, match="no covered ICD-10 rows for article A12345"):
        article_from_export(export, "A12345")
