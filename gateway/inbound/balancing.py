"""835 balancing (TR3 section 1.10.2): findings, never exceptions.

* service line: SVC02 - SVC03 = sum of the line's CAS amounts
* claim: CLP03 - CLP04 = sum of all CAS amounts of the claim and its lines (patient
  responsibility is in there as group PR); CLP05 = sum of the PR adjustments when both exist
* transaction: BPR02 = sum of CLP04 - sum of PLB amounts
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from gateway.inbound.records import Envelope, Finding, Payment, ProviderAdjustment, RemitClaim

BALANCING = "balancing"
PATIENT_RESPONSIBILITY_GROUP = "PR"


def claim_findings(claim: RemitClaim, control_number: str | None = None) -> list[Finding]:
    findings: list[Finding] = []
    where = f"claim {claim.patient_control_number}"
    for line in claim.service_lines:
        line_total = sum((a.amount for a in line.adjustments), Decimal(0))
        if line.charge - line.paid != line_total:
            findings.append(
                Finding(
                    BALANCING,
                    f"{where} line {line.procedure or '?'} (segment {line.segment_index}): charge "
                    f"{line.charge} - paid {line.paid} = {line.charge - line.paid}, "
                    f"adjustments sum to {line_total}",
                    line.segment_index,
                    control_number,
                )
            )
    everything = claim.all_adjustments()
    total = sum((a.amount for a in everything), Decimal(0))
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
    patient_share = [a.amount for a in everything if a.group == PATIENT_RESPONSIBILITY_GROUP]
    if claim.patient_responsibility is not None and patient_share:
        share = sum(patient_share, Decimal(0))
        if share != claim.patient_responsibility:
            findings.append(
                Finding(
                    BALANCING,
                    f"{where}: patient responsibility CLP05 {claim.patient_responsibility} but PR "
                    f"adjustments sum to {share}",
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
