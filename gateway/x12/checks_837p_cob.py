"""Our checks on the 837P coordination-of-benefits loops (2320/2330B/2430): balancing and links.

005010X222A1's COB balancing, per earlier payer of a claim:
* line: SVD02 + the sum of that 2430's CAS amounts = the line's SV102;
* claim: AMT*D + the sum of the 2320 CAS amounts + the sum of that payer's 2430 CAS amounts =
  the SV102 of the lines that payer adjudicated (CLM02 when it answered every line, or when it
  answered at claim level only);
* SVD01 names a payer of one of the claim's 2330B loops.

Fed segment by segment from ``gateway.x12.checks_837p`` (one pass over the file); positions in
the messages are the segment numbers the reader gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gateway.x12.gate import GateIssue
from gateway.x12.reader import Segment
from gateway.x12.values import ZERO, decimal_or_zero


def _show(value: Decimal) -> str:
    """An amount as X12 writes it (1650, 8.4), whatever the additions left in its exponent."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cas_total(seg: Segment) -> Decimal:
    return sum((decimal_or_zero(seg[position]) for position in range(3, 19, 3) if seg[position]), ZERO)


@dataclass
class _OtherPayer:
    sbr: Segment
    payer_id: str = ""
    paid: Decimal | None = None  # AMT*D
    claim_adjustments: Decimal = ZERO
    line_adjustments: Decimal = ZERO
    adjudicated_charges: Decimal = ZERO
    lines: int = 0


@dataclass
class _Line:
    charge: Decimal
    svd: Segment | None = None
    svd_payer: str = ""
    adjustments: Decimal = ZERO


@dataclass
class CobChecker:
    """Collects one claim's COB loops; ``close`` returns the claim's findings."""

    pcn: str
    clm: Segment
    charge: Decimal
    payers: list[_OtherPayer] = field(default_factory=list)
    line: _Line | None = None
    in_2430 = False
    issues: list[GateIssue] = field(default_factory=list)

    def feed(self, seg: Segment) -> None:
        sid = seg.id
        if sid == "SBR":
            self.payers.append(_OtherPayer(seg))
        elif sid == "LX":
            self._close_line()
            self.in_2430 = False
        elif sid == "SV1":
            self.line = _Line(decimal_or_zero(seg[2]))
        elif sid == "SVD" and self.line is not None:
            self._close_line()
            self.line = _Line(self.line.charge, seg, seg[1])
            self.in_2430 = True
        elif sid == "CAS" and self.in_2430 and self.line is not None:
            self.line.adjustments += _cas_total(seg)
        elif sid == "CAS" and self.payers and self.line is None:
            self.payers[-1].claim_adjustments += _cas_total(seg)
        elif sid == "AMT" and seg[1] == "D" and self.payers and self.line is None:
            self.payers[-1].paid = decimal_or_zero(seg[2])
        elif sid == "NM1" and seg[1] == "PR" and self.payers and self.line is None:
            self.payers[-1].payer_id = seg[9]

    def _close_line(self) -> None:
        line = self.line
        if line is None or line.svd is None:
            return
        svd = line.svd
        paid = decimal_or_zero(svd[2])
        where = f"claim {self.pcn}"
        if paid + line.adjustments != line.charge:
            self.issues.append(
                GateIssue(
                    "check",
                    "COB",
                    f"{where}: 2430 of payer {line.svd_payer}: SVD02 {_show(paid)} + CAS {_show(line.adjustments)} "
                    f"= {_show(paid + line.adjustments)}, not the line's SV102 {_show(line.charge)}",
                    svd.index,
                    "SVD",
                    None,
                    "SVD02",
                )
            )
        payer = next((p for p in self.payers if p.payer_id == line.svd_payer), None)
        if payer is None:
            self.issues.append(
                GateIssue(
                    "check", "COB", f"{where}: SVD01 {line.svd_payer} is not a 2330B payer of the claim",
                    svd.index, "SVD", None, "SVD01",
                )
            )  # fmt: skip
        else:
            payer.line_adjustments += line.adjustments
            payer.adjudicated_charges += line.charge
            payer.lines += 1
        line.svd, line.adjustments = None, ZERO

    def close(self) -> list[GateIssue]:
        self._close_line()
        for payer in self.payers:
            if payer.paid is None:
                continue  # a payer still to come: nothing to balance
            expected = payer.adjudicated_charges if payer.lines else self.charge
            total = payer.paid + payer.claim_adjustments + payer.line_adjustments
            if total != expected:
                self.issues.append(
                    GateIssue(
                        "check",
                        "COB",
                        f"claim {self.pcn}: payer {payer.payer_id}: AMT*D {_show(payer.paid)} + 2320 CAS "
                        f"{_show(payer.claim_adjustments)} + 2430 CAS {_show(payer.line_adjustments)} = "
                        f"{_show(total)}, not the {_show(expected)} charged on the lines it adjudicated",
                        payer.sbr.index,
                        "SBR",
                        None,
                        "AMT02",
                    )
                )
        return self.issues
