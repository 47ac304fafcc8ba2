"""Remittance Advice Remark Codes (code source 411) seen in pain-management remits.

Source: the RARC list maintained by CMS for X12 (x12.org/codes, remittance advice remark
codes).  pyx12 4.0.0 ships the codes (codes.xml ``remark_code``) without descriptions; this
is our own short wording of the ones we meet, the rest show as "RARC xx".
"""

from __future__ import annotations

RARC: dict[str, str] = {
    "M15": "separately billed services/tests have been bundled as they are considered components of the same procedure",
    "M20": "missing/incomplete/invalid HCPCS",
    "M51": "missing/incomplete/invalid procedure code(s)",
    "M76": "missing/incomplete/invalid diagnosis or condition",
    "M80": "not covered when performed during the same session/date as a previously processed service",
    "M86": "service denied because payment already made for same/similar procedure within set time frame",
    "MA01": "you may appeal this decision",
    "MA02": "if you do not agree with this determination, you have the right to appeal",
    "MA04": "secondary payment cannot be considered without the identity of or payment information from the primary payer",
    "MA130": "claim contains incomplete and/or invalid information; no appeal rights, submit a corrected claim",
    "N14": "payment based on a contractual amount or agreement, fee schedule, or maximum allowable amount",
    "N20": "service not payable with other service rendered on the same date",
    "N115": "decision based on a Local Coverage Determination (LCD)",
    "N130": "consult plan benefit documents/guidelines for information about restrictions for this service",
    "N290": "missing/incomplete/invalid rendering provider primary identifier",
    "N362": "the number of days or units of service exceeds our acceptable maximum",
    "N386": "decision based on a National Coverage Determination (NCD)",
    "N432": "adjustment based on a recovery audit",
    "N522": "duplicate of a claim processed, or to be processed, as a crossover claim",
    "N657": "this should be billed with the appropriate code for these services",
}
