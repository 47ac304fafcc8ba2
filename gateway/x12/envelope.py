"""Interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) envelopes.

Control numbers are passed in (allocated from the database by the caller), so building stays
a pure function of its inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from gateway.errors import X12SyntaxError
from gateway.x12.writer import SegmentWriter

ISA_ID_WIDTH = 15
ISA_SECURITY_WIDTH = 10


@dataclass(frozen=True)
class TradingPartners:
    """Who sends to whom: ISA05-08, GS02/GS03, and the 837 submitter/receiver (1000A/1000B)."""

    sender_id: str
    receiver_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    application_sender: str | None = None  # GS02, defaults to sender_id
    application_receiver: str | None = None  # GS03, defaults to receiver_id
    submitter_name: str = "PAIN CLINIC BILLING"
    submitter_contact: str = "EDI DESK"
    submitter_phone: str = "8005550100"
    receiver_name: str = "CLEARINGHOUSE"
    usage: Literal["T", "P"] = "T"  # ISA15 test / production
    acknowledgment_requested: bool = False  # ISA14: ask for a TA1

    def __post_init__(self) -> None:
        for name, value in (("sender_id", self.sender_id), ("receiver_id", self.receiver_id)):
            if not 1 <= len(value) <= ISA_ID_WIDTH:
                raise X12SyntaxError(f"{name} must be 1-{ISA_ID_WIDTH} characters")

    @property
    def gs_sender(self) -> str:
        return self.application_sender or self.sender_id

    @property
    def gs_receiver(self) -> str:
        return self.application_receiver or self.receiver_id


@dataclass(frozen=True)
class ControlNumbers:
    interchange: int  # ISA13
    group: int  # GS06
    first_transaction: int  # ST02 of the first transaction set; the next ones follow

    def transaction(self, offset: int) -> str:
        return f"{self.first_transaction + offset:04d}"


def isa_segment(
    writer: SegmentWriter, partners: TradingPartners, control: ControlNumbers, when: dt.datetime
) -> None:
    """Write the fixed-width ISA (exactly 106 characters with its terminator)."""
    d = writer.delimiters
    fields = [
        "ISA",
        "00",
        " " * ISA_SECURITY_WIDTH,
        "00",
        " " * ISA_SECURITY_WIDTH,
        partners.sender_qualifier,
        partners.sender_id.ljust(ISA_ID_WIDTH),
        partners.receiver_qualifier,
        partners.receiver_id.ljust(ISA_ID_WIDTH),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        d.repetition,
        "00501",
        f"{control.interchange:09d}",
        "1" if partners.acknowledgment_requested else "0",
        partners.usage,
        d.component,
    ]
    for value in fields[1:11] + fields[12:16]:
        if any(ch in d.reserved for ch in value):
            raise X12SyntaxError("ISA value contains a delimiter character", 1)
    text = d.element.join(fields) + d.segment
    if len(text) != 106:
        raise X12SyntaxError(f"ISA is {len(text)} characters, not 106", 1)
    writer.raw(text)


def open_group(
    writer: SegmentWriter,
    partners: TradingPartners,
    control: ControlNumbers,
    when: dt.datetime,
    functional_id: str,
    version: str,
) -> None:
    writer.segment(
        "GS",
        functional_id,
        partners.gs_sender,
        partners.gs_receiver,
        when.strftime("%Y%m%d"),
        when.strftime("%H%M"),
        str(control.group),
        "X",
        version,
    )


def open_transaction(writer: SegmentWriter, set_id: str, control_number: str, version: str) -> None:
    writer.transaction_segment_count = 0
    writer.segment("ST", set_id, control_number, version)


def close_transaction(writer: SegmentWriter, control_number: str) -> None:
    writer.segment("SE", str(writer.transaction_segment_count + 1), control_number)


def close_group(writer: SegmentWriter, control: ControlNumbers, transaction_count: int) -> None:
    writer.segment("GE", str(transaction_count), str(control.group))


def close_interchange(writer: SegmentWriter, control: ControlNumbers, group_count: int = 1) -> None:
    writer.segment("IEA", str(group_count), f"{control.interchange:09d}")
