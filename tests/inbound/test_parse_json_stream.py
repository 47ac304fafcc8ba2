"""Streaming ``gateway parse --json`` writes the document ``parse_file(...).to_json()`` describes:
``--pretty`` byte for byte as ``json.dumps(..., indent=2)`` (the command's output before it
streamed), compact with the same keys and values, on every corpus file and every fixture; files
that cannot be read fail with the same message and print nothing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gateway.cli.main import main
from gateway.errors import ParseError
from gateway.inbound.document import parse_file
from gateway.inbound.json_stream import write_parse_json
from tests.inbound.x12_fixtures import DENIED, PAID_CLAIM, REVERSAL, interchange, isa, remit_835

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"


def fixture_files(folder: Path) -> list[Path]:
    files = {
        "remit.835": interchange(
            [remit_835([PAID_CLAIM, DENIED, REVERSAL], amount="1000")],
            functional_id="HP",
            implementation="005010X221A1",
        ),
        "two_transactions_one_bad.835": interchange(
            [
                remit_835([[DENIED[0].replace("*700*", "*7O0*"), *DENIED[1:]]], amount="0", control="0001"),
                remit_835([PAID_CLAIM], amount="1000", control="0002"),
            ],
            functional_id="HP",
            implementation="005010X221A1",
        ),
        "only_bad.835": interchange(
            [remit_835([[DENIED[0].replace("*700*", "*7O0*"), *DENIED[1:]]], amount="0")],
            functional_id="HP",
            implementation="005010X221A1",
        ),
        "no_isa.txt": "hello, this is not X12\n",
        "empty.x12": "",
        "ta1_only.x12": isa() + "~TA1*000000101*261128*0930*A*000~IEA*0*000000901~",
    }
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text)
        paths.append(path)
    return paths


def every_file(folder: Path) -> list[Path]:
    found = fixture_files(folder) + sorted(GOLDEN.iterdir())
    if CORPUS.is_dir():
        found += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".tsv")
    return found


def test_pretty_is_byte_for_byte_and_compact_has_the_same_keys_and_values(tmp_path: Path) -> None:
    files = every_file(tmp_path)
    compared = 0
    failed: list[str] = []
    for path in files:
        try:
            parsed = parse_file(path)
        except ParseError as error:
            for indented in (True, False):
                out = io.StringIO()
                with pytest.raises(ParseError) as streamed:
                    write_parse_json(path, out, pretty=indented)
                assert str(streamed.value) == str(error), path.name
                assert out.getvalue() == "", path.name
            failed.append(path.name)
            continue
        expected = json.dumps(parsed.to_json(), indent=2) + "\n"
        pretty, compact = io.StringIO(), io.StringIO()
        assert write_parse_json(path, pretty, pretty=True) == parsed.failed_transactions
        write_parse_json(path, compact)
        assert pretty.getvalue() == expected, path.name
        assert json.loads(compact.getvalue()) == json.loads(expected), path.name
        # the same keys and values, in the same order, without the indentation
        assert compact.getvalue() == json.dumps(json.loads(expected), separators=(",", ":")) + "\n", path.name
        compared += 1
    assert {"only_bad.835", "no_isa.txt", "empty.x12"} <= set(failed)
    assert compared >= 4


def test_a_file_cut_off_after_a_transaction_closes_the_json_and_fails_like_parse_file(tmp_path: Path) -> None:
    whole = interchange(
        [
            remit_835([PAID_CLAIM], amount="1000", control="0001"),
            remit_835([DENIED], amount="0", control="0002"),
        ],
        functional_id="HP",
        implementation="005010X221A1",
    )
    path = tmp_path / "cut.835"
    path.write_text(whole[: whole.index("ST*835*0002")])
    with pytest.raises(ParseError) as expected:
        parse_file(path)
    out = io.StringIO()
    with pytest.raises(ParseError) as streamed:
        write_parse_json(path, out)
    assert str(streamed.value) == str(expected.value)
    written = json.loads(out.getvalue())
    assert [t["control_number"] for t in written["transactions"]] == ["0001"]
    assert written["transactions"][0]["claims"][0]["patient_control_number"] == "PCN-1"


def test_cli_parse_json_streams_compact_and_pretty_with_the_same_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, partial, *_ = fixture_files(tmp_path)
    for path, code_wanted in ((good, 0), (partial, 1)):
        expected = json.dumps(parse_file(path).to_json(), indent=2) + "\n"
        with pytest.raises(SystemExit) as done:
            main(["parse", str(path), "--json", "--pretty"])
        out = capsys.readouterr().out
        assert (int(done.value.code or 0), out) == (code_wanted, expected)
        with pytest.raises(SystemExit) as done:
            main(["parse", str(path), "--json"])
        captured = capsys.readouterr()
        assert int(done.value.code or 0) == code_wanted
        assert json.loads(captured.out) == json.loads(expected) and len(captured.out) < len(expected)
