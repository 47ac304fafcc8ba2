"""835 (005010X221A1) remittance: payment, claims with every CAS triplet, service lines, PLB.

The claim being assembled is kept as its raw segments and turned into records at the next
CLP, LX, PLB or SE, so a remittance of any size is read in flat memory.  CAS before the first
SVC of a claim belongs to the claim (2100), after it to the current service line (2110).
Reversals (CLP02 = 22) and recoupments arrive as negative amounts and are kept as sent.

``run`` is the hot path of inbound processing (benchmarks/bench_parse_835.py): one loop with
local variables and raw element access.  Amounts are converted with ``Decimal`` directly; a
value that is not a number raises ``InvalidOperation`` and the slow path names the segment
(a literal ``NaN`` is not an error here but fails the claim's balancing check).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.errors import X12SyntaxError
from gateway.inbound.balancing import claim_findings, payment_findings
from gateway.inbound.base import ENVELOPE_SEGMENTS, Item, RunResult, TransactionParser
from gateway.inbound.records import (
    Adjustment,
    Envelope,
    Payment,
    ProviderAdjustment,
    RemitClaim,
    RemitServiceLine,
    Remittance,
)
from gateway.x12.reader import Segment
from gateway.x12.values import amount

# CAS: group, then up to six (reason, amount, quantity) triplets in CAS02..CAS19.
CAS_TRIPLET_STARTS = (2, 5, 8, 11, 14, 17)
# PLB: provider, fiscal period, then up to six (reason:reference, amount) pairs in PLB03..PLB14.
PLB_PAIR_STARTS = range(3, 15, 2)
# Remark codes: MOA03..MOA07 (professional), MIA05 and MIA20..MIA23 (institutional).
MOA_REMARKS = range(3, 8)
MIA_REMARKS = (5, 20, 21, 22, 23)
ZERO = Decimal(0)
# tuple.__new__ builds a NamedTuple without the Python-level __new__ frame (the hot path).
_new = tuple.__new__


# One 2110 service line while its claim is open, as a list because the hot loop creates 25,000
# of them per 10,000 claims and a list is several times cheaper than an object:
# [SVC segment, its CAS segments, REF*6R value, DTM*472/150 value, LQ*HE remark codes (a tuple:
# rare, so none is made for the usual line)].
_Line = list[Any]
SVC, CAS, CONTROL_NUMBER, SERVICE_DATE, REMARKS = range(5)
NO_STRINGS: tuple[str, ...] = ()


class _DecimalCache(dict[str, Decimal]):
    """Amount text -> Decimal.  Amount strings repeat a great deal in remits (fee-schedule
    charges and payments per CPT, units "1", zeros) and a dict hit costs a fraction of parsing a
    Decimal; the cache is bounded and Decimals are immutable, so sharing them is safe.  A miss
    parses (``InvalidOperation`` for a value that is not a number, never cached)."""

    def __missing__(self, text: str) -> Decimal:
        value = Decimal(text)
        if len(self) < _DECIMAL_CACHE_SIZE:
            self[text] = value
        return value


_DECIMAL_CACHE_SIZE = 8192
_DECIMALS = _DecimalCache()
_decimal = _DECIMALS.__getitem__


def adjustments(cas_segments: list[Segment]) -> tuple[tuple[Adjustment, ...], Decimal]:
    """Every (group, reason, amount, quantity) triplet of these CAS segments, and their sum
    (added in order from zero, as ``balancing.claim_findings`` adds them)."""
    found: list[Adjustment] = []
    total = ZERO
    for segment in cas_segments:
        elements = segment.elements
        if len(elements) == 4 and elements[2] and elements[3]:  # the usual CAS: one triplet
            value = _decimal(elements[3])
            found.append(_new(Adjustment, (elements[1], elements[2], value, None)))
            total += value
        else:
            for adjustment in _all_triplets(segment):
                found.append(adjustment)
                total += adjustment.amount
    return tuple(found), total


def _all_triplets(segment: Segment) -> list[Adjustment]:
    elements = segment.elements
    size = len(elements)
    if size < 4 or not elements[2] or not elements[3]:
        raise X12SyntaxError("CAS needs a group, a reason code and an amount", segment.index)
    found = []
    for start in CAS_TRIPLET_STARTS:
        if start >= size:
            break
        if not elements[start]:
            continue  # an empty triplet between filled ones: read the ones after it, lose nothing
        text = elements[start + 1] if start + 1 < size else ""
        if not text:
            raise X12SyntaxError(
                f"CAS{start + 1:02d} is required when CAS{start:02d} has a reason code", segment.index
            )
        quantity = elements[start + 2] if start + 2 < size else ""
        found.append(
            Adjustment(
                elements[1],
                elements[start],
                _decimal(text),
                _decimal(quantity) if quantity else None,
            )
        )
    return found


def build_claim(
    clp: Segment, cas: list[Segment], lines: list[_Line], remarks: tuple[str, ...], crossover: str = ""
) -> tuple[RemitClaim, bool]:
    """The claim and whether it balances (lines and claim, TR3 1.10.2).

    The check is made here, where every amount is at hand, so that ``balancing.claim_findings``
    (which says what does not balance) runs only for the claims that need it; it uses the same
    expressions, adding in the same order.
    """
    elements = clp.elements
    size = len(elements)
    if size < 5 or not elements[1]:
        raise X12SyntaxError("CLP needs a patient control number, status, charge and payment", clp.index)
    component = clp.delimiters.component
    try:
        built = []
        line_totals = []
        balanced = True
        for svc, line_cas, control_number, service_date, line_remarks in lines:
            line = svc.elements
            width = len(line)
            if width < 4:
                raise X12SyntaxError("SVC needs a procedure, a charge and a payment", svc.index)
            charge, paid = _decimal(line[2]), _decimal(line[3])
            units = line[5] if width > 5 else ""
            paid_units = _decimal(units) if units else None
            line_adjustments, line_total = adjustments(line_cas) if line_cas else ((), ZERO)
            if charge - paid != line_total:
                balanced = False
            line_totals.append(line_total)
            parts = line[1].split(component)
            count = len(parts)
            if count < 3:
                modifiers = NO_STRINGS
            elif count == 3 and parts[2]:  # the usual procedure with one modifier
                modifiers = (parts[2],)
            else:  # SVC01-3..SVC01-6, the empty ones left out
                modifiers = tuple(filter(None, parts[2:6]))
            built.append(
                _new(
                    RemitServiceLine,
                    (
                        parts[0],
                        parts[1] if count > 1 else "",
                        modifiers,
                        charge,
                        paid,
                        paid_units,
                        control_number,
                        service_date,
                        line_adjustments,
                        line_remarks,
                        svc.index,
                    ),
                )
            )
        responsibility = elements[5] if size > 5 else ""
        charge, paid = Decimal(elements[3]), Decimal(elements[4])
        patient_responsibility = Decimal(responsibility) if responsibility else None
        claim_adjustments, total = adjustments(cas) if cas else ((), ZERO)
        for line_total in line_totals:
            total += line_total
        claim = _new(
            RemitClaim,
            (
                elements[1],
                elements[2],
                charge,
                paid,
                patient_responsibility,
                elements[6] if size > 6 else "",
                elements[7] if size > 7 else "",
                claim_adjustments,
                tuple(built),
                remarks,
                clp.index,
                crossover,
            ),
        )
        return claim, balanced and charge - paid == total
    except InvalidOperation:
        raise X12SyntaxError(_bad_number(clp, cas, lines), clp.index) from None


def _bad_number(clp: Segment, cas: list[Segment], lines: list[_Line]) -> str:
    """Name the segment whose amount is not a number (the slow path, errors only)."""
    for segment in [clp, *cas, *(s for line in lines for s in (line[SVC], *line[CAS]))]:
        for position, text in enumerate(segment.elements):
            if segment.id == "CLP" and position not in (3, 4, 5):
                continue
            if segment.id == "SVC" and position not in (2, 3, 5):
                continue
            if segment.id == "CAS" and (position < 3 or position % 3 == 2):
                continue
            try:
                Decimal(text or "0")
            except InvalidOperation:
                return f"{segment.id}{position:02d} at segment {segment.index} is not a number"
    return "an amount of this claim is not a number"


class RemittanceParser(TransactionParser):
    def feed(self, segment: Segment) -> None:  # pragma: no cover - ``run`` is overridden
        raise NotImplementedError

    def __init__(self, envelope: Envelope) -> None:
        super().__init__(envelope)
        self._bpr: Segment | None = None
        self._trn: Segment | None = None
        self._payer_name = ""
        self._payer_id = ""  # N1*PR N104
        self._payer_ref = ""  # REF*2U
        self._payee_npi = ""
        self._paid_total = ZERO
        self._plb: list[ProviderAdjustment] = []

    def run(self, segments: Iterator[Segment]) -> RunResult:
        clp: Segment | None = None
        claim_cas: list[Segment] = []
        cas: list[Segment] | None = None  # where the next CAS goes: the claim's or the line's
        lines: list[_Line] = []
        line: _Line | None = None
        remarks = NO_STRINGS  # MOA/MIA remark codes of the open claim
        crossover = ""  # NM1*TT of the open claim
        stop: Segment | None = None
        for segment in segments:
            elements = segment.elements
            sid = elements[0]
            # Most frequent first (CAS, then the 2110 detail); elements are read directly, not
            # through Segment.__getitem__, and ids compared with == (no hash of a new string).
            if sid == "CAS":
                if cas is None:
                    raise X12SyntaxError("CAS outside a claim (no CLP before it)", segment.index)
                cas.append(segment)
            elif sid == "DTM":  # only a line's service date is kept (not DTM*050, DTM*405 ...)
                if line is not None and len(elements) > 1:
                    qualifier = elements[1]
                    if qualifier == "472" or qualifier == "150":
                        line[SERVICE_DATE] = elements[2] if len(elements) > 2 else ""
            elif sid == "REF":  # REF*6R of a line, REF*2U of the payer (1000A)
                qualifier = elements[1] if len(elements) > 1 else ""
                if line is not None:
                    if qualifier == "6R":
                        line[CONTROL_NUMBER] = elements[2] if len(elements) > 2 else ""
                elif clp is None and qualifier == "2U":
                    self._payer_ref = elements[2] if len(elements) > 2 else ""
            elif sid == "AMT" or sid == "QTY":
                continue  # 2100/2110 amounts and quantities are not kept
            elif sid == "SVC":
                if clp is None:
                    raise X12SyntaxError("SVC outside a claim (no CLP before it)", segment.index)
                line = [segment, [], "", "", NO_STRINGS]
                lines.append(line)
                cas = line[CAS]
            elif sid == "CLP" or sid == "LX" or sid == "PLB":
                if clp is not None:
                    yield from self._close_claim(clp, claim_cas, lines, remarks, crossover)
                clp = line = cas = None
                crossover = ""
                if sid == "CLP":
                    clp, claim_cas, lines, remarks = segment, [], [], NO_STRINGS
                    cas = claim_cas
                elif sid == "PLB":
                    self._provider_adjustments(segment)
            elif sid == "NM1":  # NM1*TT of a claim: the crossover payer (the patient's NM1*QC is not kept)
                if clp is not None and line is None and len(elements) > 1 and elements[1] == "TT":
                    crossover = elements[3] if len(elements) > 3 else ""
            elif sid == "LQ":
                # LQ*HE without its code (LQ02 is required) names no remark: nothing to keep.
                if line is not None and len(elements) > 2 and elements[1] == "HE" and elements[2]:
                    line[REMARKS] += (elements[2],)
            elif sid in ENVELOPE_SEGMENTS:
                stop = self.stop = segment
                break
            elif clp is not None:
                if line is None and sid == "MOA":
                    remarks += tuple(segment[p] for p in MOA_REMARKS if segment[p])
                elif line is None and sid == "MIA":
                    remarks += tuple(segment[p] for p in MIA_REMARKS if segment[p])
            elif sid == "BPR":
                self._bpr = segment
            elif sid == "TRN":
                self._trn = segment
            elif sid == "N1":
                self._party(segment)
        if clp is not None:
            yield from self._close_claim(clp, claim_cas, lines, remarks, crossover)
        return stop

    def _close_claim(
        self, clp: Segment, cas: list[Segment], lines: list[_Line], remarks: tuple[str, ...], crossover: str
    ) -> list[object]:
        """The claim's events: its Item, then its balancing findings (a list, not a generator:
        one is closed per claim and a list is cheaper to make and to ``yield from``)."""
        claim, balanced = build_claim(clp, cas, lines, remarks, crossover)
        self._paid_total += claim.paid
        events: list[object] = [_new(Item, (self.envelope, claim))]
        if not balanced:
            events += claim_findings(claim, self.envelope.control_number)
        return events

    def _party(self, segment: Segment) -> None:
        """1000A payer (N1*PR) and 1000B payee (N1*PE): names and the ids claims are matched by."""
        if segment[1] == "PR":
            self._payer_name, self._payer_id = segment[2], segment[4]
        elif segment[1] == "PE" and segment[3] == "XX":
            self._payee_npi = segment[4]

    def _provider_adjustments(self, segment: Segment) -> None:
        for start in PLB_PAIR_STARTS:
            if not segment[start]:
                if segment[start + 1]:
                    raise X12SyntaxError(
                        f"PLB{start:02d} is required when PLB{start + 1:02d} has an amount", segment.index
                    )
                continue  # an empty pair between filled ones: read the ones after it, lose no money
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
            payer_identifier=self._payer_ref or self._payer_id,
            payee_npi=self._payee_npi,
        )
        self.ready.extend(payment_findings(payment, self._paid_total, self._plb, self.envelope))
        return Remittance(payment=payment, claims=(), provider_adjustments=tuple(self._plb))
