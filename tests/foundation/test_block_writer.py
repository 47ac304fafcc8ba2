"""The builder's block writer keeps the segment writer's guarantees while checking a whole block
at once: it writes exactly what ``SegmentWriter`` writes, and a delimiter in any element or
component of any segment (``segment`` or ``composite`` path) is refused with the same message,
naming the first bad segment's element.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.errors import X12SyntaxError
from gateway.x12.delimiters import Delimiters
from gateway.x12.writer import BlockWriter, Element, SegmentWriter
from tests.foundation.test_writer_property import SEGMENT_IDS, delimiter_sets, element, plain_text

Segment = tuple[str, list[Element]]
segments = st.lists(st.tuples(SEGMENT_IDS, st.lists(element, max_size=9)), min_size=1, max_size=6)


def write_block(block: BlockWriter, items: list[Segment]) -> None:
    for segment_id, values in items:
        if any(isinstance(item, tuple) for item in values):
            block.composite(segment_id, *values)
        else:
            block.segment(segment_id, *values)


def write_one_by_one(items: list[Segment], delimiters: Delimiters) -> tuple[str, int]:
    writer = SegmentWriter(delimiters)
    for segment_id, values in items:
        writer.segment(segment_id, *values)
    return writer.text(), writer.transaction_segment_count


@settings(max_examples=300, deadline=None)
@given(segments, delimiter_sets())
def test_a_block_renders_what_the_segment_writer_writes(items: list[Segment], delimiters: Delimiters) -> None:
    block = BlockWriter(delimiters)
    write_block(block, items)
    assert block.render() == write_one_by_one(items, delimiters)


@settings(max_examples=300, deadline=None)
@given(segments, delimiter_sets(), st.data())
def test_a_delimiter_in_any_segment_of_a_block_is_refused_like_the_segment_writer(
    items: list[Segment], delimiters: Delimiters, data: st.DataObject
) -> None:
    number = data.draw(st.integers(0, len(items) - 1), label="segment")
    segment_id, given = items[number]
    if not given:
        given = [data.draw(plain_text, label="element")]
    position = data.draw(st.integers(0, len(given) - 1), label="element")
    delimiter = data.draw(st.sampled_from(delimiters.reserved), label="delimiter")
    target = given[position]
    if isinstance(target, tuple):
        component = data.draw(st.integers(0, len(target) - 1), label="component")
        poisoned: Element = (*target[:component], target[component] + delimiter, *target[component + 1 :])
    else:
        poisoned = delimiter + target
    bad = [
        *items[:number],
        (segment_id, [*given[:position], poisoned, *given[position + 1 :]]),
        *items[number + 1 :],
    ]
    with pytest.raises(X12SyntaxError) as expected:
        write_one_by_one(bad, delimiters)
    block = BlockWriter(delimiters)
    write_block(block, bad)
    with pytest.raises(X12SyntaxError, match=r"^[A-Z0-9]{2,3}\d\d contains an X12 delimiter") as caught:
        block.render()
    assert str(caught.value) == str(expected.value)


def test_a_composite_given_to_segment_is_rendered_and_checked() -> None:
    block = BlockWriter()
    block.segment("SV1", ("HC", "64483", ""), "100", "UN", "1", "", "")
    block.segment("DTP", "472", "D8", "20261105")
    assert block.render() == ("SV1*HC:64483*100*UN*1~DTP*472*D8*20261105~", 2)
    block.segment("REF", "6R", "L1:2")
    with pytest.raises(X12SyntaxError, match=r"^REF02 contains an X12 delimiter character \(\* : \^ ~\)"):
        block.render()


def test_the_first_bad_segment_is_named_and_the_value_withheld() -> None:
    block = BlockWriter()
    block.segment("NM1", "IL", "1", "DOE")
    block.composite("HI", ("ABK", "M5416"), ("ABF", "M47^816"))
    block.segment("N3", "1 MAIN~ST")
    with pytest.raises(X12SyntaxError, match=r"^HI02 contains an X12 delimiter") as caught:
        block.render()
    assert "M47^816" not in str(caught.value)
