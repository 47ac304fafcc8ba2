from __future__ import annotations

import io

import pytest

from gateway.errors import X12SyntaxError
from gateway.x12.reader import iter_text, read_segments

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261128*0930*^*00501*000000001*0*T*:~"
BODY = "GS*HC*S*R*20261128*0930*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20261128*0930*CH~SE*3*0001~GE*1*1~IEA*1*000000001~"


def ids(data: bytes) -> list[str]:
    return [segment.id for segment in read_segments(data)]


EXPECTED = ["ISA", "GS", "ST", "BHT", "SE", "GE", "IEA"]


def test_plain_file() -> None:
    assert ids((ISA + BODY).encode()) == EXPECTED


def test_bom_crlf_and_text_before_isa_are_tolerated() -> None:
    data = b"\xef\xbb\xbfscenario notes\r\n" + (ISA + BODY).replace("~", "~\r\n").encode()
    assert ids(data) == EXPECTED


def test_newline_as_segment_terminator() -> None:
    text = ISA[:-1] + "\n" + BODY.replace("~", "\n")
    assert ids(text.encode()) == EXPECTED


def test_ta1_before_gs_and_segment_numbers() -> None:
    text = ISA + "TA1*000000009*261127*1200*A*000~" + BODY
    segments = list(read_segments(text.encode()))
    assert [s.id for s in segments][:3] == ["ISA", "TA1", "GS"]
    assert [s.index for s in segments] == list(range(1, 9))
    assert segments[1][4] == "A"


def test_several_interchanges_with_different_delimiters() -> None:
    second = (ISA + BODY).replace("*", "|").replace(":", ">").replace("~", "'")
    segments = list(read_segments((ISA + BODY + "\n" + second).encode()))
    assert [s.id for s in segments] == EXPECTED + EXPECTED
    last_isa = segments[7]
    assert last_isa.delimiters.element == "|" and last_isa.delimiters.segment == "'"
    assert segments[9][2] == "0001"  # ST02 of the second interchange


def test_unpadded_isa_is_read_by_counting_separators() -> None:
    short = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*261128*0930*^*00501*000000001*0*T*:~"
    segments = list(read_segments((short + BODY).encode()))
    assert segments[0][6] == "SENDER" and segments[0].delimiters.component == ":"


def test_small_chunks_give_the_same_segments() -> None:
    text = (ISA + BODY) * 3
    whole = [s.elements for s in iter_text([text])]
    pieces = [s.elements for s in iter_text([text[i : i + 7] for i in range(0, len(text), 7)])]
    assert whole == pieces and len(whole) == 21


def test_components_and_repeats() -> None:
    text = (
        ISA + "GS*HC*S*R*20261128*0930*1*X*005010X222A1~SV1*HC:64483:RT:50*900~HI*ABK:M5416^X~" + "IEA*1*1~"
    )
    segments = list(read_segments(io.BytesIO(text.encode())))
    sv1 = segments[2]
    assert sv1.components(1) == ["HC", "64483", "RT", "50"]
    assert sv1.component(1, 3) == "RT" and sv1.component(1, 9) == "" and sv1[9] == ""
    assert segments[3].repeats(1) == ["ABK:M5416", "X"]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty file"), (b"hello world, no edi here", "no ISA"), (b"ISA*00*   ", "truncated ISA")],
)
def test_unreadable_input_is_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(X12SyntaxError, match=message):
        list(read_segments(data))


def test_garbage_after_the_last_interchange_is_reported() -> None:
    with pytest.raises(X12SyntaxError, match="after the last IEA"):
        list(read_segments((ISA + BODY + "garbage").encode()))
