"""One ICD-10-CM release as a compact index: what a code is, its title, its billable children.

The index answers ``status(code)`` with a single dict look-up (several million per second) and
keeps the titles and Excludes1 notes in a second part that is only unpacked when a finding or a
description is asked for, so a process that only judges codes pays for the small part.

Codes are kept without the dot, as the 837P carries them; ``dotted()`` gives the printed form.
"""

from __future__ import annotations

import marshal
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

FORMAT = 1
_BILLABLE, _HEADER, _SEVENTH = 1, 2, 3
PLACEHOLDER = "X"


class Icd10Status(StrEnum):
    BILLABLE = "billable"
    HEADER = "header"
    NEEDS_SEVENTH = "needs 7th character"
    UNKNOWN = "unknown"


_STATUS = {_BILLABLE: Icd10Status.BILLABLE, _HEADER: Icd10Status.HEADER, _SEVENTH: Icd10Status.NEEDS_SEVENTH}


def plain(code: str) -> str:
    """'m54.50 ' -> 'M5450' (the 837P form)."""
    return code.replace(".", "").strip().upper()


def dotted(code: str) -> str:
    """'M5450' -> 'M54.50'."""
    code = plain(code)
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


@dataclass(frozen=True)
class IndexParts:
    """The plain data of an index (what the importers build and the cache/store keep)."""

    release: str
    source: str
    sha256: str
    tabular_version: str
    billable: tuple[str, ...]  # sorted
    headers: tuple[str, ...]
    needs_seventh: tuple[str, ...]
    titles: Mapping[str, str]
    excludes1: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]


class Icd10Index:
    """Look-ups over one release, unpacked one first letter at a time.

    A claim's codes usually share one or two chapters (M, G); unpacking only the letters asked
    for keeps the start-up cost of ``gateway check`` to a few milliseconds instead of hashing all
    98,000 codes of the release.
    """

    __slots__ = (
        "_billable",
        "_core",
        "_kinds",
        "_text",
        "_texts",
        "release",
        "sha256",
        "source",
        "tabular_version",
    )

    def __init__(
        self,
        *,
        release: str,
        source: str,
        sha256: str,
        tabular_version: str,
        core: Mapping[str, bytes],
        text: Mapping[str, bytes],
    ) -> None:
        self.release = release
        self.source = source
        self.sha256 = sha256
        self.tabular_version = tabular_version
        self._core = core  # letter -> zlib(marshal((billable, headers, seventh))) as "\n"-joined text
        self._text = text  # letter -> zlib(marshal((titles, excludes1)))
        self._kinds: dict[str, dict[str, int]] = {}
        self._billable: dict[str, tuple[str, ...]] = {}
        self._texts: dict[str, tuple[dict[str, str], dict[str, Any]]] = {}

    @classmethod
    def from_parts(cls, parts: IndexParts) -> Icd10Index:
        letters = sorted({code[0] for code in (*parts.billable, *parts.headers, *parts.needs_seventh)})
        core: dict[str, bytes] = {}
        text: dict[str, bytes] = {}
        for letter in letters:

            def mine(codes: Iterable[str], letter: str = letter) -> str:
                return "\n".join(sorted(code for code in codes if code[0] == letter))

            fields = (mine(parts.billable), mine(parts.headers), mine(parts.needs_seventh))
            core[letter] = zlib.compress(marshal.dumps(fields), 1)
            titles = {code: title for code, title in parts.titles.items() if code[0] == letter}
            notes = {code: tuple(n) for code, n in parts.excludes1.items() if code[0] == letter}
            text[letter] = zlib.compress(marshal.dumps((titles, notes)), 1)
        return cls(
            release=parts.release,
            source=parts.source,
            sha256=parts.sha256,
            tabular_version=parts.tabular_version,
            core=core,
            text=text,
        )

    # -- serialisation ---------------------------------------------------------------------

    def to_blob(self) -> bytes:
        """One marshal blob of builtin types (the cache file, the database row)."""
        return marshal.dumps(
            (
                FORMAT,
                self.release,
                self.source,
                self.sha256,
                self.tabular_version,
                dict(self._core),
                dict(self._text),
            )
        )

    @classmethod
    def from_blob(cls, blob: bytes) -> Icd10Index:
        fields = marshal.loads(blob)
        if not isinstance(fields, tuple) or len(fields) != 7 or fields[0] != FORMAT:
            raise ValueError("not an ICD-10-CM index of this format")
        _, release, source, sha256, tabular_version, core, text = fields
        return cls(
            release=release,
            source=source,
            sha256=sha256,
            tabular_version=tabular_version,
            core=core,
            text=text,
        )

    def _letter(self, letter: str) -> dict[str, int]:
        blob = self._core.get(letter)
        if blob is None:
            kinds: dict[str, int] = {}
            self._billable[letter] = ()
        else:
            billable, headers, seventh = (
                tuple(part.split("\n")) if part else () for part in marshal.loads(zlib.decompress(blob))
            )
            kinds = dict.fromkeys(headers, _HEADER)
            kinds.update(dict.fromkeys(seventh, _SEVENTH))
            kinds.update(dict.fromkeys(billable, _BILLABLE))
            self._billable[letter] = billable
        self._kinds[letter] = kinds
        return kinds

    def _text_of(self, code: str) -> tuple[dict[str, str], dict[str, Any]]:
        letter = code[:1]
        found = self._texts.get(letter)
        if found is None:
            blob = self._text.get(letter)
            found = marshal.loads(zlib.decompress(blob)) if blob is not None else ({}, {})
            self._texts[letter] = found
        return found

    # -- look-ups ------------------------------------------------------------------------------

    def counts(self) -> tuple[int, int]:
        """(codes, billable codes) of the whole release (unpacks every letter)."""
        total = billable = 0
        for letter in self._core:
            total += len(self._kinds.get(letter) or self._letter(letter))
            billable += len(self._billable[letter])
        return total, billable

    def billable_codes(self) -> list[str]:
        """Every billable code of the release, sorted (unpacks every letter)."""
        self.counts()
        return [code for letter in sorted(self._billable) for code in self._billable[letter]]

    def kind(self, code: str) -> int:
        """0 unknown, 1 billable, 2 header, 3 needs a 7th character (``code`` without dot)."""
        kinds = self._kinds.get(code[:1])
        if kinds is None:
            kinds = self._letter(code[:1])
        found = kinds.get(code, 0)
        # S33.5XX: the placeholders are there, the 7th character is not.
        if (
            found == 0
            and code.endswith(PLACEHOLDER)
            and len(code) < 7
            and kinds.get(code.rstrip(PLACEHOLDER), 0) == _SEVENTH
        ):
            return _SEVENTH
        return found

    def status(self, code: str) -> Icd10Status:
        return _STATUS.get(self.kind(plain(code)), Icd10Status.UNKNOWN)

    def title(self, code: str) -> str | None:
        code = plain(code)
        titles = self._text_of(code)[0]
        title = titles.get(code)
        if title is None and code.endswith(PLACEHOLDER):
            title = titles.get(code.rstrip(PLACEHOLDER))
        return title

    def billable_under(self, code: str) -> list[str]:
        """Billable codes that begin with ``code`` (a header's or a 7th-character code's choices)."""
        prefix = plain(code)
        if self.kind(prefix) == _SEVENTH:
            prefix = prefix.rstrip(PLACEHOLDER)
            prefix = prefix.ljust(6, PLACEHOLDER) if len(prefix) >= 3 else prefix
        if not prefix:
            return []
        self.kind(prefix)  # unpacks the letter
        billable = self._billable[prefix[0]]
        found: list[str] = []
        index = bisect_left(billable, prefix)
        while index < len(billable) and billable[index].startswith(prefix):
            found.append(billable[index])
            index += 1
        return found

    def nearest_known(self, code: str) -> str | None:
        """The longest existing code ``code`` begins with (for an unknown code's fix)."""
        code = plain(code)
        for end in range(len(code) - 1, 2, -1):
            if self.kind(code[:end]):
                return code[:end]
        return None

    def ancestors(self, code: str) -> Iterator[str]:
        code = plain(code)
        for end in range(len(code), 2, -1):
            if self.kind(code[:end]):
                yield code[:end]

    def excludes1_pairs(self, codes: Iterable[str]) -> list[tuple[str, str, str, str]]:
        """(code, other code, the code that carries the note, note) for each forbidden pair."""
        plain_codes = [plain(code) for code in codes]
        pairs: list[tuple[str, str, str, str]] = []
        for code in plain_codes:
            notes_by_code = self._text_of(code)[1]
            for owner in self.ancestors(code):
                for note, targets in notes_by_code.get(owner, ()):
                    for other in plain_codes:
                        if other != code and other.startswith(tuple(targets)):
                            pairs.append((code, other, owner, note))
        return pairs
