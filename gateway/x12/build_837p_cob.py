"""837P coordination of benefits: loops 2320/2330A/2330B (per other payer) and 2430 (per line).

Called by ``build_837p`` only for claims that name other coverage, so a claim to a single payer
renders exactly as before.  Segment order and codes follow 005010X222A1 as pyx12's map lists
them: 2320 SBR, CAS (up to 5), AMT*D, AMT*EAF, OI; 2330A NM1*IL, N3, N4; 2330B NM1*PR, DTP*573,
REF*F8; and under each 2400, after the 2410 drug loop, 2430 SVD, CAS (up to 5), DTP*573.

Situational rules applied (the IG's notes, paraphrased):
* 2320 CAS/AMT*D and the 2430 loops are sent only for a payer that has adjudicated the claim
  (its ``adjudication``); a payer still to come gets SBR, OI and its names only.
* AMT*EAF (remaining patient liability) is sent when the earlier payer reported one.
* 2330B DTP*573 (claim-level adjudication date) only when no 2430 DTP*573 carries it, i.e. the
  earlier payer answered at claim level only.
* SVD01 is the 2330B payer identifier of the payer whose adjudication it reports.

The balancing rules (claim: AMT*D + 2320 CAS + that payer's 2430 CAS = the adjudicated lines'
SV102; line: SVD02 + 2430 CAS = SV102) are checked by ``gateway.x12.checks_837p``; the builder
writes what the payer sent, so a remit that did not balance shows up as a gate finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from gateway.domain.claim import AdjustmentAmount, Claim, OtherCoverage, Person
from gateway.errors import X12SyntaxError
from gateway.x12.writer import SegmentSink

MAX_CAS_SEGMENTS = 5  # per 2320 and per 2430 loop
TRIPLETS_PER_CAS = 6


def _d8(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _decimal(value: object) -> str:
    # The same 'R' rendering as build_837p.x12_decimal (imported lazily there would be circular).
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def cas_segments(writer: SegmentSink, adjustments: Sequence[AdjustmentAmount], loop: str) -> None:
    """One CAS per group code (six triplets each, more CAS when a group has more reasons)."""
    by_group: dict[str, list[AdjustmentAmount]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    rows: list[tuple[str, list[AdjustmentAmount]]] = []
    for group, items in by_group.items():
        for start in range(0, len(items), TRIPLETS_PER_CAS):
            rows.append((group, items[start : start + TRIPLETS_PER_CAS]))
    if len(rows) > MAX_CAS_SEGMENTS:
        raise X12SyntaxError(
            f"loop {loop}: {len(adjustments)} adjustments need {len(rows)} CAS segments, the IG allows 5"
        )
    for group, items in rows:
        elements: list[str] = [group]
        for item in items:
            quantity = _decimal(item.quantity) if item.quantity is not None else ""
            elements += [item.reason, _decimal(item.amount), quantity]
        writer.segment("CAS", *elements)


def _patient_person(claim: Claim) -> Person:
    return claim.patient.person if claim.patient is not None else claim.subscriber.person


def other_payer_loops(writer: SegmentSink, claim: Claim) -> None:
    """Loop 2320 with its 2330A and 2330B, once per other payer, in the claim's order."""
    seg = writer.segment
    for number, other in enumerate(claim.other_coverage):
        seg(
            "SBR",
            claim.responsibility_of(number),
            other.relationship.value,
            other.group_number or "",
            "",
            "",
            "",
            "",
            "",
            other.claim_filing_indicator.value,
        )
        adjudication = other.adjudication
        if adjudication is not None:
            cas_segments(writer, adjudication.claim_adjustments, f"2320 of payer {other.payer.payer_id}")
            seg("AMT", "D", _decimal(adjudication.paid))
            if adjudication.patient_responsibility is not None:
                seg("AMT", "EAF", _decimal(adjudication.patient_responsibility))
        seg("OI", "", "", "Y" if claim.benefits_assigned else "N", "", "", claim.release_of_information)
        _other_subscriber(writer, other, claim)
        seg("NM1", "PR", "2", other.payer.name, "", "", "", "", "PI", other.payer.payer_id)
        if adjudication is not None and not adjudication.lines:
            seg("DTP", "573", "D8", _d8(adjudication.adjudication_date))
        if adjudication is not None and adjudication.payer_claim_number:
            seg("REF", "F8", adjudication.payer_claim_number)


def _other_subscriber(writer: SegmentSink, other: OtherCoverage, claim: Claim) -> None:
    person = other.subscriber or _patient_person(claim)
    writer.segment(
        "NM1",
        "IL",
        "1",
        person.last_name,
        person.first_name or "",
        person.middle_name or "",
        "",
        person.suffix or "",
        "MI",
        other.member_id,
    )
    address = person.address
    writer.segment("N3", address.line1, address.line2 or "")
    writer.segment("N4", address.city, address.state, address.postal_code)


def line_adjudication_loops(writer: SegmentSink, claim: Claim, line_number: int) -> None:
    """Loop 2430 of service line ``line_number``: one per earlier payer that answered it."""
    for other in claim.other_coverage:
        adjudication = other.adjudication
        if adjudication is None:
            continue
        for line in adjudication.lines:
            if line.line_number != line_number:
                continue
            writer.composite(
                "SVD",
                other.payer.payer_id,
                _decimal(line.paid),
                ("HC", line.procedure_code, *line.modifiers),
                "",
                _decimal(line.paid_units),
            )
            cas_segments(
                writer, line.adjustments, f"2430 of line {line_number}, payer {other.payer.payer_id}"
            )
            writer.segment("DTP", "573", "D8", _d8(adjudication.adjudication_date))
