"""835 golden files: the complete ``gateway parse --json`` output of each 835 compared with a
reviewed golden file, field by field (every CAS triplet, the 4th SVC modifier, DTM*472/150,
LQ*HE, MOA03-07, MIA05/20-23, BPR03/BPR16, CLP06, the PLB fiscal period ...).

Our own fixtures live in tests/inbound/golden/*.835; the third-party 835s in ../shared/corpus
have goldens in tests/inbound/golden/corpus/ (the corpus test skips when the corpus is absent).

A golden is written, never edited by hand: ``python -m tests.inbound.test_golden_835 --write``
rewrites every golden from the current parser, and ``git diff`` is the review.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from gateway.inbound.document import parse_bytes
from tests.conftest import CORPUS
from tests.inbound.test_parsers import remittance_file

GOLDEN = Path(__file__).parent / "golden"
OWN_FILES = sorted(GOLDEN.glob("*.835"))
CORPUS_835 = sorted((CORPUS / "835").glob("*")) if (CORPUS / "835").is_dir() else []


def parsed_json(data: bytes, name: str) -> dict[str, Any]:
    result = parse_bytes(data, name).to_json()
    # A round trip through JSON text, as `gateway parse --json` prints it.
    loaded: dict[str, Any] = json.loads(json.dumps(result))
    return loaded


def sources() -> list[tuple[str, bytes, Path]]:
    """(name, bytes, golden path) for every 835 that has a golden."""
    found = [(path.name, path.read_bytes(), path.with_suffix(".json")) for path in OWN_FILES]
    found.append(("parsers_fixture.835", remittance_file(), GOLDEN / "parsers_fixture.json"))
    found.extend(
        (path.name, path.read_bytes(), GOLDEN / "corpus" / f"{path.stem}.json") for path in CORPUS_835
    )
    return found


def test_every_own_fixture_has_its_golden() -> None:
    assert [path.name for path in OWN_FILES] == ["full_remit.835"]
    assert all(path.with_suffix(".json").is_file() for path in OWN_FILES)


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_own_835_matches_its_golden(path: Path) -> None:
    golden = json.loads(path.with_suffix(".json").read_text())
    assert parsed_json(path.read_bytes(), path.name) == golden


def test_parsers_fixture_matches_its_golden() -> None:
    golden = json.loads((GOLDEN / "parsers_fixture.json").read_text())
    assert parsed_json(remittance_file(), "parsers_fixture.835") == golden


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS_835, reason="shared corpus not present")
@pytest.mark.parametrize("path", CORPUS_835, ids=lambda p: p.name)
def test_corpus_835_matches_its_golden(path: Path) -> None:
    golden = json.loads((GOLDEN / "corpus" / f"{path.stem}.json").read_text())
    assert parsed_json(path.read_bytes(), path.name) == golden


def test_full_fixture_pins_the_fields_that_no_other_test_reads() -> None:
    """The golden is reviewed once; these lines say what the review checked against the file."""
    data = parsed_json((GOLDEN / "full_remit.835").read_bytes(), "full_remit.835")
    remit = data["transactions"][0]
    assert remit["payment"] == {
        "amount": "1325.5",
        "credit_debit": "C",
        "method": "ACH",
        "date": "20261127",
        "trace_number": "EFT7777",
        "payer_id": "1512345678",
        "payer_name": "ACME HEALTH PLAN",
    }
    first, second = remit["claims"]
    assert (first["filing_indicator"], second["filing_indicator"]) == ("MB", "16")
    assert first["remark_codes"] == ["N130", "MA01", "N362", "M80", "N381"]  # MOA03..MOA07
    assert second["remark_codes"] == ["MA130", "M2", "MA31", "N4", "N5"]  # MIA05, MIA20..MIA23
    line = first["service_lines"][0]
    assert line["modifiers"] == ["RT", "LT", "59", "XS"]
    assert line["service_date"] == "20261101"  # DTM*150 (the period's start); DTM*151 is not the date
    assert first["service_lines"][1]["service_date"] == "20261101"  # DTM*472
    assert line["remark_codes"] == ["N130", "M15"]  # LQ*HE
    assert [(a["reason"], a["amount"], a["quantity"]) for a in line["adjustments"][:4]] == [
        ("45", "250", "1"),
        ("59", "50", "1"),
        ("253", "10", None),
        ("131", "60", None),  # the 4th triplet, the last one without a quantity
    ]
    assert [(a["reason"], a["amount"]) for a in second["adjustments"]] == [
        ("45", "300"),
        ("97", "100"),
        ("253", "14.5"),
        ("23", "50"),
    ]
    assert [
        (p["fiscal_period"], p["reason"], p["reference"], p["amount"]) for p in remit["provider_adjustments"]
    ] == [
        ("20261231", "WO", "PCN-9", "25"),
        ("20261231", "FB", "ADJ-1", "-10"),
        ("20261231", "L6", "INT-77", "-5"),
    ]
    assert data["errors"] == []  # it balances: 1300 + 35.5 - (25 - 10 - 5) = 1325.5


def write_goldens() -> None:
    for name, data, golden in sources():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(parsed_json(data, name), indent=1, sort_keys=True) + "\n")
        print(f"wrote {golden}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python -m tests.inbound.test_golden_835 --write")
    write_goldens()
