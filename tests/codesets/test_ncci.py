"""NCCI PTP and MUE quarters imported from files in the CMS practitioner layouts, and the rules on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.codesets import CodeSets
from gateway.codesets.ncci import MueValue, quarter_end, quarter_name, quarter_start, read_mue, read_ptp
from gateway.domain.findings import Finding, Severity
from gateway.errors import CodeSetError
from gateway.rules import evaluate
from gateway.store.codesets import load_code_sets
from gateway.store.db import Store
from tests.codesets.helpers import gateway
from tests.rules.helpers import book, claim, line

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ncci"
PTP = FIXTURES / "ccipra-v330r0-f1-testdata.txt"
MUE_2026Q4 = FIXTURES / "MCR_MUE_PractitionerServices_Eff_10-01-2026-testdata.csv"
MUE_2027Q1 = FIXTURES / "MCR_MUE_PractitionerServices_Eff_01-01-2027-testdata.csv"
JAN = dt.date(2027, 1, 13)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ncci")
    for args in (("ncci-ptp", str(PTP)), ("mue", str(MUE_2026Q4)), ("mue", str(MUE_2027Q1))):
        done = gateway(folder, "codes", "import", *args)
        assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def codes(home: Path) -> Iterator[CodeSets]:
    store = Store.open(f"sqlite:///{home / 'gateway.db'}")
    yield load_code_sets(store, fresh=True)
    store.close()


def ncci(codes: CodeSets, lines: list[dict[str, Any]]) -> list[Finding]:
    result = evaluate(claim(lines, dx=["M47.816"]), None, book(), codes=codes)
    return [
        f for f in result.findings if f.rule_id.startswith("ncci.") and f.rule_id != "ncci.prefer_x_modifiers"
    ]


def test_imports_report_what_they_loaded(tmp_path: Path) -> None:
    done = gateway(tmp_path, "codes", "import", "ncci-ptp", str(PTP))
    assert done.stdout == "NCCI PTP 2027Q1: 5 edits from 1 file(s), in force from 2027-01-01\n"
    done = gateway(tmp_path, "codes", "import", "mue", str(MUE_2027Q1))
    assert done.stdout == "MUE 2027Q1: 5 values, in force from 2027-01-01\n"
    [edit] = [e for e in read_ptp(PTP) if e.column1 == "64483"]
    assert (edit.column2, edit.effective, edit.deletion, edit.modifier_indicator) == (
        "20552",
        dt.date(2015, 1, 1),
        dt.date(2026, 7, 1),
        1,
    )
    assert [(v.code, v.value, v.mai) for v in read_mue(MUE_2027Q1)][:2] == [("64483", 1, 1), ("64490", 1, 2)]


def test_indicator_0_is_never_bypassed(codes: CodeSets) -> None:
    [finding] = ncci(codes, [line("64772", day=JAN), line("64490", ["XS"], day=JAN)])
    assert (finding.severity, finding.rule_id, finding.line) == (Severity.ERROR, "ncci.cms_files", 2)
    assert finding.source == "NCCI PTP 2027Q1 (ccipra-v330r0-f1-testdata.txt)"
    assert finding.message == (
        "64490 is bundled into 64772 on 2027-01-13 (NCCI PTP (Misuse of column two code with column one code "
        "(test data)), modifier indicator 0: never paid together, no modifier bypasses it)."
    )


def test_indicator_1_holds_without_a_bypass_modifier(codes: CodeSets) -> None:
    [finding] = ncci(codes, [line("62323", day=JAN), line("64483", ["RT"], day=JAN)])
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "64483 with 62323 on 2027-01-13 is an NCCI PTP pair (Mutually exclusive procedures (test data)); it is "
        "paid only as a distinct service (modifier indicator 1)."
    )
    assert finding.fix.startswith("add XE, XS, XP or XU (59 only when none fits)")


@pytest.mark.parametrize("modifier", ["59", "XE", "XS", "XP", "XU"])
def test_indicator_1_is_bypassed_by_each_ncci_modifier(codes: CodeSets, modifier: str) -> None:
    assert ncci(codes, [line("62323", day=JAN), line("64483", ["RT", modifier], day=JAN)]) == []


def test_indicator_9_is_not_applied(codes: CodeSets) -> None:
    assert ncci(codes, [line("64490", day=JAN), line("64493", day=JAN)]) == []


def test_a_pair_deleted_before_the_dos_is_not_applied(codes: CodeSets) -> None:
    assert ncci(codes, [line("64483", ["RT"], day=JAN), line("20552", day=JAN)]) == []


def test_mai_1_is_per_line(codes: CodeSets) -> None:
    [finding] = ncci(codes, [line("64483", ["RT"], units=2, day=JAN)])
    assert finding.message == ("64483 is billed with 2 units on one line; the MUE is 1 (MAI 1 Line Edit).")
    assert ncci(codes, [line("64483", ["RT"], day=JAN), line("64483", ["LT"], day=JAN)]) == []


def test_mai_2_adds_the_lines_of_one_date(codes: CodeSets) -> None:
    [finding] = ncci(codes, [line("64493", ["RT"], day=JAN), line("64493", ["LT"], day=JAN)])
    assert (finding.line, finding.message) == (
        2,
        (
            "64493 adds up to 2 units on 2027-01-13; the MUE per date of service is 1 (MAI 2 Date of Service Edit: "
            "Policy)."
        ),
    )


def test_mai_3_adds_the_lines_of_one_date(codes: CodeSets) -> None:
    lines = [line("64635", day=JAN), line("64636", units=3, day=JAN), line("64636", ["XS"], units=2, day=JAN)]
    [finding] = ncci(codes, lines)
    assert finding.message == (
        "64636 adds up to 5 units on 2027-01-13; the MUE per date of service is 4 (MAI 3 Date of Service Edit: "
        "Clinical)."
    )


def test_a_modifier_50_line_counts_its_billed_unit(codes: CodeSets) -> None:
    assert ncci(codes, [line("64493", ["50"], day=JAN)]) == []


def test_quarter_boundary(codes: CodeSets) -> None:
    december, january = dt.date(2026, 12, 31), dt.date(2027, 1, 4)
    two_lines = [line("64490", ["RT"], day=december), line("64490", ["LT"], day=december)]
    assert [f.source for f in ncci(codes, two_lines)] == []  # 2026Q4: 64490 MUE 2
    two_lines = [line("64490", ["RT"], day=january), line("64490", ["LT"], day=january)]
    [finding] = ncci(codes, two_lines)
    assert finding.source == "NCCI MUE 2027Q1 (MCR_MUE_PractitionerServices_Eff_01-01-2027-testdata.csv)"
    assert finding.message.startswith(
        "64490 adds up to 2 units on 2027-01-04; the MUE per date of service is 1"
    )


def test_an_edit_applies_from_its_effective_date(codes: CodeSets) -> None:
    [finding] = ncci(codes, [line("64493", day=JAN), line("20553", day=JAN)])
    assert finding.message.startswith("20553 with 64493 on 2027-01-13 is an NCCI PTP pair")


def test_loaded_quarters_replace_the_hand_typed_pairs(codes: CodeSets) -> None:
    lines = [line("64772", day=JAN), line("64493", day=JAN)]  # 64772/64493: hand-typed only
    assert ncci(codes, lines) == []
    hand_typed = evaluate(claim(lines, dx=["M47.816"]), None, book())
    assert [f.rule_id for f in hand_typed.findings if f.rule_id == "ncci.ptp_64772"] == ["ncci.ptp_64772"]


def test_status_lists_the_quarters(home: Path) -> None:
    status = gateway(home, "codes", "status", "--date", "2027-01-13")
    assert status.returncode == 0, status.stderr
    rows = status.stdout.splitlines()
    assert rows[2].startswith("ncci-ptp     2027Q1       2027-01-01 .. open                 5")
    assert rows[3].startswith("mue          2026Q4       2026-10-01 .. 2026-12-31           3")
    assert rows[4].startswith("mue          2027Q1       2027-01-01 .. open                 5")
    assert rows[5].endswith("NCCI PTP 2027Q1; MUE 2027Q1")


def test_a_truncated_file_is_refused_and_the_quarter_stays(tmp_path: Path) -> None:
    assert gateway(tmp_path, "codes", "import", "ncci-ptp", str(PTP)).returncode == 0
    before = gateway(tmp_path, "codes", "status", "--json").stdout
    cut = tmp_path / "ccipra-v330r0-f1.txt"
    text = PTP.read_text()
    cut.write_text(text[: text.rindex("20553") + 3])
    result = gateway(tmp_path, "codes", "import", "ncci-ptp", str(cut))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {cut}: line 8: column 3 (* = In existence prior to 1996) is missing (truncated line?)\n"
    )
    assert gateway(tmp_path, "codes", "status", "--json").stdout == before


def test_a_file_in_another_layout_is_refused() -> None:
    with pytest.raises(CodeSetError, match=r"Eff_01-01-2027-testdata\.csv: line 8: no header row found; expected the "
                       r"columns Column 1, Column 2, \* = In existence prior to 1996, Effective Date"):  # fmt: skip
        read_ptp(MUE_2027Q1)
    with pytest.raises(CodeSetError, match=r"testdata\.txt: line 8: no header row found; expected the columns "
                       r"HCPCS/CPT Code, Practitioner Services MUE Values"):  # fmt: skip
        read_mue(PTP)


def test_a_bad_modifier_indicator_names_its_column(tmp_path: Path) -> None:
    bad = tmp_path / "ptp.txt"
    bad.write_text(PTP.read_text().replace("20170101\t*\t9\t", "20170101\t*\t2\t"))
    with pytest.raises(
        CodeSetError, match=r"ptp\.txt: line 7: column 6 \(Modifier\): expected 0, 1 or 9, found '2'"
    ):
        read_ptp(bad)


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2026, 5, 20), (dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026Q2")),
        (dt.date(2026, 12, 31), (dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026Q4")),
        (dt.date(2027, 1, 1), (dt.date(2027, 1, 1), dt.date(2027, 3, 31), "2027Q1")),
    ],
)
def test_the_quarter_of_a_day(day: dt.date, quarter: tuple[dt.date, dt.date, str]) -> None:
    assert (quarter_start(day), quarter_end(day), quarter_name(day)) == quarter


def test_a_long_bad_code_is_cut_to_12_and_mue_rows_short_of_a_column(tmp_path: Path) -> None:
    bad = tmp_path / "ptp.txt"
    bad.write_text(PTP.read_text().replace("64490\t64493\t", "64490\tABCDEFGHIJKLMNOP\t"))
    with pytest.raises(CodeSetError) as refused:
        read_ptp(bad)
    assert (
        str(refused.value)
        == f"{bad}: line 7: column 2 (Column 2): expected a CPT/HCPCS code, found 'ABCDEFGHIJKL'"
    )
    header = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
    mue = tmp_path / "mue.csv"
    mue.write_text(header + "64483,1,1 Line Edit\n")  # the rationale may be left out
    assert read_mue(mue) == [MueValue("64483", 1, 1, "1 Line Edit", "")]
    mue.write_text(header + "64483,1\n")
    with pytest.raises(CodeSetError) as refused:
        read_mue(mue)
    assert (
        str(refused.value)
        == f"{mue}: line 2: column 3 (MUE Adjudication Indicator) is missing (truncated line?)"
    )
