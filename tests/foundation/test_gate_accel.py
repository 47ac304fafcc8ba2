"""The accelerated pyx12 walk (gateway/x12/gate_accel.py) gives exactly the stock walk's result:
every finding (code, message, segment number, loop, element, value), any fatal reason and the 999
pyx12 writes, on every corpus file, every example claim, fixtures of the 278 tests and batches
with seeded errors; its counter keeps NodeCounter's counts; another pyx12 version is refused.
"""

from __future__ import annotations

import importlib.metadata
import io
import logging
import random
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import pyx12.error_999
import pyx12.errors
import pyx12.nodeCounter
import pyx12.path
import pyx12.segment
import pyx12.x12file

from gateway.x12 import gate, gate_accel
from gateway.x12.gate import GateResult, validate_text
from gateway.x12.pyx12_maps import map_path_for
from tests.conftest import example_claim_dicts
from tests.foundation.helpers import build, claims_from
from tests.foundation.test_gate_pool import many_claims, segments_of
from tests.x12_278.samples import REQUEST_BODY, RESPONSE_BODY, interchange, replaced, without

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.fixture(autouse=True)
def fixed_999_envelope(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pyx12 dates its 999 by the clock and numbers its group at random: fixed here, so two
    walks' 999s can be compared whole."""
    moment = time.struct_time((2026, 12, 3, 12, 0, 0, 3, 337, 0))
    monkeypatch.setattr(
        pyx12.error_999, "time", types.SimpleNamespace(strftime=lambda fmt: time.strftime(fmt, moment))
    )
    monkeypatch.setattr(pyx12.error_999, "random", types.SimpleNamespace(randint=lambda low, high: low))
    yield


def both_ways(text: str, map_path: Path | None = None) -> GateResult:
    """The stock and the accelerated walk of ``text`` (with the 999), asserted equal."""
    stock = validate_text(text, map_path, want_999=True, stock=True)
    fast = validate_text(text, map_path, want_999=True)
    assert fast == stock
    if stock.fatal and "cannot write a 999" in stock.fatal:  # the findings are compared too
        assert validate_text(text, map_path) == validate_text(text, map_path, stock=True)
    return fast


def codes(result: GateResult) -> list[tuple[str, int | None, str | None, str | None]]:
    return [(issue.code, issue.segment_index, issue.segment_id, issue.element) for issue in result.issues]


def edited(text: str, edit: dict[int, str | None]) -> str:
    """``text`` with segment n (0-based) replaced, or dropped where the edit is None."""
    segments = segments_of(text)
    out = [edit.get(n, segment) for n, segment in enumerate(segments)]
    return "~".join(segment for segment in out if segment is not None) + "~"


def first(text: str, prefix: str, after: int = 0) -> int:
    return next(n for n, segment in enumerate(segments_of(text)) if n >= after and segment.startswith(prefix))


def test_the_installed_pyx12_is_the_one_the_shortcuts_were_checked_against() -> None:
    assert importlib.metadata.version("pyx12") == gate_accel.TESTED_PYX12
    assert gate._ACCELERATED is True


def test_another_pyx12_version_falls_back_to_the_stock_walk_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "4.1.0")
    with caplog.at_level(logging.WARNING, logger="gateway.x12.gate_accel"):
        assert gate_accel.supported() is False
    assert caplog.messages == ["pyx12 4.1.0 is not 4.0.0: the gate uses pyx12's stock (slower) walk"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_every_corpus_file_walks_the_same() -> None:
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.suffix != ".tsv")
    assert len(files) >= 50
    with_findings = 0
    for path in files:
        text = path.read_text(encoding="ascii", errors="replace")
        result = both_ways(text, map_path_for(text))
        with_findings += bool(result.issues or result.fatal)
    assert with_findings >= 10  # the corpus exercises the error paths too, not only clean files


def test_every_example_claim_alone_and_all_together_walk_the_same() -> None:
    claims = claims_from(example_claim_dicts())
    for claim in claims:
        assert both_ways(build([claim]).text).ok
    assert both_ways(build(claims).text).ok


def test_a_clean_batch_walks_the_same() -> None:
    assert both_ways(build(many_claims(60)).text).ok


BATCH = build(many_claims(12)).text
CLM = first(BATCH, "CLM*")
SECOND_CLM = first(BATCH, "CLM*", CLM + 1)
# Two service lines of one claim (one map node for both DTP*472): the first line's date.
TWO_LINES = next(
    n
    for n in range(len(segments_of(BATCH)))
    if segments_of(BATCH)[n].startswith("CLM*") and first(BATCH, "LX*2", n) < first(BATCH, "CLM*", n + 1)
)
FIRST_LINE_DATE = segments_of(BATCH)[first(BATCH, "DTP*472*D8*", TWO_LINES)].rsplit("*", 1)[1]
SECOND_LINE_DTP = first(BATCH, "DTP*472*D8*", first(BATCH, "LX*2", TWO_LINES))


@pytest.mark.parametrize(
    ("breakage", "edit", "expected"),
    [
        (
            "bad codes",
            {
                first(BATCH, "DMG*"): "DMG*D8*19730630*Q",
                first(BATCH, "SV1*"): "SV1*HC:62321*980*XX*1***1",
                first(BATCH, "SBR*"): "SBR*Z*18*******MB",
            },
            [
                ("1", 16, "SBR", None),
                ("3", 17, "SBR", None),
                ("7", 26, "DMG", "DMG03"),
                ("7", 33, "SV1", "SV103"),
            ],
        ),
        (
            # the value the first line's DTP03 had as a valid D8: as a range it is not a date
            "a date qualifier",
            {SECOND_LINE_DTP: f"DTP*472*RD8*{FIRST_LINE_DATE}"},
            [("8", 52, "DTP", "DTP03")],
        ),
        (
            "bad dates",
            {
                first(BATCH, "DTP*472*"): "DTP*472*D8*20260230",
                first(BATCH, "DMG*"): "DMG*D8*19731330*F",
                first(BATCH, "DTP*472*", SECOND_CLM): "DTP*472*RD8*20260901-2026090",
            },
            [
                ("8", 26, "DMG", "DMG02"),
                ("8", 34, "DTP", "DTP03"),
                ("8", 49, "DTP", "DTP03"),
            ],
        ),
        (
            "wrong counts",
            {len(segments_of(BATCH)) - 3: "SE*5*0001", len(segments_of(BATCH)) - 2: "GE*2*1"},
            [("5", 232, "GS", None), ("4", 231, "ST", None)],
        ),
        (
            "missing segments",
            {first(BATCH, "DTP*472*"): None, first(BATCH, "NM1*PR*"): None, first(BATCH, "LX*"): None},
            [("4", 228, "ST", None), ("3", 20, "NM1", None), ("1", 31, "SV1", None), ("3", 32, "LX", None)],
        ),
        (
            "values out of shape",
            {
                CLM: BATCH.split("~")[CLM].replace("*980*", "*98O*") + "*Y",
                first(BATCH, "NM1*IL*"): "NM1*IL*1*NGUYEN \x07*DAVID****MI*M000000000",
                first(BATCH, "N3*"): "N3*9012 N 19TH AVE   ",
                first(BATCH, "N4*"): "N4*PHOENIX*ARIZONA*85021",
                first(BATCH, "DMG*"): "DMG*D8*19730630:1*F",
            },
            [
                ("6", 11, "N3", "N301"),
                ("5", 12, "N4", "N402"),
                ("6", 17, "NM1", "NM103"),
                ("6", 26, "DMG", "DMG02"),
                ("6", 27, "CLM", "CLM02"),
                ("7", 27, "CLM", "CLM10"),
            ],
        ),
    ],
)
def test_seeded_errors_walk_the_same(
    breakage: str, edit: dict[int, str | None], expected: list[tuple[str, int, str, str | None]]
) -> None:
    assert codes(both_ways(edited(BATCH, edit))) == expected, breakage


SEGMENTS = segments_of(BATCH)


@pytest.mark.parametrize(
    ("breakage", "edit", "expected"),
    [
        (
            # REF and HI of the first claim after its service line: 2300 segments after a 2400 loop
            "wrong loop order",
            {27: SEGMENTS[29], 28: SEGMENTS[30], 29: SEGMENTS[31], 30: SEGMENTS[32], 31: SEGMENTS[33]}
            | {32: SEGMENTS[27], 33: SEGMENTS[28]},
            ("1", 34, "HI", None),
        ),
        (
            "a subscriber loop after its patient loop",
            {14: SEGMENTS[20], 15: SEGMENTS[21], 20: SEGMENTS[14], 21: SEGMENTS[15]},
            ("1", 15, "HL", None),
        ),
        ("a loop repeated over its maximum", {18: f"{SEGMENTS[18]}~{SEGMENTS[16]}"}, ("4", 20, "NM1", None)),
        (
            "a segment repeated over its maximum",
            {33: "~".join([SEGMENTS[33]] * 3)},
            ("5", 36, "DTP", None),
        ),
        ("required segments missing", {28: None, 35: None, 25: None}, ("3", 28, "HI", None)),
        (
            "segments no node matches (an unknown qualifier, id and HL level)",
            {27: "REF*ZZ*X", 30: "ZZZ*1", 34: "HL*4*1*99*0"},
            ("1", 35, "HL", None),
        ),
        (
            "situational segments, one of them wrongly coded",
            {15: f"{SEGMENTS[15]}~PAT*01", 27: f"{SEGMENTS[27]}~K3*A~K3*B", 26: f"{SEGMENTS[26]}~CN1*02"},
            ("10", 17, "PAT", "PAT01"),
        ),
        ("HL levels swapped", {14: "HL*2*1*23*1", 20: "HL*3*2*22*0"}, ("3", 22, "SBR", None)),
    ],
)
def test_seeded_walk_errors_walk_the_same(
    breakage: str, edit: dict[int, str | None], expected: tuple[str, int, str, str | None]
) -> None:
    # The walker replays one route per (starting node, segment id, qualifiers): these send
    # segments down routes a clean file never takes, with counts that differ from claim to claim.
    assert expected in codes(both_ways(edited(BATCH, edit))), breakage


@pytest.mark.parametrize(
    ("breakage", "edit", "expected"),
    [
        (
            "too many elements",
            {18: "N4*PHOENIX*AZ*85021*US****X*Y*Z", 3: f"{SEGMENTS[3]}*X*Y"},
            ("8", 19, "N4", None),
        ),
        ("syntax rules broken", {16: "NM1*IL*1*NGUYEN*DAVID****MI", 12: "REF*EI"}, ("1", 17, "NM1", "NM109")),
        # N402 and N407 exclude each other (E0207; reported at the segment, as every syntax rule)
        ("an exclusion broken", {18: "N4*PHOENIX*AZ*85021***CA"}, ("8", 19, "N4", None)),
        ("required elements missing", {33: "DTP*472", 25: "DMG*D8"}, ("1", 26, "DMG", "DMG03")),
        (
            "an element where a composite belongs",
            {26: "CLM*P0*980***11*Y*A*Y*Y"},
            ("1", 27, "CLM", "CLM05-2"),
        ),
        (
            "a composite where an element belongs",
            {17: "N3*9012 N:19TH AVE", 31: "LX*1:2"},
            ("6", 32, "LX", "LX01"),
        ),
    ],
)
def test_seeded_segment_errors_walk_the_same(
    breakage: str, edit: dict[int, str | None], expected: tuple[str, int, str, str | None]
) -> None:
    # Segments not seen before in a walk are validated by gate_accel's copy of pyx12's segment
    # validator, which hands segments with too many elements or sub-elements to pyx12's own.
    assert expected in codes(both_ways(edited(BATCH, edit))), breakage


def test_too_many_sub_elements_fail_as_pyx12_fails() -> None:
    text = edited(BATCH, {32: "SV1*HC:62321:1:2:3:4:5:6:7:8*980*UN*1***1:2"})
    assert both_ways(text).fatal == "pyx12 failed on this file (IndexError); it is not valid X12"


def test_a_bad_value_repeated_in_every_claim_is_reported_at_every_claim() -> None:
    # The memo answers the second claim from the first's findings: each must still carry its own line.
    text = build(many_claims(6)).text.replace("*D8*2026", "*D8*2026-")
    result = both_ways(text)
    lines = [issue.segment_index for issue in result.issues if issue.segment_id == "DTP"]
    assert len(lines) == len(set(lines)) == text.count("*D8*2026-")


def test_278_requests_and_responses_walk_the_same() -> None:
    cases = [
        interchange(REQUEST_BODY),
        interchange(RESPONSE_BODY),
        interchange(without(REQUEST_BODY, "UM*")),
        interchange(replaced(RESPONSE_BODY, "HCR*A1", "HCR*ZZ")),
    ]
    findings = [both_ways(text, map_path_for(text)) for text in cases]
    assert [result.ok for result in findings] == [True, True, False, False]


def test_broken_files_fail_the_same() -> None:
    batch = build(many_claims(2)).text
    for text in (
        batch[:200],
        batch.replace("ISA*00", "ISB*00", 1),
        "",
        "GS*HC~",
        batch.replace("*HC*", "*ZZ*", 1),
    ):
        result = both_ways(text)
        assert result.fatal or result.issues


PATHS = [
    "/ISA_LOOP",
    "/ISA_LOOP/ISA",
    "/ISA_LOOP/GS_LOOP",
    "/ISA_LOOP/GS_LOOP/GS",
    "/ISA_LOOP/GS_LOOP/ST_LOOP",
    "/ISA_LOOP/GS_LOOP/ST_LOOP/HEADER",
    "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A",
    "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B",
    "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/SBR",
    "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/CLM",
    "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/REF[G1]",
    "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/2400/SV101-2",
    "/ISA_LOOP/GS_LOOPX",
    "DTP03",
]


def test_the_counter_keeps_node_counter_s_counts_through_random_walks() -> None:
    chooser = random.Random(15)
    for _round in range(200):
        stock, fast = pyx12.nodeCounter.NodeCounter(), gate_accel.FastCounter()
        for _step in range(40):
            path_text = chooser.choice(PATHS)
            path: str | pyx12.path.X12Path = chooser.choice([path_text, pyx12.path.X12Path(path_text)])
            operation = chooser.choice(["increment", "increment", "reset_to_node", "setCount", "get_count"])
            if operation == "setCount":
                count = chooser.randrange(5)
                stock.setCount(path, count)
                fast.setCount(path, count)
            else:
                assert getattr(fast, operation)(path) == getattr(stock, operation)(path)
            assert list(fast.getState().items()) == list(stock.getState().items())


def test_the_segment_parses_reference_designators_as_pyx12_does() -> None:
    stock = pyx12.segment.Segment("SV1*HC:62321:LT*980*UN*1", "~", "*", ":")
    fast = gate_accel.FastSegment("SV1*HC:62321:LT*980*UN*1", "~", "*", ":")
    for ref in ("01", "01-2", "01-3", "01-9", "SV102", "SV101-1", "04", "07"):
        assert fast.get_value(ref) == stock.get_value(ref)
    with pytest.raises(pyx12.errors.EngineError) as stock_error:
        stock.get_value("CLM01")
    with pytest.raises(pyx12.errors.EngineError) as fast_error:
        fast.get_value("CLM01")
    assert (
        str(fast_error.value) == str(stock_error.value) == "Invalid Reference Designator: CLM01, seg_id: SV1"
    )


def segment_shape(segment: pyx12.segment.Segment) -> tuple[object, ...]:
    """Everything of a segment pyx12 may read: its attributes, composites and elements, and
    (asked first: FastSegment answers them from its texts) is_empty and is_seg_id_valid."""
    answers = (segment.is_empty(), segment.is_seg_id_valid())
    attributes = {
        name: value
        for name, value in vars(segment).items()
        if name != "elements" and not name.startswith("_gate_")
    }
    composites = [
        (type(composite), vars(composite) | {"elements": [(type(e), vars(e)) for e in composite.elements]})
        for composite in segment.elements
    ]
    return (answers, sorted(attributes.items()), composites)


def read_both_ways(text: str) -> None:
    """pyx12's X12Reader and gate_accel's FastReader give the same segments and reader state."""

    def read(reader_class: type[pyx12.x12file.X12Reader]) -> list[object]:
        seen: list[object] = []
        try:
            reader = reader_class(io.StringIO(text))
            for segment in reader:
                state = (
                    reader.pop_errors(),
                    reader.get_cur_line(),
                    reader.get_seg_count(),
                    list(reader.loops),
                )
                seen.append((segment_shape(segment), state))
            reader.cleanup()
            seen.append(reader.pop_errors())
        except Exception as error:  # noqa: BLE001 - the same failure is the same result
            seen.append((type(error), str(error)))
        return seen

    stock = read(pyx12.x12file.X12Reader)
    assert read(gate_accel.FastReader) == stock


def test_the_reader_reads_every_corpus_file_as_pyx12_does() -> None:
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.suffix != ".tsv")
    for path in files:
        read_both_ways(path.read_text(encoding="ascii", errors="replace"))


def test_the_reader_reads_odd_and_broken_files_as_pyx12_does() -> None:
    batch = build(many_claims(3)).text
    isa, rest = batch[:106], batch[106:]
    long_note = "NTE*ADD*" + "X" * 20_000  # longer than two of pyx12's read blocks
    for text in (
        batch,
        batch.replace("~", "~\r\n"),
        batch.replace("~", "~\n"),
        isa + rest.replace("~N3*", "~  N3*", 1),  # a leading space
        isa + rest.replace("~N3*", "~ ~N3*", 1),  # a segment of spaces only
        isa + rest.replace("~N3*", "~~N3*", 1),  # an empty segment ends pyx12's reading
        isa + rest.replace("~N3*", "~N3*:*::~REF~n3*x~N3*", 1),  # empty values, an id alone, a bad id
        isa + rest.replace("*AZ*", "*AZ**", 1).replace("~N4*", "*~N4*", 1),  # trailing separators
        isa + rest.replace("~CLM*", "~" + long_note + "~CLM*", 1),
        isa + rest.replace("~CLM*", "~" + long_note + "0" * 9_000 + "~CLM*", 1),
        batch[:-1],  # no final terminator
        batch + "GARBAGE AFTER THE LAST SEGMENT",
        batch.replace("~SE*", "~DTP*472*D8*2026:0922:1~SE*", 1),  # a composite where none belongs
        batch.replace("*00501*", "*00401*", 1),
        batch[:106],
        batch[:300],
    ):
        read_both_ways(text)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_a_file_pyx12_cannot_write_a_999_for_gets_a_one_line_reason_and_keeps_its_findings() -> None:
    text = (CORPUS / "835" / "stupidedi_tertiary-payments.edi").read_text(encoding="ascii", errors="replace")
    result = validate_text(text, map_path_for(text), want_999=True)
    assert (
        result.fatal == "pyx12 cannot write a 999 for this file: Cannot create AK2: err_st.vriic was not set"
    )
    assert result.ack_999 is None
    assert result.issues == validate_text(text, map_path_for(text)).issues
