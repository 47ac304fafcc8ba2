"""Segment writer that refuses to emit data containing a delimiter.

An element is a ``str`` or, for a composite, a ``tuple[str, ...]`` of components.  Trailing
empty elements and components are dropped, as the X12 syntax requires.  Any delimiter
character inside data is a ``X12SyntaxError`` naming the segment and element: such data
would silently change the structure of the file (a ``~`` in a name ends the segment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gateway.errors import X12SyntaxError
from gateway.x12.delimiters import DEFAULT_DELIMITERS, Delimiters

Element = str | tuple[str, ...]


class SegmentWriter:
    """Accumulates segments of one interchange and counts those inside the open transaction."""

    def __init__(self, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        self.delimiters = delimiters
        self._reserved = re.compile("[" + re.escape(delimiters.reserved) + "]")
        self._parts: list[str] = []
        self.transaction_segment_count = 0

    def segment(self, segment_id: str, *elements: Element) -> None:
        """Append one segment; ``elements`` are numbered from 1 as in the implementation guides."""
        values: list[str] = [segment_id]
        reserved = self._reserved
        for position, element in enumerate(elements, start=1):
            if isinstance(element, tuple):
                components = list(element)
                for component in components:
                    if reserved.search(component):
                        self._refuse(segment_id, position)
                while components and not components[-1]:
                    components.pop()
                values.append(self.delimiters.component.join(components))
            else:
                if reserved.search(element):
                    self._refuse(segment_id, position)
                values.append(element)
        while len(values) > 1 and not values[-1]:
            values.pop()
        self._parts.append(self.delimiters.element.join(values) + self.delimiters.segment)
        self.transaction_segment_count += 1

    def raw(self, text: str) -> None:
        """Append pre-rendered segment text (the fixed-width ISA, whose spaces are significant)."""
        self._parts.append(text)

    def _refuse(self, segment_id: str, position: int) -> None:
        # The value itself is not shown: it may be a patient name.
        raise X12SyntaxError(
            f"{segment_id}{position:02d} contains an X12 delimiter character "
            f"({' '.join(self.delimiters.reserved)}); refusing to write it"
        )

    def text(self) -> str:
        return "".join(self._parts)

    def extend(self, parts: Iterable[str]) -> None:
        self._parts.extend(parts)
