"""835 005010X221A1: one transaction set per payer and payee (pure: paid claims in, text out).

Layout::

    BPR  I (remittance and payment) by ACH, or H (notification only, NON) when nothing is paid
    TRN*1 EFT trace, 1 + payer EIN   DTM*405 production date
    1000A N1*PR payer, N3/N4, PER*BL    1000B N1*PE payee (NPI)
    LX   CLP CAS(claim level) NM1*QC   SVC DTM*472 CAS(line) REF*6R AMT*B6 LQ*HE  ... per line
    PLB  now and then (``provider_adjustment``): a recovery (WO), or interest (L6, negative)

BPR02 = sum of CLP04 - sum of PLB amounts; each claim and line balances (``adjudication``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gateway.simulator.adjudication import ZERO, Adjustment, PaidClaim, PaidLine
from gateway.simulator.policy import ProviderAdjustmentRule
from gateway.x12 import envelope
from gateway.x12.writer import SegmentWriter

IMPLEMENTATION = "005010X221A1"
FUNCTIONAL_ID = "HP"
# CLP06 has its own code list: a commercial claim (837 SBR09 CI) is remitted as a PPO claim (12).
_CLP06 = {"CI": "12", "BL": "12", "HM": "HM", "MA": "MA", "MB": "MB", "MC": "MC", "CH": "CH", "VA": "VA"}
_PAYER_ADDRESS = ("PO BOX 1000", "FARGO", "ND", "58102")
_PAYER_CONTACT = ("EDI SUPPORT", "8005550199")


@dataclass(frozen=True)
class ProviderAdjustment:
    reason: str
    reference: str
    amount: Decimal  # positive reduces the payment, negative (interest) adds to it


def money(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.01")), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("", "-0") else text


def provider_adjustment(
    rule: ProviderAdjustmentRule, paid_total: Decimal, reference: str
) -> ProviderAdjustment:
    """A recovery when the payments cover it, else interest paid (so BPR02 never goes negative)."""
    if paid_total >= rule.amount:
        return ProviderAdjustment(rule.reason, reference, rule.amount)
    return ProviderAdjustment("L6", reference, -rule.interest)


def _cas(w: SegmentWriter, adjustments: Sequence[Adjustment]) -> None:
    """One CAS per group, up to six reason/amount pairs each (quantity left empty)."""
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            elements: list[str] = []
            for item in items[start : start + 6]:
                elements += [item.reason, money(item.amount), ""]
            w.segment("CAS", group, *elements)


def _line(w: SegmentWriter, paid: PaidLine) -> None:
    line = paid.line
    w.segment("SVC", ("HC", line.procedure, *line.modifiers), money(line.charge), money(paid.paid), "",
              format(line.units.normalize(), "f"))  # fmt: skip
    if line.service_date:
        w.segment("DTM", "472", line.service_date)
    _cas(w, paid.adjustments)
    if line.control_number:
        w.segment("REF", "6R", line.control_number)
    if paid.allowed is not None:
        w.segment("AMT", "B6", money(paid.allowed))
    if paid.remark:
        w.segment("LQ", "HE", paid.remark)


def _claim(w: SegmentWriter, paid: PaidClaim) -> None:
    claim = paid.claim
    w.segment(
        "CLP", claim.patient_control_number, paid.status, money(claim.charge), money(paid.paid),
        money(paid.patient_responsibility) if paid.patient_responsibility else "",
        _CLP06.get(claim.filing_indicator, "ZZ"), paid.payer_claim_number, claim.facility_code,
        claim.frequency_code,
    )  # fmt: skip
    _cas(w, paid.adjustments)
    w.segment("NM1", "QC", "1", claim.patient_last_name or "UNKNOWN", claim.patient_first_name, "", "", "",
              "MI" if claim.member_id else "", claim.member_id)  # fmt: skip
    for line in paid.lines:
        _line(w, line)


def build_835(
    claims: Sequence[PaidClaim],
    adjustments: Sequence[ProviderAdjustment],
    st02: str,
    trace_number: str,
    payer_tax_id: str,
    when: dt.datetime,
) -> str:
    """One 835 (ST..SE) for claims of one payer and one payee (the first claim names both)."""
    first = claims[0].claim
    paid_total = sum((c.paid for c in claims), ZERO)
    amount = paid_total - sum((a.amount for a in adjustments), ZERO)
    day = when.strftime("%Y%m%d")
    originator = f"1{payer_tax_id}"
    w = SegmentWriter()
    w.transaction_segment_count = 0
    w.segment("ST", "835", st02)  # the 835 TR3 marks ST03 "not used"
    if amount > 0:
        w.segment("BPR", "I", money(amount), "C", "ACH", "CCP", "01", "011000015", "DA", "1234567890",
                  originator, "", "01", "021000021", "DA", "9876543210", day)  # fmt: skip
    else:
        w.segment("BPR", "H", money(amount), "C", "NON", "", "", "", "", "", "", "", "", "", "", "", day)
    w.segment("TRN", "1", trace_number, originator)
    w.segment("DTM", "405", day)
    w.segment("N1", "PR", first.payer_name or "PAYER")
    w.segment("N3", _PAYER_ADDRESS[0])
    w.segment("N4", *_PAYER_ADDRESS[1:])
    w.segment("PER", "BL", _PAYER_CONTACT[0], "TE", _PAYER_CONTACT[1])
    w.segment("N1", "PE", first.provider_name or "PAYEE", "XX", first.provider_npi or "0000000000")
    w.segment("LX", "1")
    for claim in claims:
        _claim(w, claim)
    for adjustment in adjustments:
        w.segment("PLB", first.provider_npi or "0000000000", f"{when.year}1231",
                  (adjustment.reason, adjustment.reference), money(adjustment.amount))  # fmt: skip
    envelope.close_transaction(w, st02)
    return w.text()
