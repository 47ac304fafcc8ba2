"""The reader changes made for inbound throughput (batch split, CR/LF removal, bytes in chunks)."""

from __future__ import annotations

import pytest

from gateway.errors import X12SyntaxError
from gateway.x12.reader import CHUNK_SIZE, iter_text, read_segments
from tests.inbound.x12_fixtures import DENIED, PAID_CLAIM, interchange, remit_835


def remit_text(control: str = "000000901") -> str:
    return interchange(
        [remit_835([PAID_CLAIM, DENIED], amount="1000")],
        functional_id="HP",
        implementation="005010X221A1",
        control=control,
    )


def elements(text: str) -> list[list[str]]:
    return [segment.elements for segment in read_segments(text.encode())]


def test_a_file_wrapped_at_80_columns_reads_like_the_unwrapped_one() -> None:
    flat = remit_text().replace("\n", "")
    wrapped = "\r\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    assert elements(wrapped) == elements(flat)
    assert any("\n" in part or "\r" in part for part in wrapped.split("~"))


def test_carriage_return_as_segment_terminator_keeps_stripping_line_feeds() -> None:
    text = remit_text().replace("~\n", "\r\n")
    segments = elements(text)
    assert [s[0] for s in segments[:3]] == ["ISA", "GS", "ST"] and segments[-1][0] == "IEA"
    assert all("\n" not in value for s in segments for value in s)


def test_iea_text_inside_an_element_does_not_end_the_interchange() -> None:
    text = remit_text().replace("N1*PR*ACME HEALTH PLAN", "N1*PR*IEA*1*ACME")
    ids = [s[0] for s in elements(text)]
    assert ids.count("IEA") == 1 and ids[-1] == "IEA"


@pytest.mark.parametrize("size", [1, 7, 105, 106, 4096])
def test_any_chunking_of_several_interchanges_gives_the_same_segments(size: int) -> None:
    second = remit_text("000000902").replace("*", "|").replace(":", ">").replace("~", "'")
    text = remit_text() + second + remit_text("000000903")
    whole = [(s.index, s.elements) for s in iter_text([text])]
    pieces = [
        (s.index, s.elements) for s in iter_text([text[i : i + size] for i in range(0, len(text), size)])
    ]
    assert pieces == whole
    assert [e[0] for _, e in whole].count("ISA") == 3
    assert [i for i, _ in whole] == list(range(1, len(whole) + 1))


def test_bytes_are_decoded_in_chunks_without_splitting_a_character() -> None:
    text = remit_text().replace("ACME HEALTH PLAN", "ACMÉ HEALTH PLAN")
    at = text.encode().index("É".encode())
    prefix = b" " * (CHUNK_SIZE - 1 - at)  # the 2-byte É now straddles the first chunk boundary
    data = prefix + text.encode()
    assert data[CHUNK_SIZE - 1 : CHUNK_SIZE + 1] == "É".encode()
    names = [s[2] for s in read_segments(data) if s.id == "N1"]
    assert names[0] == "ACMÉ HEALTH PLAN"


def test_reading_bytes_is_lazy() -> None:
    segments = read_segments(b"")
    with pytest.raises(X12SyntaxError, match="empty file"):
        next(segments)
