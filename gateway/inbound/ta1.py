"""TA1 interchange acknowledgment: one segment, anywhere outside a transaction set.

X12.5 puts TA1 between ISA and GS; pyx12 and some clearinghouses put it after GE or send a
TA1-only interchange.  The driver accepts it in all of those places.
"""

from __future__ import annotations

from gateway.errors import X12SyntaxError
from gateway.inbound.records import Ta1Ack
from gateway.x12.reader import Segment

ACK_CODES = {"A": "accepted", "E": "accepted with errors", "R": "rejected"}


def parse_ta1(segment: Segment, carried_by: str) -> Ta1Ack:
    control_number = segment[1]
    if not control_number:
        raise X12SyntaxError("TA101 (acknowledged interchange control number) is empty", segment.index)
    if segment[4] not in ACK_CODES:
        raise X12SyntaxError(f"TA104 ack code {segment[4]!r} is not A, E or R", segment.index)
    return Ta1Ack(
        interchange_control_number=control_number,
        date=segment[2],
        time=segment[3],
        ack_code=segment[4],
        note_code=segment[5],
        carried_by=carried_by,
        segment_index=segment.index,
    )
