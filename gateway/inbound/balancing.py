"""835 balancing (TR3 section 1.10.2): findings, never exceptions.

* service line: SVC02 - SVC03 = sum of the line's CAS amounts
* claim: CLP03 - CLP04 = sum of all CAS amounts of the claim and its lines (patient
  responsibility is in there as group PR)
* transaction: BPR02 = sum of CLP04 - sum of PLB amounts
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from operator import attrgetter

from gateway.inbound.records import (
    Envelope,
    Finding,
    Payment,
    ProviderAdjustment,
    RemitClaim,
    RemitServiceLine,
)

BALANCING = "balancing"
ZERO = Decimal(0)
_amount = attrgetter("amount")


def claim_findings(claim: RemitClaim, control_number: str | None = None) -> list[Finding]:
    """Findings for one claim (none when it balances, the usual case, which is kept cheap)."""
    total = sum(map(_amount, claim.adjustments), ZERO)
    unbalanced_lines: list[tuple[RemitServiceLine, Decimal]] = []
    for line in claim.service_lines:
        line_total = sum(map(_amount, line.adjustments), ZERO)
        total += line_total
        if line.charge - line.paid != line_total:
            unbalanced_lines.append((line, line_total))
    if not unbalanced_lines and claim.charge - claim.paid == total:
        return []
    where = f"claim {claim.patient_control_number}"
    findings = [
        Finding(
            BALANCING,
            f"{where} line {line.procedure or '?'} (segment {line.segment_index}): charge {line.charge} - "
            f"paid {line.paid} = {line.charge - line.paid}, adjustments sum to {line_total}",
            line.segment_index,
            control_number,
        )
        for line, line_total in unbalanced_lines
    ]
    if claim.charge - claim.paid != total:
        findings.append(
            Finding(
                BALANCING,
                f"{where}: charge {claim.charge} - paid {claim.paid} = {claim.charge - claim.paid}, "
                f"adjustments sum to {total}",
                claim.segment_index,
                control_number,
            )
        )
    return findings


def payment_findings(
    payment: Payment,
    paid_total: Decimal,
    provider_adjustments: Sequence[ProviderAdjustment],
    envelope: Envelope,
) -> list[Finding]:
    plb_total = sum((p.amount for p in provider_adjustments), Decimal(0))
    expected = paid_total - plb_total
    if payment.amount == expected:
        return []
    return [
        Finding(
            BALANCING,
            f"835 {envelope.control_number}: BPR02 {payment.amount} but claims paid {paid_total} "
            f"- provider adjustments {plb_total} = {expected}",
            envelope.segment_index,
            envelope.control_number,
        )
    ]
