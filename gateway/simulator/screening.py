"""First look at an upload: can its interchange be accepted at all (TA1), and pyx12's verdict.

An interchange is rejected with a TA1 (and nothing else is answered) when:

* no ISA can be read at all (TA105 024, addressed to an unknown receiver),
* ISA12 is not 00501 (017), the file ends before its IEA (023),
* the same sender sent the same ISA13 before (025): how a clearinghouse refuses a resend
  that was not given new control numbers,
* pyx12 cannot walk the file (024) or reports an ISA/IEA error (its TA105 code: 001 control
  number mismatch, 021 group count, 014 date, ...).

Otherwise pyx12's findings and its 999 go on to ``acks.rebuild_999``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gateway.errors import GatewayError, X12SyntaxError
from gateway.simulator.submission import Parties
from gateway.x12.gate import GateResult, validate_text
from gateway.x12.pyx12_maps import map_path_for
from gateway.x12.reader import Segment, read_segments

UNREADABLE = "024"  # invalid interchange content
VERSION_NOT_SUPPORTED = "017"
PREMATURE_END = "023"
DUPLICATE = "025"
SUPPORTED_VERSION = "00501"


@dataclass(frozen=True)
class Screened:
    """An upload after the envelope checks; ``rejection`` is the TA105 code when rejected."""

    isa13: str
    isa_date: str
    isa_time: str
    ack_requested: bool
    parties: Parties  # for our responses: the upload's sender and receiver swapped
    sender_key: str  # "ISA05:ISA06" of the upload, for duplicate detection
    segments: list[Segment]
    gate: GateResult | None = None
    rejection: str | None = None
    reason: str = ""


def _parties(isa: Segment, gs: Segment | None) -> Parties:
    return Parties(
        sender_qualifier=isa[7] or "ZZ",
        sender_id=isa[8].strip() or "UNKNOWN",
        receiver_qualifier=isa[5] or "ZZ",
        receiver_id=isa[6].strip() or "UNKNOWN",
        gs_sender=(gs[3] if gs is not None else "") or isa[8].strip() or "UNKNOWN",
        gs_receiver=(gs[2] if gs is not None else "") or isa[6].strip() or "UNKNOWN",
        usage=isa[15] if isa[15] in ("T", "P") else "T",
    )


def unreadable(clearinghouse_id: str, reason: str) -> Screened:
    """A file without a readable ISA: rejected, the TA1 addressed as well as can be."""
    parties = Parties(
        sender_qualifier="ZZ",
        sender_id=clearinghouse_id,
        receiver_qualifier="ZZ",
        receiver_id="UNKNOWN",
        gs_sender=clearinghouse_id,
        gs_receiver="UNKNOWN",
    )
    return Screened(
        "000000000", "000101", "0000", False, parties, "", [], rejection=UNREADABLE, reason=reason
    )


def screen(data: bytes, clearinghouse_id: str, seen: set[str]) -> Screened:
    """Envelope checks, then pyx12 (with our 278 maps where the file is a 278)."""
    try:
        segments = list(read_segments(data))
    except X12SyntaxError as error:
        return unreadable(clearinghouse_id, str(error))
    isa = segments[0]
    gs = next((seg for seg in segments if seg.id == "GS"), None)
    base = Screened(
        isa13=isa[13],
        isa_date=isa[9],
        isa_time=isa[10],
        ack_requested=isa[14] == "1",
        parties=_parties(isa, gs),
        sender_key=f"{isa[5]}:{isa[6].strip()}",
        segments=segments,
    )
    if isa[12] != SUPPORTED_VERSION:
        return _rejected(base, VERSION_NOT_SUPPORTED, f"ISA12 {isa[12]!r} is not {SUPPORTED_VERSION}")
    if segments[-1].id != "IEA":
        return _rejected(base, PREMATURE_END, "the file ends before its IEA")
    if f"{base.sender_key}:{base.isa13}" in seen:
        return _rejected(base, DUPLICATE, f"interchange {base.isa13} was received before")
    text = data.decode("utf-8-sig", errors="replace")
    try:
        gate = validate_text(text, map_path_for(text), want_999=True)
    except GatewayError as error:  # a 278 file mixing requests and responses, a broken map cache
        return _rejected(base, UNREADABLE, str(error))
    if gate.fatal:
        # pyx12 quotes the text it choked on, which may be anything: keep its words, not the data.
        return _rejected(base, UNREADABLE, gate.fatal.split("'", 1)[0].rstrip(": "))
    isa_issue = next((issue for issue in gate.issues if issue.level == "isa"), None)
    if isa_issue is not None:
        code = isa_issue.code if len(isa_issue.code) == 3 and isa_issue.code.isdigit() else UNREADABLE
        return _rejected(base, code, str(isa_issue))
    return replace(base, gate=gate)


def _rejected(base: Screened, code: str, reason: str) -> Screened:
    return replace(base, rejection=code, reason=reason)
