"""Reading typed values out of segments; a bad value is an ``X12SyntaxError`` at that segment."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from gateway.errors import X12SyntaxError
from gateway.x12.reader import Segment


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
