"""278 005010X217 transactions (requests, BHT02 13, and responses, BHT02 11) into reviews.

A 278 carries the HL tree UMO 20 > requester 21 > subscriber 22 > [dependent 23] > patient
event EV > service SS.  A response adds the UMO's verdicts:

* ``HCR`` at the event (2000E) and/or service (2000F) level: HCR01 decision, HCR02 certification
  number, HCR03 reason (code source 886); one ``Review`` per HCR.
* ``TRN*2`` echoes the request's trace numbers, which is how a review finds its request and
  service; ``REF*NT`` carries the UMO's reference for a pended review.
* ``DTP`` 007/036/102 (certification effective, expiration, issue), or the event (AAH) and
  service (472) dates: the certified window.
* ``SV1``/``SV2`` and ``HSD`` give the certified procedures and units.
* ``AAA`` rejects the request (or one level of it) instead of reviewing it: AAA03 reason and
  AAA04 follow-up, kept with the loop it came in.

A request has no HCR: each 2000E and 2000F becomes a ``Review`` with its requested procedures
and dates and ``decision`` None, which is what ``gateway parse --json`` lists for it.

``AuthParser`` is the 278's ``TransactionParser``: the envelope driver runs it like the 835 or
999 parsers, so a 278 is parsed once per file.  The records live in
``gateway.domain.auth_response``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.domain.auth_response import (
    REQUEST,
    AuthResponse,
    Procedure,
    RequestError,
    Review,
    Trace,
)
from gateway.errors import X12SyntaxError
from gateway.inbound.base import TransactionParser
from gateway.inbound.records import Envelope
from gateway.x12.reader import Segment
from gateway.x12.values import ccyymmdd, decimal_or_none

LOOP_LETTER = {"20": "A", "21": "B", "22": "C", "23": "D", "EV": "E", "SS": "F"}
PROCEDURE_SEGMENTS = frozenset({"SV1", "SV2", "SV3"})
# The dates a request asks for: the event (AAH, or ABC estimated) and the service (472).
REQUESTED_DATE_QUALIFIERS = ("AAH", "ABC", "472")
Getter = Callable[[int], str]


def _period(fmt: str, text: str) -> tuple[dt.date, dt.date] | None:
    if fmt == "RD8" and "-" in text:
        start, _, end = text.partition("-")
        first, last = ccyymmdd(start), ccyymmdd(end)
        return (first, last) if first and last else None
    day = ccyymmdd(text)
    return (day, day) if day else None


@dataclass
class _Level:
    """What one HL level (event or service) collected before the next HL."""

    code: str
    index: int
    named: bool = False  # an NM1 was seen: later AAA belong to the 2010 loop
    hcr: Sequence[str] | None = None
    hcr_index: int = 0
    traces: list[Trace] = field(default_factory=list)
    dates: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    reference: str | None = None
    errors: list[RequestError] = field(default_factory=list)
    procedures: list[Procedure] = field(default_factory=list)
    quantity: tuple[str, Decimal | None] | None = None
    services: list[_Level] = field(default_factory=list)


class _Reader:
    def __init__(self, component: str) -> None:
        self.component = component
        self.bht: Sequence[str] = ()
        self.request_errors: list[RequestError] = []
        self.events: list[_Level] = []
        self.level: _Level | None = None
        self.level_code = ""
        self.named = False

    def _loop(self) -> str:
        letter = LOOP_LETTER.get(self.level_code, "?")
        return f"2010{letter}" if self.named else f"2000{letter}"

    def feed(self, row: Sequence[str], index: int) -> None:
        seg_id = row[0]

        def get(position: int) -> str:
            return row[position] if position < len(row) else ""

        if seg_id == "BHT":
            self.bht = row
        elif seg_id == "HL":
            self._open_level(get(3), index)
        elif seg_id == "NM1":
            self.named = True
            if self.level is not None:
                self.level.named = True
        elif seg_id == "AAA":
            error = RequestError(self._loop(), get(1) == "Y", get(3), get(4), index)
            (self.level.errors if self.level is not None else self.request_errors).append(error)
        elif self.level is not None and not self.named:
            self._level_segment(self.level, seg_id, get, index)

    def _open_level(self, code: str, index: int) -> None:
        self.level_code, self.named = code, False
        if code == "EV":
            self.level = _Level(code, index)
            self.events.append(self.level)
        elif code == "SS" and self.events:
            self.level = _Level(code, index)
            self.events[-1].services.append(self.level)
        else:
            self.level = None

    def _level_segment(self, level: _Level, seg_id: str, get: Getter, index: int) -> None:
        if seg_id == "HCR":
            level.hcr, level.hcr_index = (get(1), get(2), get(3)), index
        elif seg_id == "TRN":
            level.traces.append(Trace(get(1), get(2), get(3)))
        elif seg_id == "DTP":
            period = _period(get(2), get(3))
            if period:
                level.dates[get(1)] = period
        elif seg_id == "REF" and get(1) == "NT":
            level.reference = get(2)
        elif seg_id == "HSD":
            level.quantity = (get(1), decimal_or_none(get(2)))
        elif seg_id in PROCEDURE_SEGMENTS:
            level.procedures.append(self._procedure(seg_id, get))

    def _procedure(self, seg_id: str, get: Getter) -> Procedure:
        # SV2 carries the procedure in SV202 (SV201 is the revenue code), units in SV205.
        position, units, basis = (2, 5, 4) if seg_id == "SV2" else (1, 4 if seg_id == "SV1" else 6, 3)
        parts = get(position).split(self.component)
        parts += [""] * (2 - len(parts))
        return Procedure(
            parts[0],
            parts[1],
            tuple(p for p in parts[2:6] if p),
            decimal_or_none(get(units)),
            get(basis) if seg_id != "SV3" else "",
            None,
        )


def _certified_window(level: _Level) -> tuple[dt.date | None, dt.date | None]:
    dates = level.dates
    window = dates.get("007") or dates.get("AAH") or dates.get("472")
    start = window[0] if window else None
    end = dates["036"][1] if "036" in dates else (window[1] if window else None)
    return start, end


def _procedures(level: _Level) -> list[Procedure]:
    service_dates = level.dates.get("472")
    qualifier, quantity = level.quantity or ("", None)
    return [
        Procedure(p.qualifier, p.code, p.modifiers, p.units, p.unit_basis, service_dates, qualifier, quantity)
        for p in level.procedures
    ]


def _requested_window(level: _Level) -> tuple[dt.date | None, dt.date | None]:
    window = next((level.dates[q] for q in REQUESTED_DATE_QUALIFIERS if q in level.dates), None)
    return (window[0], window[1]) if window else (None, None)


def _review(level: _Level, kind: str, procedures: list[Procedure]) -> Review:
    """The UMO's verdict (HCR) on one level of a response."""
    assert level.hcr is not None
    decision, number, reason = level.hcr
    start, end = _certified_window(level)
    requested_from, requested_to = _requested_window(level)
    issued = level.dates.get("102")
    return Review(
        level=kind,
        decision=decision,
        certification_number=number or None,
        reason=reason or None,
        trace_numbers=tuple(level.traces),
        procedures=tuple(procedures),
        certified_from=start,
        certified_to=end,
        issued=issued[0] if issued else None,
        administrative_reference=level.reference,
        errors=tuple(level.errors),
        segment_index=level.hcr_index,
        requested_from=requested_from,
        requested_to=requested_to,
    )


def _requested(level: _Level, kind: str, procedures: list[Procedure]) -> Review:
    """One level of a request: what is asked for, nothing decided."""
    requested_from, requested_to = _requested_window(level)
    return Review(
        level=kind,
        decision=None,
        certification_number=None,
        reason=None,
        trace_numbers=tuple(level.traces),
        procedures=tuple(procedures),
        certified_from=None,
        certified_to=None,
        issued=None,
        administrative_reference=level.reference,
        errors=tuple(level.errors),
        segment_index=level.index,
        requested_from=requested_from,
        requested_to=requested_to,
    )


def parse_transaction(
    rows: Iterable[Sequence[str]], component: str = ":", first_index: int = 1
) -> AuthResponse:
    """One 278 (ST..SE rows of elements, ``row[0]`` the segment id) into an ``AuthResponse``."""
    reader = _Reader(component)
    for offset, row in enumerate(rows):
        if row:
            reader.feed(row, first_index + offset)
    if not reader.bht:
        raise X12SyntaxError("278 transaction without BHT", first_index)
    bht = reader.bht
    purpose = bht[2] if len(bht) > 2 else ""
    reviews: list[Review] = []
    unreviewed_errors = list(reader.request_errors)
    for event in reader.events:
        services = [(s, _procedures(s)) for s in event.services]
        all_procedures = [p for _, procs in services for p in procs]
        if event.hcr is not None:
            reviews.append(_review(event, "event", all_procedures))
        elif purpose == REQUEST:
            reviews.append(_requested(event, "event", all_procedures))
        else:
            unreviewed_errors.extend(event.errors)
        for service, procs in services:
            if service.hcr is not None:
                reviews.append(_review(service, "service", procs))
            elif purpose == REQUEST:
                reviews.append(_requested(service, "service", procs))
            else:
                unreviewed_errors.extend(service.errors)
    return AuthResponse(
        purpose=purpose,
        reference=bht[3] if len(bht) > 3 else "",
        response_type=bht[6] if len(bht) > 6 else "",
        reviews=tuple(reviews),
        request_errors=tuple(unreviewed_errors),
    )


class AuthParser(TransactionParser):
    """The 278's transaction parser: keeps the body rows and reads them at SE (they are few)."""

    def __init__(self, envelope: Envelope) -> None:
        super().__init__(envelope)
        self._rows: list[Sequence[str]] = []
        self._component = ":"
        self._first_index = envelope.segment_index + 1

    def feed(self, segment: Segment) -> None:
        if not self._rows:
            self._component = segment.delimiters.component
        self._rows.append(segment.elements)

    def finish(self) -> AuthResponse:
        return parse_transaction(self._rows, self._component, self._first_index)
