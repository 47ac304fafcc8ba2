"""277CA (005010X214) and 277 (005010X212): claim statuses by HL level.

The HL tree is information source (20) > receiver (21) > provider (19) > subscriber (22) >
dependent (23); the 277CA puts claims under a patient level (PT).  A claim starts at a TRN in a
claim level (TRN02 is our CLM01) and collects REF*1K, STC and DTP*472 until the next HL, the
SVC segments open service lines whose STCs belong to them.  STC at the upper levels (batch
accepted, receiver rejected) are kept as ``LevelStatus``.
"""

from __future__ import annotations

from decimal import Decimal

from gateway.inbound.base import TransactionParser
from gateway.inbound.records import (
    ClaimStatus,
    Envelope,
    LevelStatus,
    ServiceStatus,
    StatusCode,
    StatusReport,
    StatusResponse,
)
from gateway.x12.reader import Segment
from gateway.x12.values import optional_amount

CLAIM_LEVELS = frozenset({"PT", "22", "23"})
# STC elements that hold a status composite: STC01, STC10, STC11.
STATUS_POSITIONS = (1, 10, 11)


def status_report(segment: Segment) -> StatusReport:
    statuses = []
    for position in STATUS_POSITIONS:
        if segment[position]:
            parts = segment.components(position)
            parts += [""] * (3 - len(parts))
            statuses.append(StatusCode(category=parts[0], code=parts[1], entity=parts[2]))
    return StatusReport(
        statuses=tuple(statuses),
        date=segment[2],
        action=segment[3],
        charge=optional_amount(segment, 4),
        paid=optional_amount(segment, 5),
        segment_index=segment.index,
    )


class _OpenLine:
    __slots__ = ("charge", "modifiers", "procedure", "reports")

    def __init__(self, segment: Segment) -> None:
        parts = segment.components(1)
        self.procedure = parts[1] if len(parts) > 1 else ""
        self.modifiers = tuple(m for m in parts[2:6] if m)
        self.charge: Decimal | None = optional_amount(segment, 2)
        self.reports: list[StatusReport] = []

    def close(self) -> ServiceStatus:
        return ServiceStatus(self.procedure, self.modifiers, self.charge, tuple(self.reports))


class _OpenClaim:
    __slots__ = ("level", "lines", "payer_number", "pcn", "reports", "service_date", "start")

    def __init__(self, trn: Segment, level: str) -> None:
        self.pcn = trn[2]
        self.level = level
        self.start = trn.index
        self.payer_number = ""
        self.service_date = ""
        self.reports: list[StatusReport] = []
        self.lines: list[_OpenLine] = []

    def close(self) -> ClaimStatus:
        return ClaimStatus(
            patient_control_number=self.pcn,
            payer_claim_control_number=self.payer_number,
            hl_level=self.level,
            reports=tuple(self.reports),
            service_lines=tuple(line.close() for line in self.lines),
            service_date=self.service_date,
            segment_index=self.start,
        )


class ClaimStatusParser(TransactionParser):
    def __init__(self, envelope: Envelope) -> None:
        super().__init__(envelope)
        self._level = ""
        self._claim: _OpenClaim | None = None
        self._level_trace = ""
        self._level_reports: list[StatusReport] = []
        self._levels: list[LevelStatus] = []

    def feed(self, segment: Segment) -> None:
        sid = segment.id
        claim = self._claim
        if sid == "STC":
            report = status_report(segment)
            if claim is None:
                self._level_reports.append(report)
            elif claim.lines:
                claim.lines[-1].reports.append(report)
            else:
                claim.reports.append(report)
        elif sid == "HL":
            self._close()
            self._level = segment[3]
        elif sid == "TRN":
            if self._level in CLAIM_LEVELS:
                self._close()
                self._claim = _OpenClaim(segment, self._level)
            else:
                self._level_trace = segment[2]
        elif claim is None:
            return
        elif sid == "REF" and segment[1] == "1K":
            claim.payer_number = segment[2]
        elif sid == "SVC":
            claim.lines.append(_OpenLine(segment))
        elif sid == "DTP" and segment[1] == "472" and not claim.lines:
            claim.service_date = segment[3]

    def _close(self) -> None:
        if self._claim is not None:
            self.ready.append(self._claim.close())
            self._claim = None
        if self._level_reports:
            self._levels.append(LevelStatus(self._level, self._level_trace, tuple(self._level_reports)))
            self._level_reports = []
        self._level_trace = ""

    def finish(self) -> StatusResponse:
        self._close()
        return StatusResponse(claims=(), levels=tuple(self._levels))
