"""The contract every transaction-type parser follows (the envelope driver calls it).

A parser sees the segments strictly between ST and SE, one at a time, and keeps only the
claim it is assembling: each finished item (a claim, an acknowledged transaction) is appended
to ``ready`` and drained by the driver at once, so memory stays flat however large the
transaction.  A value it cannot read raises ``X12SyntaxError`` with the segment index; the
driver then skips the rest of that transaction and goes on with the next one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from gateway.inbound.records import Envelope, Finding
from gateway.x12.reader import Segment

Item = object


class TransactionParser(ABC):
    """Feed the body segments, then ``finish`` at SE for the type-specific summary."""

    def __init__(self, envelope: Envelope) -> None:
        self.envelope = envelope
        self.ready: list[object] = []  # items and findings, in file order

    @abstractmethod
    def feed(self, segment: Segment) -> None: ...

    @abstractmethod
    def finish(self) -> object:
        """Called at SE: flush the last item into ``ready`` and return the summary body."""

    def finding(self, kind: str, message: str, segment_index: int | None) -> None:
        self.ready.append(Finding(kind, message, segment_index, self.envelope.control_number))
