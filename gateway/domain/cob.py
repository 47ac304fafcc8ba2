"""Coordination of benefits: the claim for the next payer, from the claim and its payer's 835.

Pure functions (no I/O).  ``RemitAnswer`` is one 835 claim as the ledger keeps it (CLP, claim
and line CAS, SVC, BPR16 date, NM1*TT); ``next_payer_claim`` turns the claim that payer answered
into the claim for the next payer in the patient's order of coverage:

* the next payer is the first other coverage, by SBR01 letter, after the answered one that has
  no adjudication yet; its member id, filing indicator and holder become 2000B (and 2000C when
  the patient is not the holder);
* the answered payer becomes an other coverage carrying its adjudication (2320 CAS, AMT*D,
  AMT*EAF, 2330B REF*F8, one 2430 per answered line); earlier payers keep theirs, so a tertiary
  claim carries both;
* the prior authorization (REF*G1) was the answered payer's, so it is not sent to the next one.

What stops it is an ``InputError`` with the reason: the payer forwarded the claim itself
(crossover, CLP02 19/20/21), no coverage is left, an 835 line matches no line of the claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.domain import codes
from gateway.domain.claim import (
    RESPONSIBILITY_ORDER,
    AdjustmentAmount,
    Claim,
    LineAdjudication,
    OtherCoverage,
    Patient,
    PriorAdjudication,
    ServiceLine,
    Subscriber,
)
from gateway.errors import InputError

# CLP02: the payer processed the claim as primary / secondary / tertiary ...
PROCESSED = frozenset({"1", "2", "3"})
# ... or processed it and forwarded it to the next payer itself (crossover).
FORWARDED = frozenset({"19", "20", "21"})
DENIED, REVERSAL = "4", "22"


@dataclass(frozen=True)
class RemitLine:
    procedure: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal | None
    control_number: str
    adjustments: tuple[AdjustmentAmount, ...]
    remarks: tuple[str, ...] = ()  # LQ*HE RARCs


@dataclass(frozen=True)
class RemitAnswer:
    status_code: str
    payer_id: str
    payer_name: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    payer_claim_number: str
    payment_date: dt.date
    crossover_payer: str
    adjustments: tuple[AdjustmentAmount, ...]
    lines: tuple[RemitLine, ...]
    remarks: tuple[str, ...] = ()  # MOA RARCs


def _money(value: object) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _adjustments(items: list[dict[str, Any]]) -> tuple[AdjustmentAmount, ...]:
    return tuple(
        AdjustmentAmount(
            group=item["group"], reason=item["reason"], amount=Decimal(item["amount"]),
            quantity=_money(item.get("quantity")),
        )
        for item in items
    )  # fmt: skip


def answer_from_ledger(detail: dict[str, Any], recorded: dt.date) -> RemitAnswer:
    """The 835 claim event's detail (gateway.inbound.ledger_entries.remit_entry) as an answer.

    ``recorded`` stands in for the payment date of events written before it was kept.
    """
    text = str(detail.get("payment_date") or "")
    paid_on = dt.datetime.strptime(text, "%Y%m%d").date() if len(text) == 8 and text.isdigit() else recorded
    return RemitAnswer(
        status_code=str(detail.get("status_code", "")),
        payer_id=str(detail.get("payer_id", "")),
        payer_name=str(detail.get("payer_name", "")),
        charge=_money(detail.get("charge")) or Decimal(0),
        paid=_money(detail.get("paid")) or Decimal(0),
        patient_responsibility=_money(detail.get("patient_responsibility")),
        payer_claim_number=str(detail.get("payer_claim_control_number") or ""),
        payment_date=paid_on,
        crossover_payer=str(detail.get("crossover_payer") or ""),
        adjustments=_adjustments(detail.get("adjustments", [])),
        lines=tuple(
            RemitLine(
                procedure=str(line.get("procedure", "")),
                modifiers=tuple(line.get("modifiers", [])),
                charge=_money(line.get("charge")) or Decimal(0),
                paid=_money(line.get("paid")) or Decimal(0),
                units=_money(line.get("units")),
                control_number=str(line.get("control_number") or ""),
                adjustments=_adjustments(line.get("adjustments", [])),
                remarks=_remarks(line),
            )
            for line in detail.get("service_lines", [])
        ),
        remarks=_remarks(detail),
    )


def _remarks(detail: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(item.get("code", "")) for item in detail.get("remarks", []) if item.get("code"))


def _match_lines(claim: Claim, answer: RemitAnswer) -> list[tuple[int, RemitLine]]:
    """(our line number, 835 line): by REF*6R, else same code, modifiers and charge, else same code."""
    free = dict(enumerate(claim.service_lines, start=1))
    matched: list[tuple[int, RemitLine]] = []
    for position, line in enumerate(answer.lines, start=1):
        number = next(
            (n for level in range(3) for n, ours in free.items() if _matches(ours, line, level)),
            None,
        )
        if number is None:
            raise InputError(
                f"claim {claim.patient_control_number}: 835 service line {position} ({line.procedure}) "
                "matches none of the claim's lines"
            )
        matched.append((number, line))
        del free[number]
    return sorted(matched, key=lambda pair: pair[0])


def _matches(ours: ServiceLine, line: RemitLine, level: int) -> bool:
    if level == 0:
        return bool(line.control_number) and ours.line_control_number == line.control_number
    if level == 1:
        return _same_service(ours, line) and ours.charge == line.charge
    return ours.procedure_code == line.procedure


def _same_service(ours: ServiceLine, line: RemitLine) -> bool:
    return ours.procedure_code == line.procedure and tuple(ours.modifiers) == line.modifiers


def adjudication(claim: Claim, answer: RemitAnswer) -> PriorAdjudication:
    lines = [
        LineAdjudication(
            line_number=number,
            procedure_code=line.procedure or claim.service_lines[number - 1].procedure_code,
            modifiers=list(line.modifiers),
            paid=line.paid,
            paid_units=line.units if line.units is not None else claim.service_lines[number - 1].units,
            adjustments=list(line.adjustments),
        )
        for number, line in _match_lines(claim, answer)
    ]
    return PriorAdjudication(
        paid=answer.paid,
        patient_responsibility=answer.patient_responsibility,
        adjudication_date=answer.payment_date,
        payer_claim_number=answer.payer_claim_number or None,
        claim_adjustments=list(answer.adjustments),
        lines=lines,
    )


def next_coverage(claim: Claim) -> int | None:
    """Index of the other coverage billed after this claim's payer, or None when there is none."""
    own = RESPONSIBILITY_ORDER.index(claim.subscriber.payer_responsibility)
    candidates = [
        (RESPONSIBILITY_ORDER.index(claim.responsibility_of(n)), n)
        for n, other in enumerate(claim.other_coverage)
        if other.adjudication is None and RESPONSIBILITY_ORDER.index(claim.responsibility_of(n)) > own
    ]
    return min(candidates)[1] if candidates else None


def _patient_person_and_relationship(claim: Claim) -> tuple[codes.SubscriberRelationship, Subscriber]:
    relationship = (
        codes.SubscriberRelationship.SELF
        if claim.patient is None
        else codes.SubscriberRelationship(claim.patient.relationship.value)
    )
    return relationship, claim.subscriber


def crossover_reason(claim: Claim, answer: RemitAnswer) -> str:
    to = f" to {answer.crossover_payer}" if answer.crossover_payer else ""
    return (
        f"claim {claim.patient_control_number}: payer {claim.payer.payer_id} forwarded the claim{to} itself "
        f"(crossover, CLP02 {answer.status_code}); the next payer is not billed again"
    )


def next_payer_claim(claim: Claim, answer: RemitAnswer) -> Claim:
    """The claim for the next payer, carrying this payer's adjudication (see the module doc)."""
    pcn = claim.patient_control_number
    if answer.status_code in FORWARDED:
        raise InputError(crossover_reason(claim, answer))
    if answer.status_code == REVERSAL:
        raise InputError(f"claim {pcn}: the 835 is a reversal (CLP02 22), not an answer to bill on")
    found = next_coverage(claim)
    if found is None:
        raise InputError(f"claim {pcn}: no other coverage after payer {claim.payer.payer_id} to bill")
    following = claim.other_coverage[found]
    if following.payer.payer_id == claim.payer.payer_id:
        raise InputError(f"claim {pcn}: the next payer {following.payer.payer_id} is the payer that answered")
    letter = claim.responsibility_of(found)
    patient_person = claim.patient.person if claim.patient is not None else claim.subscriber.person
    holder = following.subscriber or patient_person
    subscriber = Subscriber(
        member_id=following.member_id,
        group_number=following.group_number,
        payer_responsibility=codes.PayerResponsibility(letter),
        claim_filing_indicator=following.claim_filing_indicator,
        person=holder,
    )
    patient = (
        None
        if following.relationship == codes.SubscriberRelationship.SELF
        else Patient(
            relationship=codes.PatientRelationship(following.relationship.value), person=patient_person
        )
    )
    relationship, answered_subscriber = _patient_person_and_relationship(claim)
    answered = OtherCoverage(
        payer=claim.payer,
        member_id=answered_subscriber.member_id,
        group_number=answered_subscriber.group_number,
        claim_filing_indicator=answered_subscriber.claim_filing_indicator,
        relationship=relationship,
        subscriber=None if relationship == codes.SubscriberRelationship.SELF else answered_subscriber.person,
        responsibility=answered_subscriber.payer_responsibility,
        adjudication=adjudication(claim, answer),
    )
    others = [answered] + [
        other.model_copy(update={"responsibility": codes.PayerResponsibility(claim.responsibility_of(n))})
        for n, other in enumerate(claim.other_coverage)
        if n != found
    ]
    others.sort(key=lambda other: RESPONSIBILITY_ORDER.index(str(other.responsibility)))
    data = claim.model_dump()
    data.update(
        subscriber=subscriber.model_dump(),
        patient=patient.model_dump() if patient is not None else None,
        payer=following.payer.model_dump(),
        other_coverage=[other.model_dump() for other in others],
        prior_authorization=None,
        frequency_code=codes.FrequencyCode.ORIGINAL,
        original_claim_number=None,
    )
    return Claim.model_validate(data)
