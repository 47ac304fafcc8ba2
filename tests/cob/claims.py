"""Claim dicts for the COB tests: a Medicare primary answer, a supplement, a Medicaid third."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import example_claim_dicts

MEDICARE = {"name": "NORIDIAN JF PART B", "payer_id": "03102", "state": "AZ"}
SUPPLEMENT = {"name": "AARP MEDICARE SUPPLEMENT", "payer_id": "36273"}
MEDICAID = {"name": "AHCCCS ARIZONA MEDICAID", "payer_id": "AZM01"}

# Medicare's answer to the two-line facet claim (64493-50 1100.00, 64494-50 560.00): line 1 allowed
# 400 (CO-45 700, coinsurance PR-2 80, paid 320), line 2 paid zero (CO-45 360, deductible PR-1
# 200); at claim level sequestration CO-253 6.40 and an interest-style PI-94 2.00.
MEDICARE_ANSWER: dict[str, Any] = {
    "paid": "311.60",
    "patient_responsibility": "280.00",
    "adjudication_date": "2026-07-01",
    "payer_claim_number": "26182000123401",
    "claim_adjustments": [
        {"group": "CO", "reason": "253", "amount": "6.40"},
        {"group": "PI", "reason": "94", "amount": "2.00"},
    ],
    "lines": [
        {
            "line_number": 1, "procedure_code": "64493", "modifiers": ["50"], "paid": "320.00",
            "paid_units": "1",
            "adjustments": [
                {"group": "CO", "reason": "45", "amount": "700.00"},
                {"group": "PR", "reason": "2", "amount": "80.00"},
            ],
        },
        {
            "line_number": 2, "procedure_code": "64494", "modifiers": ["50"], "paid": "0",
            "paid_units": "1",
            "adjustments": [
                {"group": "CO", "reason": "45", "amount": "360.00"},
                {"group": "PR", "reason": "1", "amount": "200.00"},
            ],
        },
    ],
}  # fmt: skip

# The supplement pays the coinsurance and the deductible; the rest it adjusts as Medicare did.
SUPPLEMENT_ANSWER: dict[str, Any] = {
    "paid": "270.00",
    "patient_responsibility": "10.00",
    "adjudication_date": "2026-07-20",
    "payer_claim_number": "SUP778812",
    "lines": [
        {
            "line_number": 1, "procedure_code": "64493", "modifiers": ["50"], "paid": "80.00",
            "paid_units": "1", "adjustments": [{"group": "OA", "reason": "23", "amount": "1020.00"}],
        },
        {
            "line_number": 2, "procedure_code": "64494", "modifiers": ["50"], "paid": "190.00",
            "paid_units": "1",
            "adjustments": [
                {"group": "OA", "reason": "23", "amount": "360.00"},
                {"group": "PR", "reason": "3", "amount": "10.00"},
            ],
        },
    ],
}  # fmt: skip


def facet_claim() -> dict[str, Any]:
    claim = next(c for c in example_claim_dicts() if c["patient_control_number"] == "MBB2026061004")
    return copy.deepcopy(claim)


def coverage(payer: dict[str, str], member_id: str, indicator: str, **extra: Any) -> dict[str, Any]:
    return copy.deepcopy(
        {"payer": payer, "member_id": member_id, "claim_filing_indicator": indicator, **extra}
    )


def primary_with_other_coverage() -> dict[str, Any]:
    """The original claim to Medicare, naming the supplement and Medicaid that pay after it."""
    claim = facet_claim()
    claim["other_coverage"] = [
        coverage(SUPPLEMENT, "AARP55501", "CI"),
        coverage(MEDICAID, "AZ0099887", "MC"),
    ]
    return claim


def secondary_claim() -> dict[str, Any]:
    """The same services billed to the supplement, with Medicare's adjudication in 2320/2430."""
    claim = facet_claim()
    claim["subscriber"] = {
        **claim["subscriber"], "member_id": "AARP55501", "claim_filing_indicator": "CI",
        "payer_responsibility": "S",
    }  # fmt: skip
    claim["payer"] = SUPPLEMENT
    claim["other_coverage"] = [
        coverage(MEDICARE, "3GJ6VG7PM95", "MB", adjudication=MEDICARE_ANSWER),
        coverage(MEDICAID, "AZ0099887", "MC"),
    ]
    return claim


def tertiary_claim() -> dict[str, Any]:
    claim = facet_claim()
    claim["subscriber"] = {
        **claim["subscriber"], "member_id": "AZ0099887", "claim_filing_indicator": "MC",
        "payer_responsibility": "T",
    }  # fmt: skip
    claim["payer"] = MEDICAID
    claim["other_coverage"] = [
        coverage(MEDICARE, "3GJ6VG7PM95", "MB", adjudication=MEDICARE_ANSWER),
        coverage(SUPPLEMENT, "AARP55501", "CI", adjudication=SUPPLEMENT_ANSWER),
    ]
    return claim
