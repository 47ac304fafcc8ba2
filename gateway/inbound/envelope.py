"""The envelope driver: ISA/GS/ST tracking over the streaming reader, one event at a time.

It checks the trailers (SE01 count, SE02/GE02/IEA02 control numbers, GE01/IEA01 counts) and
reports mismatches as findings.  A transaction whose body cannot be read is reported as
``TransactionFailed`` and the driver resynchronises at its SE: one bad transaction never
sinks the rest of the file.  Only a file that cannot be an interchange at all (no ISA, or an
interchange cut off before or inside its IEA) raises ``X12SyntaxError``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass

from gateway.errors import X12SyntaxError
from gateway.inbound.ack999 import AckParser
from gateway.inbound.base import ENVELOPE_SEGMENTS, TransactionParser
from gateway.inbound.claim_status_277 import ClaimStatusParser
from gateway.inbound.parse_278 import AuthParser
from gateway.inbound.records import Envelope, Finding, InterchangeHeader, OpaqueTransaction
from gateway.inbound.remittance_835 import RemittanceParser
from gateway.inbound.ta1 import parse_ta1
from gateway.x12.reader import Segment

ENVELOPE = "envelope"
TRANSACTION = "transaction"


@dataclass(frozen=True, slots=True)
class TransactionDone:
    envelope: Envelope
    type: str
    body: object
    segment_count: int


@dataclass(frozen=True, slots=True)
class TransactionFailed:
    envelope: Envelope
    finding: Finding


def transaction_type(st01: str, implementation: str) -> str:
    """Our name for a transaction: 835, 277CA, 277, 999, 997, 278, 837P/837I/837D or ST01."""
    if st01 == "277":
        return "277CA" if "X214" in implementation else "277"
    if st01 == "837":
        for marker, name in (("X222", "837P"), ("X223", "837I"), ("X224", "837D")):
            if marker in implementation:
                return name
    return st01


class OpaqueParser(TransactionParser):
    """Counts the segments of a transaction type we carry but do not read (837P, others)."""

    def __init__(self, envelope: Envelope) -> None:
        super().__init__(envelope)
        self._count = 0

    def feed(self, segment: Segment) -> None:
        self._count += 1

    def finish(self) -> OpaqueTransaction:
        return OpaqueTransaction(self._count)


_PARSERS: dict[str, Callable[[Envelope], TransactionParser]] = {
    "835": RemittanceParser,
    "277CA": ClaimStatusParser,
    "277": ClaimStatusParser,
    "999": AckParser,
    "997": AckParser,
    "278": AuthParser,
}


def _parser_for(kind: str, envelope: Envelope) -> TransactionParser:
    factory = _PARSERS.get(kind)
    return factory(envelope) if factory else OpaqueParser(envelope)


class _State:
    """What is open right now: the interchange, the group, the transaction."""

    def __init__(self) -> None:
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.groups = 0
        self.transactions = 0
        self.parser: TransactionParser | None = None
        self.kind = ""
        self.failed: Finding | None = None


def iter_events(segments: Iterable[Segment]) -> Iterator[object]:
    """Events in file order: InterchangeHeader, Ta1Ack, Item, Finding, TransactionDone/Failed."""
    state = _State()
    stream = iter(segments)
    while True:
        parser = state.parser
        segment: Segment | None
        if parser is None:
            segment = next(stream, None)
        else:
            segment = yield from _run_parser(state, parser, stream)
        if segment is None:
            break
        yield from _envelope_segment(state, segment)
    if state.isa is not None or state.parser is not None:
        where = state.isa[13] if state.isa is not None else "?"
        raise X12SyntaxError(f"truncated: interchange {where} ends without IEA", None)


def _run_parser(
    state: _State, parser: TransactionParser, stream: Iterator[Segment]
) -> Generator[object, None, Segment | None]:
    """Body segments of the open transaction; on a bad one, skip to the next envelope segment."""
    envelope = parser.envelope
    if state.failed is None:
        try:
            return (yield from parser.run(stream))
        except X12SyntaxError as error:
            state.failed = Finding(TRANSACTION, str(error), error.segment_index, envelope.control_number)
            if parser.stop is not None:
                return parser.stop
    for segment in stream:
        if segment.elements[0] in ENVELOPE_SEGMENTS:
            return segment
    return None


def _envelope_segment(state: _State, segment: Segment) -> Iterator[object]:
    sid = segment.elements[0]
    if sid == "ISA":
        yield from _close_transaction(state, None, "a new ISA")
        if state.isa is not None:
            raise X12SyntaxError(f"interchange {state.isa[13]} has no IEA before the next ISA", segment.index)
        state.isa, state.gs, state.groups = segment, None, 0
        yield InterchangeHeader(
            segment[13],
            segment[6].strip(),
            segment[8].strip(),
            segment[9],
            segment[10],
            segment[15],
            segment.index,
        )
    elif sid == "TA1":
        try:
            yield parse_ta1(segment, state.isa[13] if state.isa is not None else "")
        except X12SyntaxError as error:
            yield Finding(ENVELOPE, str(error), segment.index)
    elif sid == "ST":
        yield from _close_transaction(state, None, "the next ST")
        yield from _open_transaction(state, segment)
    elif sid == "SE":
        yield from _close_transaction(state, segment, "")
    elif sid == "GS":
        yield from _close_transaction(state, None, "GS")
        if state.isa is None:
            yield Finding(ENVELOPE, "GS outside an interchange (no ISA before it)", segment.index)
        state.gs, state.transactions = segment, 0
        state.groups += 1
    elif sid == "GE":
        yield from _close_transaction(state, None, "GE")
        yield from _check_group(state, segment)
        state.gs = None
    elif sid == "IEA":
        _check_cut_iea(state, segment)
        yield from _close_transaction(state, None, "IEA")
        yield from _check_interchange(state, segment)
        state.isa = None
    else:
        yield Finding(ENVELOPE, f"{sid} segment outside a transaction set is ignored", segment.index)


def _open_transaction(state: _State, st: Segment) -> Iterator[object]:
    isa, gs = state.isa, state.gs
    if gs is None:
        yield Finding(ENVELOPE, "ST outside a functional group (no GS before it)", st.index, st[2])
    implementation = gs[8] if gs is not None else st[3]
    envelope = Envelope(
        interchange_control_number=isa[13] if isa is not None else "",
        sender_id=isa[6].strip() if isa is not None else "",
        receiver_id=isa[8].strip() if isa is not None else "",
        functional_id=gs[1] if gs is not None else "",
        group_control_number=gs[6] if gs is not None else "",
        implementation=implementation,
        transaction_set=st[1],
        control_number=st[2],
        segment_index=st.index,
    )
    state.kind = transaction_type(st[1], implementation)
    state.parser = _parser_for(state.kind, envelope)
    state.failed = None
    state.transactions += 1


def _close_transaction(state: _State, se: Segment | None, instead: str) -> Iterator[object]:
    parser = state.parser
    if parser is None:
        if se is not None:
            yield Finding(ENVELOPE, "SE without an open ST is ignored", se.index)
        return
    state.parser = None
    envelope = parser.envelope
    if se is None:
        message = f"transaction {envelope.control_number} (ST at segment {envelope.segment_index}) has no SE before {instead}"
        yield TransactionFailed(
            envelope, Finding(TRANSACTION, message, envelope.segment_index, envelope.control_number)
        )
        return
    # Segments are numbered consecutively, so SE01 is the distance from ST, both included.
    count = se.index - envelope.segment_index + 1
    if state.failed is not None:
        yield TransactionFailed(envelope, state.failed)
        return
    try:
        body = parser.finish()
    except X12SyntaxError as error:
        yield TransactionFailed(envelope, Finding(TRANSACTION, str(error), se.index, envelope.control_number))
        return
    yield from parser.drain()
    if se[2] != envelope.control_number:
        yield Finding(
            ENVELOPE,
            f"SE02 {se[2]} does not match ST02 {envelope.control_number}",
            se.index,
            envelope.control_number,
        )
    if se[1] != str(count):
        yield Finding(
            ENVELOPE,
            f"SE01 says {se[1] or 'nothing'} segments, transaction {envelope.control_number} has {count}",
            se.index,
            envelope.control_number,
        )
    yield TransactionDone(envelope, state.kind, body, count)


def _check_group(state: _State, ge: Segment) -> Iterator[Finding]:
    gs = state.gs
    if gs is None:
        yield Finding(ENVELOPE, "GE without an open GS", ge.index)
        return
    if ge[2] != gs[6]:
        yield Finding(ENVELOPE, f"GE02 {ge[2]} does not match GS06 {gs[6]}", ge.index)
    if ge[1] != str(state.transactions):
        yield Finding(
            ENVELOPE,
            f"GE01 says {ge[1] or 'nothing'} transactions, group {gs[6]} has {state.transactions}",
            ge.index,
        )


def _check_cut_iea(state: _State, iea: Segment) -> None:
    """An IEA whose IEA02 stops short of the ISA13 is a file cut off inside its last segment.

    Such a file ends mid-transfer, so the rest of it cannot be trusted either: unreadable as a
    whole, like one cut off before its IEA.  A complete IEA02 that differs stays a finding.
    """
    isa = state.isa
    if isa is None:
        return
    control = iea[2]
    if len(iea) < 2 or (len(control) < len(isa[13]) and isa[13].startswith(control)):
        raise X12SyntaxError(f"truncated: interchange {isa[13]} is cut off inside its IEA", iea.index)


def _check_interchange(state: _State, iea: Segment) -> Iterator[Finding]:
    isa = state.isa
    if isa is None:
        yield Finding(ENVELOPE, "IEA without an open ISA", iea.index)
        return
    if iea[2] != isa[13]:
        yield Finding(ENVELOPE, f"IEA02 {iea[2]} does not match ISA13 {isa[13]}", iea.index)
    if iea[1] != str(state.groups):
        yield Finding(
            ENVELOPE,
            f"IEA01 says {iea[1] or 'nothing'} groups, interchange {isa[13]} has {state.groups}",
            iea.index,
        )
