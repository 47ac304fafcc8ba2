"""The four X12 delimiters and where the ISA carries them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"

    def __post_init__(self) -> None:
        chars = (self.element, self.component, self.repetition, self.segment)
        if any(len(ch) != 1 for ch in chars) or len(set(chars)) != 4:
            raise ValueError(f"delimiters must be four distinct single characters, got {chars!r}")
        if any(ch.isalnum() or ch == " " for ch in chars):
            raise ValueError(f"delimiters cannot be letters, digits or spaces, got {chars!r}")

    @property
    def reserved(self) -> str:
        return self.element + self.component + self.repetition + self.segment


DEFAULT_DELIMITERS = Delimiters()
