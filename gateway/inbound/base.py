"""The contract every transaction-type parser follows (the envelope driver calls it).

The driver hands a parser the segment iterator right after ST; ``run`` consumes body segments
until the first envelope segment (SE, GE, IEA, ISA, GS, ST or TA1), which it returns, or the
end of the file (None).  Finished items (a claim, an acknowledged transaction, a finding) are
yielded as soon as they are complete, so memory stays flat however large the transaction.  A
value it cannot read raises ``X12SyntaxError`` with the segment index; the driver then skips
the rest of that transaction and goes on with the next one.  At SE the driver calls ``finish``
for the type-specific summary.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator
from typing import NamedTuple

from gateway.inbound.records import Envelope, Finding
from gateway.x12.reader import Segment

ENVELOPE_SEGMENTS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})

RunResult = Generator[object, None, Segment | None]


class Item(NamedTuple):
    """A finished record inside an open transaction (claim, status, transaction ack).

    A NamedTuple (immutable, like the records) because the 835 parser makes one per claim and
    builds it with ``tuple.__new__``, several times cheaper than a frozen dataclass's ``__init__``.
    """

    envelope: Envelope
    record: object


class TransactionParser(ABC):
    def __init__(self, envelope: Envelope) -> None:
        self.envelope = envelope
        self.ready: list[object] = []
        # The envelope segment that ended ``run``, set before any work that may still raise
        # (closing the last claim), so the driver can resume at it after an error.
        self.stop: Segment | None = None

    def run(self, segments: Iterator[Segment]) -> RunResult:
        """Feed body segments one by one; parsers on a hot path override this loop."""
        ready = self.ready
        for segment in segments:
            if segment.elements[0] in ENVELOPE_SEGMENTS:
                return segment
            self.feed(segment)
            if ready:
                yield from self.drain()
        return None

    def drain(self) -> Iterator[object]:
        """Events for what is in ``ready``: findings as they are, records wrapped in ``Item``."""
        envelope = self.envelope
        for record in self.ready:
            yield record if isinstance(record, Finding) else Item(envelope, record)
        self.ready.clear()

    @abstractmethod
    def feed(self, segment: Segment) -> None:
        """One body segment; append finished items to ``ready``."""

    @abstractmethod
    def finish(self) -> object:
        """Called at SE: return the summary body (and append any last items to ``ready``)."""
