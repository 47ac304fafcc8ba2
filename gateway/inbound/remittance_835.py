"""835 (005010X221A1) remittance: payment, claims with every CAS triplet, service lines, PLB.

Segments are dispatched on their id; the claim being assembled is the only state kept, so a
remittance of any size is read in flat memory.  CAS before the first SVC of a claim belongs to
the claim (2100), after it to the current service line (2110).  Reversals (CLP02 = 22) and
recoupments arrive as negative amounts and are kept as sent.
"""

from __future__ import annotations

from decimal import Decimal

from gateway.errors import X12SyntaxError
from gateway.inbound.balancing import claim_findings, payment_findings
from gateway.inbound.base import TransactionParser
from gateway.inbound.records import (
    Adjustment,
    Envelope,
    Payment,
    ProviderAdjustment,
    RemitClaim,
    RemitServiceLine,
    Remittance,
)
from gateway.inbound.values import amount, optional_amount
from gateway.x12.reader import Segment

# CAS: group, then up to six (reason, amount, quantity) triplets in CAS02..CAS19.
CAS_TRIPLET_STARTS = range(2, 20, 3)
# PLB: provider, fiscal period, then up to six (reason:reference, amount) pairs in PLB03..PLB14.
PLB_PAIR_STARTS = range(3, 15, 2)
# Remark codes: MOA03..MOA07 (professional), MIA05 and MIA20..MIA23 (institutional).
MOA_REMARKS = range(3, 8)
MIA_REMARKS = (5, 20, 21, 22, 23)


def adjustments(segment: Segment) -> list[Adjustment]:
    group = segment[1]
    found = []
    for start in CAS_TRIPLET_STARTS:
        reason = segment[start]
        if not reason:
            break
        found.append(
            Adjustment(group, reason, amount(segment, start + 1), optional_amount(segment, start + 2))
        )
    if not found:
        raise X12SyntaxError("CAS has no reason code", segment.index)
    return found


class _OpenLine:
    __slots__ = ("adjustments", "control_number", "remarks", "service_date", "svc")

    def __init__(self, svc: Segment) -> None:
        self.svc = svc
        self.adjustments: list[Adjustment] = []
        self.remarks: list[str] = []
        self.control_number = ""
        self.service_date = ""

    def close(self) -> RemitServiceLine:
        svc = self.svc
        parts = svc.components(1)
        return RemitServiceLine(
            qualifier=parts[0],
            procedure=parts[1] if len(parts) > 1 else "",
            modifiers=tuple(m for m in parts[2:6] if m),
            charge=amount(svc, 2),
            paid=amount(svc, 3),
            units=optional_amount(svc, 5),
            control_number=self.control_number,
            service_date=self.service_date,
            adjustments=tuple(self.adjustments),
            remarks=tuple(self.remarks),
            segment_index=svc.index,
        )


class _OpenClaim:
    __slots__ = ("adjustments", "clp", "lines", "remarks")

    def __init__(self, clp: Segment) -> None:
        self.clp = clp
        self.adjustments: list[Adjustment] = []
        self.lines: list[_OpenLine] = []
        self.remarks: list[str] = []

    def close(self) -> RemitClaim:
        clp = self.clp
        if not clp[1]:
            raise X12SyntaxError("CLP01 (patient control number) is empty", clp.index)
        return RemitClaim(
            patient_control_number=clp[1],
            status_code=clp[2],
            charge=amount(clp, 3),
            paid=amount(clp, 4),
            patient_responsibility=optional_amount(clp, 5),
            filing_indicator=clp[6],
            payer_claim_control_number=clp[7],
            adjustments=tuple(self.adjustments),
            service_lines=tuple(line.close() for line in self.lines),
            remarks=tuple(self.remarks),
            segment_index=clp.index,
        )


class RemittanceParser(TransactionParser):
    def __init__(self, envelope: Envelope) -> None:
        super().__init__(envelope)
        self._bpr: Segment | None = None
        self._trn: Segment | None = None
        self._payer_name = ""
        self._claim: _OpenClaim | None = None
        self._paid_total = Decimal(0)
        self._plb: list[ProviderAdjustment] = []

    def feed(self, segment: Segment) -> None:
        sid = segment.id
        claim = self._claim
        if sid == "CAS":
            if claim is None:
                raise X12SyntaxError("CAS outside a claim (no CLP before it)", segment.index)
            target = claim.lines[-1].adjustments if claim.lines else claim.adjustments
            target.extend(adjustments(segment))
        elif sid == "SVC":
            if claim is None:
                raise X12SyntaxError("SVC outside a claim (no CLP before it)", segment.index)
            claim.lines.append(_OpenLine(segment))
        elif sid == "CLP":
            self._close_claim()
            self._claim = _OpenClaim(segment)
        elif claim is not None and claim.lines:
            self._line_detail(segment, claim.lines[-1])
        elif sid == "MOA" and claim is not None:
            claim.remarks.extend(segment[p] for p in MOA_REMARKS if segment[p])
        elif sid == "MIA" and claim is not None:
            claim.remarks.extend(segment[p] for p in MIA_REMARKS if segment[p])
        elif sid == "PLB":
            self._close_claim()
            self._provider_adjustments(segment)
        elif sid == "LX":
            self._close_claim()
        elif sid == "BPR":
            self._bpr = segment
        elif sid == "TRN":
            self._trn = segment
        elif sid == "N1" and segment[1] == "PR":
            self._payer_name = segment[2]

    @staticmethod
    def _line_detail(segment: Segment, line: _OpenLine) -> None:
        sid = segment.id
        if sid == "REF" and segment[1] == "6R":
            line.control_number = segment[2]
        elif sid == "DTM" and segment[1] in ("472", "150"):
            line.service_date = segment[2]
        elif sid == "LQ" and segment[1] == "HE":
            line.remarks.append(segment[2])

    def _close_claim(self) -> None:
        open_claim = self._claim
        if open_claim is None:
            return
        self._claim = None
        claim = open_claim.close()
        self._paid_total += claim.paid
        self.ready.append(claim)
        self.ready.extend(claim_findings(claim, self.envelope.control_number))

    def _provider_adjustments(self, segment: Segment) -> None:
        for start in PLB_PAIR_STARTS:
            if not segment[start]:
                break
            self._plb.append(
                ProviderAdjustment(
                    provider=segment[1],
                    fiscal_period=segment[2],
                    reason=segment.component(start, 1),
                    reference=segment.component(start, 2),
                    amount=amount(segment, start + 1),
                    segment_index=segment.index,
                )
            )

    def finish(self) -> Remittance:
        self._close_claim()
        bpr, trn = self._bpr, self._trn
        if bpr is None:
            raise X12SyntaxError("835 has no BPR (financial information)", self.envelope.segment_index)
        payment = Payment(
            amount=amount(bpr, 2),
            credit_debit=bpr[3],
            method=bpr[4],
            date=bpr[16],
            trace_number=trn[2] if trn is not None else "",
            payer_id=trn[3] if trn is not None else "",
            payer_name=self._payer_name,
        )
        self.ready.extend(payment_findings(payment, self._paid_total, self._plb, self.envelope))
        return Remittance(payment=payment, claims=(), provider_adjustments=tuple(self._plb))
