"""Segment writer that refuses to emit data containing a delimiter.

An element is a ``str`` or, for a composite, a ``tuple[str, ...]`` of components.  Trailing
empty elements and components are dropped, as the X12 syntax requires.  Any delimiter
character inside data is a ``X12SyntaxError`` naming the segment and element: such data
would silently change the structure of the file (a ``~`` in a name ends the segment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
from typing import Protocol

from gateway.errors import X12SyntaxError
from gateway.x12.delimiters import DEFAULT_DELIMITERS, Delimiters

Element = str | tuple[str, ...]


@lru_cache(maxsize=16)
def _reserved_pattern(reserved: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(reserved) + "]")


class SegmentSink(Protocol):
    """What loop writers need: ``SegmentWriter`` (checks per segment) or ``BlockWriter``."""

    def segment(self, segment_id: str, /, *elements: Element) -> None: ...

    def composite(self, segment_id: str, /, *elements: Element) -> None: ...


class SegmentWriter:
    """Accumulates segments of one interchange and counts those inside the open transaction."""

    def __init__(self, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        self.delimiters = delimiters
        self._reserved = _reserved_pattern(delimiters.reserved)
        self._element = delimiters.element
        self._component = delimiters.component
        self._terminator = delimiters.segment
        self._parts: list[str] = []
        self.transaction_segment_count = 0

    def segment(self, segment_id: str, *elements: Element) -> None:
        """Append one segment; ``elements`` are numbered from 1 as in the implementation guides."""
        try:
            # Fast path (most segments have no composite): one join, one search over all the data.
            data = "".join(elements)  # type: ignore[arg-type]
        except TypeError:  # a composite among the elements
            self.composite(segment_id, *elements)
            return
        if self._reserved.search(data):
            self._refuse(segment_id, elements)
        # The data holds no separator (checked above), so trailing empty elements are exactly
        # the trailing separators: rstrip drops them in C.
        element = self._element
        self._parts.append(element.join((segment_id, *elements)).rstrip(element) + self._terminator)  # type: ignore[arg-type]
        self.transaction_segment_count += 1

    def composite(self, segment_id: str, *elements: Element) -> None:
        """Append a segment with composite elements (tuples); cheaper than ``segment`` for them."""
        component = self._component
        values: list[str] = []
        data: list[str] = []
        for item in elements:
            if item.__class__ is tuple:
                data.extend(item)
                values.append(component.join(item).rstrip(component))
            else:
                data.append(item)  # type: ignore[arg-type]
                values.append(item)  # type: ignore[arg-type]
        if self._reserved.search("".join(data)):
            self._refuse(segment_id, elements)
        element = self._element
        self._parts.append(element.join((segment_id, *values)).rstrip(element) + self._terminator)
        self.transaction_segment_count += 1

    def raw(self, text: str) -> None:
        """Append pre-rendered segment text (the fixed-width ISA, whose spaces are significant)."""
        self._parts.append(text)

    def _refuse(self, segment_id: str, elements: tuple[Element, ...]) -> None:
        position = next(
            number
            for number, element in enumerate(elements, start=1)
            if any(
                self._reserved.search(part)
                for part in (element if isinstance(element, tuple) else (element,))
            )
        )
        # The value itself is not shown: it may be a patient name.
        raise X12SyntaxError(
            f"{segment_id}{position:02d} contains an X12 delimiter character "
            f"({' '.join(self.delimiters.reserved)}); refusing to write it"
        )

    def text(self) -> str:
        return "".join(self._parts)

    def extend(self, parts: Iterable[str]) -> None:
        self._parts.extend(parts)


class BlockWriter:
    """The segments of one block (a claim, a party's loop), checked all at once by ``render``.

    Same guarantees as ``SegmentWriter``: every element and every component is searched for
    the four delimiters, and the first one found is refused with the same message.  The check
    runs once over the block's joined data instead of once per segment, which is what makes
    the 837P build several times cheaper per segment (the builder's hot path).  Composite
    elements (tuples) go through ``composite``; ``segment`` takes plain strings only.
    """

    __slots__ = ("_check", "_component", "_components", "_delimiters", "_fields", "_plain", "_sources")

    def __init__(self, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        self._delimiters = delimiters
        self._component = delimiters.component
        self._check = _reserved_pattern(delimiters.reserved)
        self._fields: list[tuple[Element, ...]] = []  # every segment, composites already joined
        self._plain: list[tuple[Element, ...]] = []  # the same tuples, for segments given to segment()
        self._components: list[str] = []  # data of the composite segments, element by element
        self._sources: dict[int, tuple[Element, ...]] = {}  # composite segments as given, by position

    def segment(self, *fields: Element) -> None:
        """Append one segment: ``fields[0]`` is the segment id, then its elements.

        Kept to two appends: this is the call the builder makes for every segment.
        """
        self._fields.append(fields)
        self._plain.append(fields)

    def composite(self, segment_id: str, *elements: Element) -> None:
        """Append a segment whose elements may be composites (tuples of components)."""
        component = self._component
        data = self._components
        values = [segment_id]
        for item in elements:
            if item.__class__ is tuple:
                data.extend(item)
                values.append(component.join(item).rstrip(component))
            else:
                data.append(item)  # type: ignore[arg-type]
                values.append(item)  # type: ignore[arg-type]
        self._sources[len(self._fields)] = (segment_id, *elements)
        self._fields.append(tuple(values))

    def render(self) -> tuple[str, int]:
        """The block's text and segment count; ``X12SyntaxError`` if any data holds a delimiter."""
        check = self._check
        try:
            plain = "".join(chain.from_iterable(self._plain))  # type: ignore[arg-type]
        except TypeError:  # a composite given to segment(): the per-segment writer handles it
            return self._replay()
        if check.search(plain) or check.search("".join(self._components)):
            self._replay()
            raise AssertionError("render found a delimiter that no single segment holds")
        d = self._delimiters
        element, terminator = d.element, d.segment
        # No data holds a separator (checked above), so trailing empty elements are exactly the
        # trailing separators of each segment.
        text = "".join([element.join(fields).rstrip(element) + terminator for fields in self._fields])  # type: ignore[arg-type]
        return text, len(self._fields)

    def _replay(self) -> tuple[str, int]:
        """The segments through the per-segment writer, which raises on the first bad one."""
        writer = SegmentWriter(self._delimiters)
        for position, fields in enumerate(self._fields):
            segment_id, *elements = self._sources.get(position, fields)
            writer.segment(segment_id, *elements)  # type: ignore[arg-type]
        return writer.text(), writer.transaction_segment_count
