"""278 005010X217 responses (BHT02 11) into review records (pure: rows in, dataclasses out).

A response repeats the request's HL tree (UMO 20 > requester 21 > subscriber 22 > [dependent 23]
> patient event EV > service SS) and adds the UMO's verdicts:

* ``HCR`` at the event (2000E) and/or service (2000F) level: HCR01 decision, HCR02 certification
  number, HCR03 reason (code source 886); one ``Review`` per HCR.
* ``TRN*2`` echoes the request's trace numbers, which is how a review finds its request and
  service; ``REF*NT`` carries the UMO's reference for a pended review.
* ``DTP`` 007/036/102 (certification effective, expiration, issue), or the event (AAH) and
  service (472) dates: the certified window.
* ``SV1``/``SV2`` and ``HSD`` give the certified procedures and units.
* ``AAA`` rejects the request (or one level of it) instead of reviewing it: AAA03 reason and
  AAA04 follow-up, kept with the loop it came in.

Records never carry names, member ids or birth dates.  ``transaction_278_to_json`` is the
shape ``gateway parse --json`` prints for a 278.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.errors import ParseError
from gateway.x12.reader import Segment

DECISIONS = {
    "A1": "certified in total",
    "A2": "certified - partial",
    "A3": "not certified",
    "A4": "pended",
    "A6": "modified",
    "C": "cancelled",
    "CT": "contact payer",
    "NA": "no action required",
}
LOOP_LETTER = {"20": "A", "21": "B", "22": "C", "23": "D", "EV": "E", "SS": "F"}
PROCEDURE_SEGMENTS = frozenset({"SV1", "SV2", "SV3"})
Getter = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class Trace:
    kind: str  # TRN01: 1 current (the UMO's own), 2 referenced (echo of ours)
    number: str  # TRN02
    assigned_by: str  # TRN03

    def to_json(self) -> dict[str, str]:
        return {"type": self.kind, "number": self.number, "assigned_by": self.assigned_by}


@dataclass(frozen=True, slots=True)
class RequestError:
    """AAA: the UMO could not review (part of) the request."""

    loop: str  # 2000A, 2010A, 2010B, 2010C, 2000E, 2010E, 2000F, ...
    valid: bool  # AAA01
    reason: str  # AAA03 (code list 901)
    follow_up: str  # AAA04 (code list 889)
    segment_index: int

    def to_json(self) -> dict[str, Any]:
        return {
            "loop": self.loop,
            "valid_request": self.valid,
            "reason": self.reason,
            "follow_up": self.follow_up,
        }


@dataclass(frozen=True, slots=True)
class Procedure:
    qualifier: str  # HC (CPT/HCPCS), N4, ...
    code: str
    modifiers: tuple[str, ...]
    units: Decimal | None  # SV104 / SV205
    unit_basis: str  # SV103 / SV204
    service_dates: tuple[dt.date, dt.date] | None  # DTP*472 of the service level
    quantity_qualifier: str = ""  # HSD01
    quantity: Decimal | None = None  # HSD02

    def to_json(self) -> dict[str, Any]:
        return {
            "qualifier": self.qualifier,
            "code": self.code,
            "modifiers": list(self.modifiers),
            "units": _num(self.units),
            "unit_basis": self.unit_basis or None,
            "quantity_qualifier": self.quantity_qualifier or None,
            "quantity": _num(self.quantity),
            "service_from": self.service_dates[0].isoformat() if self.service_dates else None,
            "service_to": self.service_dates[1].isoformat() if self.service_dates else None,
        }


@dataclass(frozen=True, slots=True)
class Review:
    """One HCR: the UMO's decision on the patient event or on one service."""

    level: str  # "event" (2000E) or "service" (2000F)
    decision: str  # HCR01
    certification_number: str | None  # HCR02
    reason: str | None  # HCR03
    trace_numbers: tuple[Trace, ...]
    procedures: tuple[Procedure, ...]
    certified_from: dt.date | None
    certified_to: dt.date | None
    issued: dt.date | None
    administrative_reference: str | None  # REF*NT
    errors: tuple[RequestError, ...]
    segment_index: int

    @property
    def decision_text(self) -> str:
        return DECISIONS.get(self.decision, "unknown")

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "decision": self.decision,
            "decision_text": self.decision_text,
            "certification_number": self.certification_number,
            "reason": self.reason,
            "trace_numbers": [t.to_json() for t in self.trace_numbers],
            "procedures": [p.to_json() for p in self.procedures],
            "certified_from": self.certified_from.isoformat() if self.certified_from else None,
            "certified_to": self.certified_to.isoformat() if self.certified_to else None,
            "issued": self.issued.isoformat() if self.issued else None,
            "administrative_reference": self.administrative_reference,
            "errors": [e.to_json() for e in self.errors],
        }


@dataclass(frozen=True, slots=True)
class AuthResponse:
    """One 278 transaction set as the UMO answered it."""

    purpose: str  # BHT02 (11 for a response)
    reference: str  # BHT03: our request id, echoed
    response_type: str  # BHT06: 18 final, 19 more to follow, RU
    reviews: tuple[Review, ...]
    request_errors: tuple[RequestError, ...]  # AAA at levels without a decision (HCR)

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "reference": self.reference,
            "response_type": self.response_type or None,
            "reviews": [r.to_json() for r in self.reviews],
            "request_errors": [e.to_json() for e in self.request_errors],
        }


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _period(fmt: str, text: str) -> tuple[dt.date, dt.date] | None:
    if fmt == "RD8" and "-" in text:
        start, _, end = text.partition("-")
        first, last = _date(start), _date(end)
        return (first, last) if first and last else None
    day = _date(text)
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
            level.quantity = (get(1), _decimal(get(2)))
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
            _decimal(get(units)),
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


def _review(level: _Level, kind: str, procedures: list[Procedure]) -> Review:
    assert level.hcr is not None
    decision, number, reason = level.hcr
    start, end = _certified_window(level)
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
        raise ParseError(f"segment {first_index}: 278 transaction without BHT")
    reviews: list[Review] = []
    unreviewed_errors = list(reader.request_errors)
    for event in reader.events:
        services = [(s, _procedures(s)) for s in event.services]
        if event.hcr is not None:
            reviews.append(_review(event, "event", [p for _, procs in services for p in procs]))
        else:
            unreviewed_errors.extend(event.errors)
        for service, procs in services:
            if service.hcr is not None:
                reviews.append(_review(service, "service", procs))
            else:
                unreviewed_errors.extend(service.errors)
    bht = reader.bht
    return AuthResponse(
        purpose=bht[2] if len(bht) > 2 else "",
        reference=bht[3] if len(bht) > 3 else "",
        response_type=bht[6] if len(bht) > 6 else "",
        reviews=tuple(reviews),
        request_errors=tuple(unreviewed_errors),
    )


def parse_278_segments(segments: Iterable[Segment]) -> Iterator[AuthResponse]:
    """Every 278 transaction set in a stream of segments from ``read_segments``."""
    rows: list[Sequence[str]] | None = None
    component, start, in_278 = ":", 0, False
    for segment in segments:
        if segment.id == "ST":
            in_278 = segment[1] == "278"
            rows, component, start = (
                ([], segment.delimiters.component, segment.index + 1) if in_278 else (None, component, start)
            )
        elif segment.id == "SE" and in_278 and rows is not None:
            yield parse_transaction(rows, component, start)
            rows, in_278 = None, False
        elif rows is not None:
            rows.append(segment.elements)


def _infer_component(rows: Sequence[Sequence[str]]) -> str:
    """The component separator of rows that lost their delimiters: SV101-1/HI01-1 end at it."""
    for row in rows:
        if row and row[0] in ("SV1", "HI", "UM") and len(row) > 1:
            value = row[1] if row[0] != "UM" else (row[4] if len(row) > 4 else "")
            for char in value:
                if not char.isalnum():
                    return char
    return ":"


def transaction_278_to_json(
    segments: Sequence[Sequence[str]], component: str | None = None
) -> dict[str, Any]:
    """The ``gateway parse --json`` view of one 278: reviews, request errors, BHT reference.

    ``segments`` are the transaction's segments as element lists (``row[0]`` the id), with or
    without ST/SE; ``component`` is the component separator (inferred from SV1/HI/UM if None).
    """
    rows = [row for row in segments if row and row[0] not in ("ST", "SE")]
    return parse_transaction(rows, component or _infer_component(rows)).to_json()
