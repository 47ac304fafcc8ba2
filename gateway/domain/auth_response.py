"""What a 278 005010X217 says about a prior authorization: reviews, traces, procedures, AAA.

A 278 *response* (BHT02 11) carries the UMO's verdicts: one ``Review`` per HCR at the patient
event (2000E) or service (2000F) level.  A 278 *request* (BHT02 13) carries the same levels
without a verdict: one ``Review`` per 2000E/2000F with the requested procedures and dates and
``decision`` None.  ``gateway.inbound.parse_278`` builds these records; ``gateway.store.auths``
applies a response to the request on file.  Records never carry names, member ids or birth
dates, and do no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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
REQUEST = "13"  # BHT02 of a request for review
RESPONSE = "11"  # BHT02 of a response


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


@dataclass(frozen=True, slots=True)
class Trace:
    kind: str  # TRN01: 1 current (the sender's own), 2 referenced (echo of ours)
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
            "service_from": _iso(self.service_dates[0]) if self.service_dates else None,
            "service_to": _iso(self.service_dates[1]) if self.service_dates else None,
        }


@dataclass(frozen=True, slots=True)
class Review:
    """One patient event (2000E) or service (2000F): what was asked and, in a response, decided."""

    level: str  # "event" (2000E) or "service" (2000F)
    decision: str | None  # HCR01; None in a request (nothing decided yet)
    certification_number: str | None  # HCR02
    reason: str | None  # HCR03
    trace_numbers: tuple[Trace, ...]
    procedures: tuple[Procedure, ...]
    certified_from: dt.date | None
    certified_to: dt.date | None
    issued: dt.date | None
    administrative_reference: str | None  # REF*NT
    errors: tuple[RequestError, ...]
    segment_index: int  # of the HCR, or of the level's HL in a request
    requested_from: dt.date | None = None  # DTP*AAH (event) / DTP*472 (service): the dates asked for
    requested_to: dt.date | None = None

    @property
    def decision_text(self) -> str | None:
        return None if self.decision is None else DECISIONS.get(self.decision, "unknown")

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "decision": self.decision,
            "decision_text": self.decision_text,
            "certification_number": self.certification_number,
            "reason": self.reason,
            "trace_numbers": [t.to_json() for t in self.trace_numbers],
            "procedures": [p.to_json() for p in self.procedures],
            "requested_from": _iso(self.requested_from),
            "requested_to": _iso(self.requested_to),
            "certified_from": _iso(self.certified_from),
            "certified_to": _iso(self.certified_to),
            "issued": _iso(self.issued),
            "administrative_reference": self.administrative_reference,
            "errors": [e.to_json() for e in self.errors],
        }


@dataclass(frozen=True, slots=True)
class AuthResponse:
    """One 278 transaction set: a request (BHT02 13) or the UMO's answer to one (BHT02 11)."""

    purpose: str  # BHT02: 13 request, 11 response
    reference: str  # BHT03: our request id (echoed in a response)
    response_type: str  # BHT06: 18 final, 19 more to follow, RU
    reviews: tuple[Review, ...]
    request_errors: tuple[RequestError, ...]  # AAA at levels without a decision (HCR)

    @property
    def is_response(self) -> bool:
        return self.purpose == RESPONSE

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "reference": self.reference,
            "response_type": self.response_type or None,
            "reviews": [r.to_json() for r in self.reviews],
            "request_errors": [e.to_json() for e in self.request_errors],
        }
