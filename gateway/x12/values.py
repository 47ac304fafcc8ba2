"""X12 values: decimals (R), dates (DT, CCYYMMDD) and amounts out of segments.

The one place element text becomes a number or a date (moved from gateway/inbound/values.py;
the gate's checks, the 278 parser and the simulator had their own copies).  Two kinds of reader:

* ``amount``/``optional_amount``/``optional_int`` read a segment's element for a parser, where a
  bad value is an ``X12SyntaxError`` naming the segment and element (never the value: PHI);
* ``decimal_or_none``/``decimal_or_zero``/``ccyymmdd`` read text for a checker, which reports
  the bad value itself in its own words and goes on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from gateway.errors import X12SyntaxError
from gateway.x12.reader import Segment

ZERO = Decimal(0)


def decimal_or_none(text: str) -> Decimal | None:
    """An R element as a Decimal; None when empty or not a number."""
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def decimal_or_zero(text: str) -> Decimal:
    """An R element as a Decimal; 0 when empty or not a number (its checker reports those)."""
    value = decimal_or_none(text)
    return ZERO if value is None else value


def ccyymmdd(text: str) -> dt.date | None:
    """A DT element (CCYYMMDD) as a date; None when it is not one.

    Eight ASCII digits (every well-formed date) are read directly: ``strptime`` cost the gate's
    checks a tenth of their time.  Anything else goes to ``strptime`` as before, which is lenient
    in ways kept here so that findings do not change (it reads ``2026922`` as 2026-09-22).
    """
    if len(text) == 8 and text.isdigit() and text.isascii():
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:  # month 00 or 13, day 00 or past the month's end, year 0000
            return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def amount(segment: Segment, position: int) -> Decimal:
    """Required decimal element (amounts may be negative: reversals, recoupments)."""
    text = segment[position]
    if not text:
        raise X12SyntaxError(f"{segment.id}{position:02d} is required but empty", segment.index)
    return _decimal(segment, position, text)


def optional_amount(segment: Segment, position: int) -> Decimal | None:
    text = segment[position]
    return _decimal(segment, position, text) if text else None


def _decimal(segment: Segment, position: int, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        # The value itself is not echoed: elements can hold PHI in malformed files.
        raise X12SyntaxError(f"{segment.id}{position:02d} is not a number", segment.index)
    return value


def optional_int(segment: Segment, position: int) -> int | None:
    text = segment[position]
    if not text:
        return None
    if not text.isdigit():
        raise X12SyntaxError(f"{segment.id}{position:02d} is not a whole number", segment.index)
    return int(text)


def money(value: Decimal | None) -> str | None:
    """Decimal string for JSON: as sent (no float rounding), '-0' folded to '0'."""
    if value is None:
        return None
    if value == 0 and value.is_signed():
        value = abs(value)
    return format(value, "f")
