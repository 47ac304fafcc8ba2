"""Every path of the segment writer: what it writes splits back into exactly the elements given,
and a delimiter anywhere in the data (plain element or component, fast path or composite path,
any delimiter set) is refused with the segment and element named and nothing written.

The writer is the last line of defence behind intake: a ``~`` that reached SV102 would end the
segment early and shift every element after it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.errors import X12SyntaxError
from gateway.x12.delimiters import Delimiters
from gateway.x12.writer import Element, SegmentWriter

# Characters that may serve as delimiters (never letters, digits or space) and data characters
# that are never delimiters in the sets drawn below.
DELIMITER_CHARS = "~*:^|>!\n"
DATA_ALPHABET = "ABCXYZabc0189 .-/&'#,()"

SEGMENT_IDS = st.sampled_from(["NM1", "SV1", "CLM", "HI", "REF", "N3", "DTP", "K3"])
plain_text = st.text(alphabet=DATA_ALPHABET, max_size=6)
composite = st.lists(plain_text, min_size=1, max_size=5).map(tuple)
element = st.one_of(plain_text, composite)
elements = st.lists(element, max_size=9)


@st.composite
def delimiter_sets(draw: st.DrawFn) -> Delimiters:
    chars = draw(st.permutations(DELIMITER_CHARS))
    return Delimiters(element=chars[0], component=chars[1], repetition=chars[2], segment=chars[3])


def expected_text(segment_id: str, given: list[Element], delimiters: Delimiters) -> str:
    """The X12 syntax rules written out independently of the writer's joins and rstrips."""
    rendered: list[str] = [segment_id]
    for item in given:
        components = list(item) if isinstance(item, tuple) else [item]
        while components and components[-1] == "":
            components.pop()
        rendered.append(delimiters.component.join(components))
    while len(rendered) > 1 and rendered[-1] == "":
        rendered.pop()
    return delimiters.element.join(rendered) + delimiters.segment


def split_back(text: str, delimiters: Delimiters) -> list[list[str]]:
    """What a reader sees: one segment, its elements, each element's components."""
    assert text.count(delimiters.segment) == 1 and text.endswith(delimiters.segment)
    return [part.split(delimiters.component) for part in text[:-1].split(delimiters.element)]


def written_as_reader_sees(segment_id: str, given: list[Element]) -> list[list[str]]:
    shape = [[segment_id]]
    for item in given:
        components = list(item) if isinstance(item, tuple) else [item]
        while len(components) > 1 and components[-1] == "":
            components.pop()
        shape.append(components)
    while len(shape) > 1 and shape[-1] == [""]:
        shape.pop()
    return shape


@settings(max_examples=300, deadline=None)
@given(SEGMENT_IDS, elements, delimiter_sets())
def test_written_segment_splits_back_into_exactly_the_elements(
    segment_id: str, given: list[Element], delimiters: Delimiters
) -> None:
    writer = SegmentWriter(delimiters)
    writer.segment(segment_id, *given)
    text = writer.text()
    assert text == expected_text(segment_id, given, delimiters)
    assert split_back(text, delimiters) == written_as_reader_sees(segment_id, given)
    assert writer.transaction_segment_count == 1


@settings(max_examples=300, deadline=None)
@given(SEGMENT_IDS, st.lists(element, min_size=1, max_size=9), delimiter_sets(), st.data())
def test_a_delimiter_anywhere_in_the_data_is_refused(
    segment_id: str, given: list[Element], delimiters: Delimiters, data: st.DataObject
) -> None:
    writer = SegmentWriter(delimiters)
    writer.segment("REF", "EI", "123456789")  # an earlier good segment stays as written
    before = writer.text()
    position = data.draw(st.integers(0, len(given) - 1), label="element")
    delimiter = data.draw(st.sampled_from(delimiters.reserved), label="delimiter")
    target = given[position]
    if isinstance(target, tuple):
        component = data.draw(st.integers(0, len(target) - 1), label="component")
        text = target[component]
        cut = data.draw(st.integers(0, len(text)), label="cut")
        poisoned: Element = (
            *target[:component],
            text[:cut] + delimiter + text[cut:],
            *target[component + 1 :],
        )
    else:
        cut = data.draw(st.integers(0, len(target)), label="cut")
        poisoned = target[:cut] + delimiter + target[cut:]
    bad = [*given[:position], poisoned, *given[position + 1 :]]
    with pytest.raises(X12SyntaxError, match=rf"^{segment_id}{position + 1:02d} contains an X12 delimiter"):
        writer.segment(segment_id, *bad)
    assert writer.text() == before
    assert writer.transaction_segment_count == 1


@pytest.mark.parametrize("path", ["segment", "composite"])
def test_plain_element_beside_a_composite_is_checked(path: str) -> None:
    """The composite path must check plain elements as well as components (SV102 here)."""
    writer = SegmentWriter()
    write = writer.segment if path == "segment" else writer.composite
    with pytest.raises(X12SyntaxError, match=r"^SV102 contains an X12 delimiter character \(\* : \^ ~\)"):
        write("SV1", ("HC", "64483"), "1~00", "UN", "1")
    assert writer.text() == ""
    assert writer.transaction_segment_count == 0


def test_refusal_names_the_first_element_holding_a_delimiter_and_never_the_value() -> None:
    writer = SegmentWriter()
    with pytest.raises(X12SyntaxError) as caught:
        writer.segment("NM1", "IL", "1", "SMITH", "JO*HN", "", "", "", "MI", "W^123")
    assert str(caught.value) == "NM104 contains an X12 delimiter character (* : ^ ~); refusing to write it"
    assert "JO*HN" not in str(caught.value) and "W^123" not in str(caught.value)


def test_composite_path_writes_components_and_drops_trailing_empties() -> None:
    writer = SegmentWriter()
    writer.composite("HI", ("ABK", "M5416"), ("ABF", "M545", ""), "", ("", ""))
    writer.composite("SV1", ("HC", "64483", "RT", "", "", ""), "250", "UN", "1", "", "", ("1", "2", "", ""))
    assert writer.text() == "HI*ABK:M5416*ABF:M545~SV1*HC:64483:RT*250*UN*1***1:2~"
    assert writer.transaction_segment_count == 2


def test_segment_with_only_empty_elements_is_just_its_id() -> None:
    writer = SegmentWriter()
    writer.segment("LX", "", "")
    writer.composite("HI", ("", ""), "")
    assert writer.text() == "LX~HI~"


def test_raw_and_extend_are_written_as_given_and_not_counted() -> None:
    writer = SegmentWriter()
    writer.raw("ISA*00*~")
    writer.extend(["GS*HC~", "ST*837~"])
    writer.segment("BHT", "0019")
    assert writer.text() == "ISA*00*~GS*HC~ST*837~BHT*0019~"
    assert writer.transaction_segment_count == 1
