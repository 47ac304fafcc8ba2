"""Streaming X12 reader: delimiters from each ISA, memory flat in file size.

Tolerates what real clearinghouse files do: a UTF-8 byte-order mark, text before the first
ISA, CR/LF or newlines after segment terminators, several interchanges (each with its own
delimiters) in one file, an unpadded ISA, and a TA1 between ISA and GS.

``read_segments`` yields ``Segment`` objects numbered from 1 in file order; higher layers
(inbound parsers, our 837P checks) track envelopes and loops themselves.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, count, repeat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from gateway.errors import X12SyntaxError
from gateway.x12.delimiters import Delimiters

CHUNK_SIZE = 1 << 16
_ISA_ELEMENT_COUNT = 16
_LINE_BREAKS = "\r\n"


if TYPE_CHECKING:

    class _SegmentFields:
        """What type checkers see of a segment's storage: three read-only fields."""

        __slots__ = ()

        @property
        def index(self) -> int: ...
        @property
        def elements(self) -> list[str]: ...
        @property
        def delimiters(self) -> Delimiters: ...
        def __init__(self, fields: tuple[int, list[str], Delimiters], /) -> None: ...

else:
    from collections import _tuplegetter  # namedtuple's C field getter

    class _SegmentFields(tuple):
        """(index, elements, delimiters) in a tuple: the reader makes one per segment of every
        file, and a tuple subclass is built in C from ``zip``'s tuples (``tuple.__new__``, no
        ``__init__`` frame), which took the reader's overhead over a bare split down by a third.
        Fields are read by the C getters namedtuple uses; equality and hashing stay by identity,
        as for any other object (a segment is not a value)."""

        __slots__ = ()
        index = _tuplegetter(0, "segment number in the file, from 1")
        elements = _tuplegetter(1, "[id, element 1, element 2, ...]")
        delimiters = _tuplegetter(2, "the delimiters of the segment's interchange")
        __eq__ = object.__eq__
        __ne__ = object.__ne__
        __hash__ = object.__hash__


class Segment(_SegmentFields):
    """One segment: ``seg[0]`` is the id, ``seg[1]`` the first element (IG numbering).

    Made as ``Segment((index, elements, delimiters))``.  Indexing and ``len`` are the elements',
    not the underlying tuple's.
    """

    __slots__ = ()

    @property
    def id(self) -> str:
        return self.elements[0]

    def __getitem__(self, position: int) -> str:
        """Element ``position`` (1-based), or '' when the segment is shorter."""
        elements = self.elements
        return elements[position] if position < len(elements) else ""

    def __len__(self) -> int:
        return len(self.elements) - 1

    def components(self, position: int) -> list[str]:
        return self[position].split(self.delimiters.component)

    def component(self, position: int, sub: int) -> str:
        """Component ``sub`` (1-based) of element ``position``, or ''."""
        parts = self.components(position)
        return parts[sub - 1] if sub - 1 < len(parts) else ""

    def repeats(self, position: int) -> list[str]:
        return self[position].split(self.delimiters.repetition)

    def __repr__(self) -> str:
        return f"Segment({self.index}, {self.delimiters.element.join(self.elements)!r})"


@dataclass(frozen=True)
class _Isa:
    delimiters: Delimiters
    elements: list[str]
    length: int  # characters consumed, terminator included


_ISA_START = re.compile(r"ISA[^A-Za-z0-9\s]")


def _parse_isa(text: str, at: int) -> _Isa | None:
    """Read the ISA starting at ``text[at]``; None when ``text`` is too short to tell yet."""
    if len(text) <= at + 3:
        return None
    element = text[at + 3]
    position = at + 3
    # Count 15 more separators: the one after ISA15 precedes ISA16, which is one character,
    # and the segment terminator follows it.  Counting (not offsets) accepts unpadded ISAs.
    for _ in range(_ISA_ELEMENT_COUNT - 1):
        position = text.find(element, position + 1)
        if position < 0:
            return None
    if len(text) < position + 3:
        return None
    component = text[position + 1]
    terminator = text[position + 2]
    elements = text[at : position + 2].split(element)
    repetition = elements[11] if len(elements[11]) == 1 and not elements[11].isalnum() else "^"
    if repetition in (element, component, terminator):
        repetition = next(ch for ch in "^!|`" if ch not in (element, component, terminator))
    try:
        delimiters = Delimiters(element, component, repetition, terminator)
    except ValueError as error:
        raise X12SyntaxError(f"ISA delimiters are unusable: {error}", 1) from None
    return _Isa(delimiters, elements, position + 3 - at)


def _find_isa(buffer: str) -> int:
    match = _ISA_START.search(buffer)
    return match.start() if match else -1


def iter_text(chunks: Iterable[str]) -> Iterator[Segment]:
    """Segments from decoded text chunks (the core of the reader).

    The segments of each chunk come out of a ``map``; chaining those maps means the
    generator below is resumed once per chunk, not once per segment.
    """
    return chain.from_iterable(_batches(chunks))


def _batches(chunks: Iterable[str]) -> Iterator[Iterable[Segment]]:
    """Segments in batches: an ISA alone, then the complete segments of each chunk."""
    buffer = ""
    delimiters: Delimiters | None = None
    terminator = element = iea_marker = ""
    clean_lines = False
    index = 0
    chunk_iter = iter(chunks)
    exhausted = False

    def more() -> bool:
        nonlocal buffer, exhausted
        if exhausted:
            return False
        try:
            buffer += next(chunk_iter)
        except StopIteration:
            exhausted = True
            return False
        return True

    while True:
        if delimiters is None:
            start = _find_isa(buffer)
            while start < 0 or len(buffer) - start < 200:
                if not more():
                    break
                start = _find_isa(buffer)
            if start < 0:
                if index == 0:
                    what = "empty file" if not buffer.strip() else "no ISA segment found"
                    raise X12SyntaxError(f"{what}: not an X12 interchange", 1)
                if buffer.strip():
                    raise X12SyntaxError("text after the last IEA does not start with ISA", index + 1)
                return
            if index > 0 and buffer[:start].strip():
                raise X12SyntaxError("unexpected text between interchanges", index + 1)
            isa = _parse_isa(buffer, start)
            if isa is None:
                raise X12SyntaxError("truncated ISA segment", index + 1)
            delimiters = isa.delimiters
            terminator, element = delimiters.segment, delimiters.element
            clean_lines = not any(ch in _LINE_BREAKS for ch in delimiters.reserved)
            iea_marker = "IEA" + element
            index += 1
            isa_elements = isa.elements
            if clean_lines:  # a file wrapped at a fixed width may break inside the ISA too
                isa_elements = [e.replace("\r", "").replace("\n", "") for e in isa_elements]
            yield (Segment((index, isa_elements, delimiters)),)
            buffer = buffer[start + isa.length :]
        if clean_lines:
            # CR/LF are never data (X12 character set): dropping them everywhere also undoes
            # files wrapped at a fixed width, and lets the split below run without a strip.
            buffer = buffer.replace("\r", "").replace("\n", "")
        has_iea = iea_marker in buffer
        parts = buffer.split(terminator)
        buffer = parts.pop()
        if not clean_lines:
            parts = [part.strip(_LINE_BREAKS) for part in parts]
        reset_at: int | None = None
        if has_iea:  # rare: once per interchange, so a Python scan is fine here
            reset_at = next((n + 1 for n, part in enumerate(parts) if part.startswith(iea_marker)), None)
        batch = parts if reset_at is None else parts[:reset_at]
        # map() and zip() keep the per-segment work in C (the reader's hot path).
        fields = map(str.split, filter(None, batch), repeat(element))
        yield map(Segment, zip(count(index + 1), fields, repeat(delimiters)))
        index += len(batch) - batch.count("")
        if reset_at is not None:
            # The next interchange may use other delimiters: re-read them from its ISA.
            remaining = parts[reset_at:]
            if remaining:
                buffer = terminator.join([*remaining, buffer])
            delimiters = None
            continue
        if not more():
            tail = buffer.strip(_LINE_BREAKS + " ")
            if tail:
                index += 1
                yield (Segment((index, tail.split(element), delimiters)),)
            return


def _decode_chunks(stream: BinaryIO) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    while True:
        data = stream.read(CHUNK_SIZE)
        if not data:
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
            return
        yield decoder.decode(data)


def read_segments(source: Path | str | bytes | BinaryIO) -> Iterator[Segment]:
    """Segments of an X12 file, a bytes object, or a binary stream, read in 64 KiB chunks.

    Lazy in every case (nothing is read before the first ``next``); bytes are decoded in
    chunks too, and iterated without an extra generator layer on the way.
    """
    if isinstance(source, bytes):
        return iter_text(_decode_bytes(source))
    if isinstance(source, (str, Path)):
        return _read_path(Path(source))
    return iter_text(_decode_chunks(source))


def _decode_bytes(data: bytes) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    for start in range(0, len(data), CHUNK_SIZE):
        yield decoder.decode(data[start : start + CHUNK_SIZE])
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def _read_path(path: Path) -> Iterator[Segment]:
    with open(path, "rb") as stream:
        yield from iter_text(_decode_chunks(stream))
