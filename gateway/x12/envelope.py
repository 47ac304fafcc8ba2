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
class SubmitterIdentity:
    """The 837's submitter (1000A) and receiver (1000B), as the clearinghouse enrollment gives them.

    Nothing here has a default: a claim file must say who submits it and to whom, from the
    clearinghouse profile's ``identity:`` (gateway.transport.profiles).
    """

    submitter_id: str  # 1000A NM109 (ETIN / submitter id of the enrollment)
    submitter_name: str  # 1000A NM103
    contact_name: str  # 1000A PER02
    receiver_name: str  # 1000B NM103
    receiver_id: str  # 1000B NM109
    contact_phone: str | None = None  # 1000A PER TE
    contact_email: str | None = None  # 1000A PER EM

    def __post_init__(self) -> None:
        if not (self.contact_phone or self.contact_email):
            raise X12SyntaxError("the submitter contact needs a phone or an email (1000A PER)")

    def contact_numbers(self) -> list[str]:
        """PER03-PER06: the phone first, then the email, each with its qualifier."""
        numbers: list[str] = []
        if self.contact_phone:
            numbers += ["TE", self.contact_phone]
        if self.contact_email:
            numbers += ["EM", self.contact_email]
        return numbers


# For trial builds that are gated and thrown away (nothing is sent): placeholders, never sent.
TRIAL_IDENTITY = SubmitterIdentity(
    submitter_id="TRIALSUBMITTER", submitter_name="TRIAL SUBMITTER", contact_name="TRIAL",
    receiver_name="TRIAL RECEIVER", receiver_id="TRIALRECEIVER", contact_phone="0000000000",
)  # fmt: skip


@dataclass(frozen=True)
class TradingPartners:
    """Who sends to whom: ISA05-08, GS02/GS03, and for the 837 the submitter/receiver identity."""

    sender_id: str
    receiver_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    application_sender: str | None = None  # GS02, defaults to sender_id
    application_receiver: str | None = None  # GS03, defaults to receiver_id
    identity: SubmitterIdentity | None = None  # 1000A/1000B; an 837P is refused without it
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
