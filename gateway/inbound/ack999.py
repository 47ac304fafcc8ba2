"""999 (005010X231A1) and 997 acknowledgments: AK1, AK2, IK3/AK3, IK4/AK4, IK5/AK5, AK9.

The 997 uses AK3/AK4/AK5 where the 999 uses IK3/IK4/IK5 with the same element layout, so one
parser reads both.  CTX segments (context of an error) are skipped: they may quote claim data.
"""

from __future__ import annotations

from gateway.errors import X12SyntaxError
from gateway.inbound.base import TransactionParser
from gateway.inbound.records import (
    Acknowledgment,
    ElementError,
    Envelope,
    GroupAck,
    SegmentError,
    TransactionAck,
)
from gateway.x12.reader import Segment
from gateway.x12.values import optional_int


class AckParser(TransactionParser):
    def __init__(self, envelope: Envelope) -> None:
        super().__init__(envelope)
        self._ak1: Segment | None = None
        self._ak9: Segment | None = None
        self._ak2: Segment | None = None
        self._segment_errors: list[SegmentError] = []
        self._ik3: Segment | None = None
        self._element_errors: list[ElementError] = []

    def feed(self, segment: Segment) -> None:
        sid = segment.id
        if sid in ("IK4", "AK4"):
            if self._ik3 is None:
                raise X12SyntaxError(f"{sid} without a preceding IK3", segment.index)
            self._element_errors.append(
                ElementError(
                    position=_position(segment),
                    code=segment[3],
                    value=segment[4],
                    reference_number=segment[2],
                )
            )
        elif sid in ("IK3", "AK3"):
            self._close_segment_error()
            if self._ak2 is None:
                raise X12SyntaxError(f"{sid} without a preceding AK2", segment.index)
            self._ik3 = segment
        elif sid in ("IK5", "AK5"):
            self._close_transaction(segment)
        elif sid == "AK2":
            if self._ak2 is not None:
                raise X12SyntaxError(f"AK2 for ST02 {self._ak2[2]} has no IK5", segment.index)
            self._ak2 = segment
        elif sid == "AK1":
            self._ak1 = segment
        elif sid == "AK9":
            self._ak9 = segment

    def _close_segment_error(self) -> None:
        ik3 = self._ik3
        if ik3 is None:
            return
        position = optional_int(ik3, 2)
        self._segment_errors.append(
            SegmentError(
                segment_id=ik3[1],
                position=position if position is not None else 0,
                loop=ik3[3],
                code=ik3[4],
                element_errors=tuple(self._element_errors),
            )
        )
        self._ik3 = None
        self._element_errors = []

    def _close_transaction(self, ik5: Segment) -> None:
        self._close_segment_error()
        ak2 = self._ak2
        if ak2 is None:
            raise X12SyntaxError(f"{ik5.id} without a preceding AK2", ik5.index)
        self.ready.append(
            TransactionAck(
                transaction_set=ak2[1],
                control_number=ak2[2],
                implementation=ak2[3],
                ack_code=ik5[1],
                error_codes=tuple(code for code in ik5.elements[2:7] if code),
                segment_errors=tuple(self._segment_errors),
                segment_index=ak2.index,
            )
        )
        self._ak2 = None
        self._segment_errors = []

    def finish(self) -> Acknowledgment:
        if self._ak2 is not None:
            raise X12SyntaxError(f"AK2 for ST02 {self._ak2[2]} has no IK5", self._ak2.index)
        ak1, ak9 = self._ak1, self._ak9
        if ak1 is None:
            raise X12SyntaxError("acknowledgment has no AK1", self.envelope.segment_index)
        if ak9 is None:
            raise X12SyntaxError("acknowledgment has no AK9", self.envelope.segment_index)
        group = GroupAck(
            functional_id=ak1[1],
            acknowledged_group_control_number=ak1[2],
            version=ak1[3],
            ack_code=ak9[1],
            included=optional_int(ak9, 2),
            received=optional_int(ak9, 3),
            accepted=optional_int(ak9, 4),
            error_codes=tuple(code for code in ak9.elements[5:10] if code),
        )
        return Acknowledgment(group=group, transactions=())


def _position(segment: Segment) -> int:
    """IK401-1: the element position (IK401 is a composite: element, component, repeat)."""
    text = segment.component(1, 1)
    if not text.isdigit():
        raise X12SyntaxError(f"{segment.id}01 element position is not a number", segment.index)
    return int(text)
