"""`gateway codes import icd10cm` loads another release in the CDC layouts; bad files are refused
with file, line and what was expected, and the release loaded before stays in force."""

from __future__ import annotations

import json
import marshal
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.codesets.icd10cm import FORMAT, Icd10Index
from gateway.codesets.icd10cm_files import load_release, read_code_list, read_tabular
from gateway.errors import CodeSetError
from tests.codesets.helpers import gateway

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "icd10cm"
ORDER = FIXTURES / "icd10cm-order-2027-testdata.txt"
TABULAR = FIXTURES / "icd10cm-tabular-2027-testdata.xml"
REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "claims" / "esi_lumbar_tfesi_single.json"


def import_fy2027(
    home: Path, codes: Path = ORDER, tabular: Path = TABULAR
) -> subprocess.CompletedProcess[str]:
    return gateway(
        home,
        "codes", "import", "icd10cm", "--release", "FY2027", "--codes", str(codes),
        "--tabular", str(tabular), "--effective", "2026-10-01",
    )  # fmt: skip


def test_fixture_release_reads_into_an_index() -> None:
    index = load_release("FY2027", ORDER, TABULAR)
    assert index.counts() == (15, 8)
    assert [index.status(code).value for code in ("M54.52", "M54.5", "S33.5XX", "S33.5XXS", "Z99.99")] == [
        "billable",
        "header",
        "needs 7th character",
        "billable",
        "unknown",
    ]
    assert index.title("M54.52") == "Test-data low back pain (not a real code)"
    assert index.excludes1_pairs(["M54.50", "S39.012"]) == [
        ("M5450", "S39012", "M545", "low back strain (S39.012)")
    ]


def _claim_on(tmp_path: Path, day: str, dx: list[str]) -> Path:
    document = json.loads(EXAMPLE.read_text())
    item = document["claims"][0]
    item["diagnosis_codes"] = dx
    for service in item["service_lines"]:
        service["service_date"] = day
        service["diagnosis_pointers"] = [1]
    item["evidence"]["prior_procedures"] = []
    path = tmp_path / f"claim-{day}.json"
    path.write_text(json.dumps(document))
    return path


def test_import_then_a_dos_in_its_window_is_judged_by_it(tmp_path: Path) -> None:
    done = import_fy2027(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "ICD-10-CM FY2027: 8 billable of 15 codes, in force 2026-10-01 .. 2027-09-30"
    )
    november = gateway(
        tmp_path, "check", "--json", "--no-history", str(_claim_on(tmp_path, "2026-11-02", ["M54.52"]))
    )
    [document] = json.loads(november.stdout)
    assert [f["rule_id"] for f in document["findings"] if f["rule_id"].startswith("icd10cm")] == []
    september = gateway(
        tmp_path, "check", "--json", "--no-history", str(_claim_on(tmp_path, "2026-09-15", ["M54.52"]))
    )
    [document] = json.loads(september.stdout)
    [finding] = [f for f in document["findings"] if f["rule_id"].startswith("icd10cm")]
    assert (finding["rule_id"], finding["severity"], finding["source"]) == (
        "icd10cm.unknown",
        "error",
        "ICD-10-CM April 2026",
    )
    status = gateway(tmp_path, "codes", "status", "--json", "--date", "2026-11-02")
    releases = json.loads(status.stdout)
    assert [
        (r["kind"], r["release"], r["effective_from"], r["effective_to"], r["rows"])
        for r in releases["releases"]
    ] == [
        ("icd10cm", "April 2026", "2026-04-01", "2026-09-30", 74719),
        ("icd10cm", "FY2027", "2026-10-01", "2027-09-30", 8),
    ]
    assert releases["releases"][1]["source"] == f"{ORDER.name} + {TABULAR.name}"
    assert releases["today"]["icd10cm"] == "FY2027"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda text: text[: text.index("<name>M54.51</name>")],
            "line 46: not well-formed XML (Premature end of data in tag diag line 45",
        ),
        (
            lambda text: text.replace("<ICD10CM.tabular>", "<ICD10PCS.tabular>").replace(
                "</ICD10CM.tabular>", "</ICD10PCS.tabular>"
            ),
            "line 4: expected the root element <ICD10CM.tabular>, found <ICD10PCS.tabular>",
        ),
    ],
    ids=["truncated", "wrong-root"],
)
def test_a_bad_tabular_is_refused_and_the_loaded_release_stays(
    tmp_path: Path, damage: object, message: str
) -> None:
    assert import_fy2027(tmp_path).returncode == 0
    before = gateway(tmp_path, "codes", "status", "--json").stdout
    bad = tmp_path / "bad-tabular.xml"
    assert callable(damage)
    bad.write_text(damage(TABULAR.read_text()))
    result = import_fy2027(tmp_path, tabular=bad)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {bad}: {message}")
    assert "Traceback" not in result.stderr
    assert gateway(tmp_path, "codes", "status", "--json").stdout == before


def test_a_code_file_in_another_layout_is_refused_with_line_and_column(tmp_path: Path) -> None:
    wrong = tmp_path / "codes.csv"
    wrong.write_text("code,description\nM54.50,Low back pain\n")
    with pytest.raises(
        CodeSetError,
        match=r"codes\.csv: line 1: column 1: expected an ICD-10-CM code .* found 'code,description'",
    ):
        read_code_list(wrong)
    result = import_fy2027(tmp_path, codes=wrong)
    assert result.returncode == 2
    assert not (tmp_path / "gateway.db").exists()  # refused before anything was opened or stored


def test_a_broken_order_line_is_refused_with_its_line(tmp_path: Path) -> None:
    lines = ORDER.read_text().splitlines()
    lines[3] = lines[3][:30]  # cut inside the short title
    broken = tmp_path / "icd10cm-order-broken.txt"
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        CodeSetError, match=r"icd10cm-order-broken\.txt: line 4: expected the CDC order layout"
    ):
        read_code_list(broken)


def test_a_tabular_without_diag_names_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "t.xml"
    bad.write_text("<ICD10CM.tabular><chapter><diag><desc>no name</desc></diag></chapter></ICD10CM.tabular>")
    with pytest.raises(CodeSetError, match=r"t\.xml: line 1: <diag> without <name>"):
        read_tabular(bad)
    shutil.rmtree(tmp_path / "none", ignore_errors=True)


def test_an_empty_code_file_is_refused_and_each_layout_reads_its_billable_codes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    with pytest.raises(CodeSetError) as refused:
        read_code_list(empty)
    assert str(refused.value) == f"{empty}: line 1: empty file; expected an ICD-10-CM code list"
    # The CDC codes file lists billable codes only, each with its title.
    cdc = tmp_path / "icd10cm-codes-2027.txt"
    cdc.write_text("M5450   Low back pain, unspecified\nM5451   Vertebrogenic low back pain\n")
    codes = read_code_list(cdc)
    assert (codes.layout, codes.existing, codes.billable, codes.flags_given) == (
        "cdc-codes",
        {"M5450", "M5451"},
        {"M5450", "M5451"},
        True,
    )
    assert codes.titles == {"M5450": "Low back pain, unspecified", "M5451": "Vertebrogenic low back pain"}
    # A plain code list: a code is billable when no listed code extends it.
    plain = tmp_path / "codes.txt"
    plain.write_text("13\nM50-M54\nM54.5\nM54.50\nM54.51\nM54.6\n")
    codes = read_code_list(plain)
    assert (codes.layout, codes.billable, codes.flags_given) == (
        "code-list",
        {"M5450", "M5451", "M546"},
        False,
    )
    assert codes.existing == {"M545", "M5450", "M5451", "M546"}


def test_the_index_reads_back_from_its_blob_and_another_format_is_refused() -> None:
    """The blob is the cache file and the database row: what is read back judges the same."""
    index = load_release("FY2027", ORDER, TABULAR)
    blob = index.to_blob()
    again = Icd10Index.from_blob(blob)
    assert (again.release, again.counts(), again.title("M54.52")) == (
        "FY2027",
        (15, 8),
        "Test-data low back pain (not a real code)",
    )
    assert [again.status(code).value for code in ("M54.52", "M54.5", "S33.5XX", "Z99.99")] == [
        "billable",
        "header",
        "needs 7th character",
        "unknown",
    ]
    _, *rest = marshal.loads(blob)
    with pytest.raises(ValueError, match=r"^not an ICD-10-CM index of this format$"):
        Icd10Index.from_blob(marshal.dumps((FORMAT + 1, *rest)))
