"""TA1 and 999 005010X231A1, and the interchange every response of the simulator goes out in.

The 999 is pyx12's own (its IK3/IK4 findings are what a clearinghouse running pyx12 would
send), with the quirks reference/x12_libraries.md §5 lists taken out:

* pyx12 writes GS08 and ST03 as ``005010X231``; ours say ``005010X231A1``.
* pyx12 takes ISA13 from the clock (duplicates within a minute) and GS06 at random; ours come
  from the simulator's own counters, as do the 999's ST02s.
* pyx12 answers a group with accepted and rejected transaction sets with ``AK9*R``; AK901 is
  ``P`` (partially accepted) then, as the TR3 defines it, and ``E`` when all were accepted and
  some had errors.  A group with group-level errors (AK905...) stays rejected.
* pyx12 puts the TA1 after GE (and only when ISA14=1); X12.5 orders ISA, TA1, GS...GE, IEA, so
  our TA1 goes before the group, and an interchange with envelope errors gets a TA1 rejection
  and no 999 at all (``screening`` decides that before this module is asked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, cast

from gateway.errors import X12SyntaxError
from gateway.simulator.submission import Parties
from gateway.x12 import envelope
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.reader import Segment, read_segments
from gateway.x12.writer import Element, SegmentWriter

ACK_VERSION = "005010X231A1"
ACK_FUNCTIONAL_ID = "FA"
ACCEPTED_CODES = frozenset({"A", "E"})  # IK501: accepted, accepted with errors


@dataclass(frozen=True)
class ControlSource:
    """Where a response's control numbers come from (the simulator state's counters)."""

    interchange: Callable[[], int]
    group: Callable[[], int]
    transaction: Callable[[], int]

    def st02(self) -> str:
        return f"{self.transaction():04d}"


def trading_partners(parties: Parties) -> TradingPartners:
    usage = cast(Literal["T", "P"], parties.usage if parties.usage in ("T", "P") else "T")
    return TradingPartners(
        sender_id=parties.sender_id,
        receiver_id=parties.receiver_id,
        sender_qualifier=parties.sender_qualifier,
        receiver_qualifier=parties.receiver_qualifier,
        application_sender=parties.gs_sender,
        application_receiver=parties.gs_receiver,
        usage=usage,
    )


def interchange(
    parties: Parties,
    counters: ControlSource,
    when: dt.datetime,
    functional_id: str,
    version: str,
    bodies: list[str],
    ta1: str = "",
) -> str:
    """ISA, [TA1], [GS, the ST..SE ``bodies``, GE], IEA with our own control numbers."""
    control = ControlNumbers(counters.interchange(), counters.group() if bodies else 0, 1)
    out = SegmentWriter()
    envelope.isa_segment(out, trading_partners(parties), control, when)
    if ta1:
        out.raw(ta1)
    if bodies:
        envelope.open_group(out, trading_partners(parties), control, when, functional_id, version)
        out.extend(bodies)
        envelope.close_group(out, control, len(bodies))
    envelope.close_interchange(out, control, 1 if bodies else 0)
    return out.text()


def ta1_segment(isa13: str, isa_date: str, isa_time: str, ack_code: str, note_code: str) -> str:
    """TA1 for the interchange ``isa13`` (TA102/TA103 repeat that interchange's ISA09/ISA10)."""
    writer = SegmentWriter()
    writer.segment("TA1", isa13, isa_date, isa_time, ack_code, note_code)
    return writer.text()


@dataclass
class Ack999:
    """Our 999 transaction sets, and what they said about each acknowledged transaction."""

    bodies: list[str] = field(default_factory=list)
    # (acknowledged GS06, acknowledged ST02) -> IK501
    verdicts: dict[tuple[str, str], str] = field(default_factory=dict)

    def accepted(self, group_control_number: str, control_number: str) -> bool:
        return self.verdicts.get((group_control_number, control_number), "R") in ACCEPTED_CODES


def _elements(seg: Segment) -> list[Element]:
    """Elements of a pyx12 segment, composites as tuples (pyx12 uses the upload's delimiters)."""
    component = seg.delimiters.component
    return [tuple(value.split(component)) if component in value else value for value in seg.elements[1:]]


def _write(writer: SegmentWriter, seg: Segment, elements: list[Element]) -> None:
    try:
        writer.segment(seg.id, *elements)
    except X12SyntaxError:
        # IK404 copies the bad data, which may hold one of our delimiters: send the error
        # without the copy rather than a broken 999.
        if seg.id != "IK4":
            raise
        writer.segment(seg.id, *elements[:3])


def rebuild_999(pyx12_ack: str, counters: ControlSource) -> Ack999:
    """pyx12's 999 text -> our ST..SE bodies (X231A1, our ST02, recounted SE01) and verdicts."""
    result = Ack999()
    writer: SegmentWriter | None = None
    st02 = group = acked = ""
    codes: list[str] = []
    for seg in _segments(pyx12_ack):
        if seg.id == "ST":
            writer, st02 = SegmentWriter(), counters.st02()
            envelope.open_transaction(writer, "999", st02, ACK_VERSION)
        elif writer is None:
            continue
        elif seg.id == "SE":
            envelope.close_transaction(writer, st02)
            result.bodies.append(writer.text())
            writer = None
        else:
            if seg.id == "AK1":
                group = seg[2]
            elif seg.id == "AK2":
                acked = seg[2]
            elif seg.id == "IK5":
                result.verdicts[(group, acked)] = seg[1]
                codes.append(seg[1])
            elements = _elements(seg)
            if seg.id == "AK9":
                elements[0] = group_ack_code(codes, has_group_errors=len(seg) > 4)
                codes = []
            _write(writer, seg, elements)
    return result


def front_end_rejection(segments: Iterable[Segment], counters: ControlSource) -> Ack999:
    """A 999 rejecting every 837 of the upload as a clearinghouse's own edit would.

    The edit is the commonest one: the payer id (2010BB NM109) is not on the clearinghouse's
    payer list, reported as IK3 on that NM1 (loop 2010BB) and IK4 NM109 code 7 (invalid code
    value).  pyx12 finds nothing wrong with such a file; this is the policy's
    ``reject_first_batches`` at work, so that a rejected batch and its replay can be shown.
    """
    result = Ack999()
    writer: SegmentWriter | None = None
    st02 = group = version = st01 = ""
    counted: list[str] = []
    position = 0
    level = ""
    payer_error: tuple[int, str] | None = None
    for seg in segments:
        if seg.id == "GS":
            group, version, counted = seg[6], seg[8], []
            writer, st02 = SegmentWriter(), counters.st02()
            envelope.open_transaction(writer, "999", st02, ACK_VERSION)
            writer.segment("AK1", seg[1], group, version)
        elif writer is None:
            continue
        elif seg.id == "ST":
            position, level, payer_error, st01 = 1, "", None, seg[1]
        elif seg.id == "SE":
            control = seg[2]
            writer.segment("AK2", st01, control, version)
            if payer_error is not None:
                writer.segment("IK3", "NM1", str(payer_error[0]), "", "8")  # IK303 is an LS id, not a loop
                writer.segment("IK4", "9", "67", "7", payer_error[1])
            writer.segment("IK5", "R", "5")
            result.verdicts[(group, control)] = "R"
            counted.append("R")
        elif seg.id == "GE":
            writer.segment("AK9", "R", str(len(counted)), str(len(counted)), "0")
            envelope.close_transaction(writer, st02)
            result.bodies.append(writer.text())
            writer = None
        else:
            position += 1
            if seg.id == "HL":
                level = seg[3]
            elif seg.id == "NM1" and seg[1] == "PR" and level == "22" and payer_error is None:
                payer_error = (position, seg[9])
    return result


def group_ack_code(transaction_codes: list[str], has_group_errors: bool) -> str:
    """AK901 from the IK501s of the group: A, E (accepted, some with errors), P or R."""
    accepted = [code for code in transaction_codes if code in ACCEPTED_CODES]
    if has_group_errors or not accepted:
        return "R"
    if len(accepted) < len(transaction_codes):
        return "P"
    return "E" if "E" in accepted else "A"


def _segments(text: str) -> Iterable[Segment]:
    if not text.strip():
        return []
    return read_segments(text.encode("ascii", errors="replace"))
