"""What the ledger records for each inbound record: status, one-line summary, JSON detail.

Pure functions: ``ledger_file`` turns a parsed file into a ``gateway.domain.ledger.LedgerFile``
(each item with the claim, transaction or interchange it names), so the store only matches
and writes.  Summaries and details carry codes with their human text and never patient names,
member ids or birth dates (the parsers do not even keep those).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from gateway.domain.ledger import (
    ClaimTarget,
    Entry,
    InterchangeTarget,
    LedgerFile,
    LedgerItem,
    PaymentKey,
    TransactionTarget,
)
from gateway.domain.status import ClaimStatus as Claims
from gateway.inbound import codes
from gateway.inbound.document import ParsedFile
from gateway.inbound.records import (
    Acknowledgment,
    Adjustment,
    ClaimStatus,
    Envelope,
    Payment,
    RemitClaim,
    Remittance,
    StatusReport,
    StatusResponse,
    Ta1Ack,
    Transaction,
    TransactionAck,
)
from gateway.x12.values import money

# Claim statuses the ledger moves ``claims.status`` to (forward only: gateway.domain.status).
ACKNOWLEDGED, ACCEPTED, REJECTED = Claims.ACKNOWLEDGED, Claims.ACCEPTED, Claims.REJECTED
PAID, DENIED = Claims.PAID, Claims.DENIED


def ta1_entry(ack: Ta1Ack) -> Entry:
    verdict = codes.describe_ack(ack.ack_code)
    note = codes.describe_ta1_note(ack.note_code) if ack.note_code else ""
    rejected = ack.ack_code == "R"
    return Entry(
        kind="ta1",
        status="rejected" if rejected else "accepted",
        summary=f"TA1 for interchange {ack.interchange_control_number}: {verdict}"
        + (f" ({ack.note_code} {note})" if note else ""),
        detail={
            "interchange_control_number": ack.interchange_control_number,
            "ack_code": ack.ack_code,
            "note_code": ack.note_code,
            "note": note,
        },
        claim_status=REJECTED if rejected else ACKNOWLEDGED,
    )


def ack_entry(ack: TransactionAck, group_control_number: str, kind: str) -> Entry:
    verdict = codes.describe_ack(ack.ack_code)
    errors = [
        {
            "segment_id": e.segment_id,
            "position": e.position,
            "loop": e.loop,
            "code": e.code,
            "text": codes.describe_segment_error(e.code),
            "elements": [
                {"position": x.position, "code": x.code, "text": codes.describe_element_error(x.code)}
                for x in e.element_errors
            ],
        }
        for e in ack.segment_errors
    ]
    first = f"; {errors[0]['segment_id']} at {errors[0]['position']}: {errors[0]['text']}" if errors else ""
    rejected = ack.ack_code in ("R", "M", "W", "X")
    return Entry(
        kind=kind,
        status="rejected" if rejected else "accepted",
        summary=f"{kind} for group {group_control_number} ST {ack.control_number}: {verdict}{first}",
        detail={
            "group_control_number": group_control_number,
            "transaction_control_number": ack.control_number,
            "ack_code": ack.ack_code,
            "error_codes": list(ack.error_codes),
            "segment_errors": errors,
        },
        claim_status=REJECTED if rejected else ACKNOWLEDGED,
    )


def _status_outcome(category: str) -> tuple[str, Claims | None]:
    """(event status, claim status) for a 507 category."""
    if category in ("A1", "A2", "A5"):
        return "accepted", ACCEPTED
    if category.startswith("A") and category != "A0":
        return "rejected", REJECTED
    if category.startswith("F"):
        return "finalized", None
    if category.startswith("P"):
        return "pending", None
    if category.startswith("R"):
        return "information requested", None
    if category.startswith("E") or category == "D0":
        return "error", None
    return "forwarded" if category == "A0" else "reported", None


def claim_status_entry(claim: ClaimStatus, kind: str) -> Entry:
    statuses = [
        {
            "category": s.category,
            "category_text": codes.describe_status_category(s.category),
            "code": s.code,
            "code_text": codes.describe_status(s.code),
            "entity": s.entity,
            "entity_text": codes.describe_entity(s.entity),
        }
        for s in claim.statuses
    ]
    first = claim.statuses[0] if claim.statuses else None
    status, claim_status = _status_outcome(first.category) if first else ("reported", None)
    text = (
        f"{first.category} {codes.describe_status_category(first.category)}; {first.code} "
        f"{codes.describe_status(first.code)}"
        if first
        else "no status"
    )
    return Entry(
        kind=kind,
        status=status,
        summary=f"{kind}: {text}"
        + (f" (payer claim {claim.payer_claim_control_number})" if claim.payer_claim_control_number else ""),
        detail={
            "patient_control_number": claim.patient_control_number,
            "payer_claim_control_number": claim.payer_claim_control_number,
            "charge": money(claim.charge),
            "statuses": statuses,
        },
        claim_status=claim_status,
    )


def _adjustments(adjustments: tuple[Adjustment, ...]) -> list[dict[str, Any]]:
    return [
        {
            "group": a.group,
            "group_text": codes.describe_group(a.group),
            "reason": a.reason,
            "reason_text": codes.describe_carc(a.reason),
            "amount": money(a.amount),
            "quantity": money(a.quantity),
        }
        for a in adjustments
    ]


def remit_entry(claim: RemitClaim, payment: Payment, envelope: Envelope) -> Entry:
    # Paid nothing is a denial only when the patient owes nothing either: a claim that went
    # wholly to the deductible (PR-1) or coinsurance was processed, not denied.
    patient_share = claim.patient_responsibility or sum(
        (a.amount for a in claim.all_adjustments() if a.group == "PR"), Decimal(0)
    )
    if claim.status_code == "22":
        status, claim_status = "reversed", None
    elif claim.status_code == "4" or (claim.paid == 0 and claim.charge > 0 and not patient_share):
        status, claim_status = "denied", DENIED
    else:
        status, claim_status = "paid", PAID
    reasons = sorted(
        {
            f"{a.group}-{a.reason}"
            for a in claim.all_adjustments()
            if not (a.group == "CO" and a.reason == "45")
        }
    )
    return Entry(
        kind="835",
        status=status,
        summary=(
            f"835 {codes.describe_claim_status(claim.status_code)}: charge {money(claim.charge)}, paid "
            f"{money(claim.paid)}" + (f", adjustments {' '.join(reasons)}" if reasons else "")
        ),
        detail={
            "payer_name": payment.payer_name,
            "payer_id": payment.payer_id,
            "trace_number": payment.trace_number,
            "transaction_control_number": envelope.control_number,
            "status_code": claim.status_code,
            "status_text": codes.describe_claim_status(claim.status_code),
            "charge": money(claim.charge),
            "paid": money(claim.paid),
            "patient_responsibility": money(claim.patient_responsibility),
            "payer_claim_control_number": claim.payer_claim_control_number,
            # BPR16 (the secondary claim's DTP*573) and NM1*TT (crossover): gateway.pipeline.secondary.
            "payment_date": payment.date,
            "crossover_payer": claim.crossover_payer,
            "adjustments": _adjustments(claim.adjustments),
            "remarks": [{"code": r, "text": codes.describe_rarc(r)} for r in claim.remarks],
            "service_lines": [
                {
                    "procedure": line.procedure,
                    "modifiers": list(line.modifiers),
                    "charge": money(line.charge),
                    "paid": money(line.paid),
                    "units": money(line.units),
                    "control_number": line.control_number,
                    "adjustments": _adjustments(line.adjustments),
                    "remarks": [{"code": r, "text": codes.describe_rarc(r)} for r in line.remarks],
                }
                for line in claim.service_lines
            ],
        },
        claim_status=claim_status,
    )


REVERSAL = "22"  # CLP02: a reversal of an earlier payment, applied even when its claim was paid


def payment_key(claim: RemitClaim, payment: Payment) -> PaymentKey:
    """The meaning of one claim payment: payer, trace, payment amount and date, CLP01/CLP07.

    A reversal (CLP02 22) of a payment is a payment of its own, so its key says so.
    """
    payer = payment.payer_id or payment.payer_identifier or payment.payer_name
    transaction = "|".join([payer, payment.trace_number, money(payment.amount) or "", payment.date])
    kind = "reversal" if claim.status_code == REVERSAL else "payment"
    key = f"{transaction}|{claim.patient_control_number}|{claim.payer_claim_control_number}|{kind}"
    description = (
        f"trace {payment.trace_number or '(none)'} of {payer or '(no payer id)'}, {money(payment.amount)}"
        + (f" on {payment.date}" if payment.date else "")
    )
    return PaymentKey(PaymentKey.digest(transaction), PaymentKey.digest(key), description)


def _digest(*parts: object) -> str:
    return PaymentKey.digest(json.dumps(parts, default=str))


def ack_key(ack: TransactionAck, group_control_number: str, kind: str) -> str:
    """What a 999/997 says about one of our transaction sets: its verdict and every error code.

    The texts are left out (they come from the code tables, which may change between versions).
    """
    errors = [
        (e.segment_id, e.position, e.loop, e.code, [(x.position, x.code) for x in e.element_errors])
        for e in ack.segment_errors
    ]
    return _digest(
        kind, group_control_number, ack.control_number, ack.ack_code, list(ack.error_codes), errors
    )


def _report_meaning(report: StatusReport) -> tuple[object, ...]:
    codes_ = [(s.category, s.code, s.entity) for s in report.statuses]
    return (report.date, report.action, money(report.charge), money(report.paid), codes_)


def claim_status_key(claim: ClaimStatus, kind: str) -> str:
    """What a 277CA/277 says about one claim: every STC (with its date) at claim and line level."""
    lines = [
        (line.procedure, list(line.modifiers), money(line.charge), [_report_meaning(r) for r in line.reports])
        for line in claim.service_lines
    ]
    return _digest(
        kind, claim.patient_control_number, money(claim.charge), claim.payer_claim_control_number,
        claim.service_date, [_report_meaning(r) for r in claim.reports], lines,
    )  # fmt: skip


def _transaction_items(transaction: Transaction) -> list[LedgerItem]:
    body = transaction.body
    if isinstance(body, Acknowledgment):
        group = body.group.acknowledged_group_control_number
        return [
            LedgerItem(
                TransactionTarget(group, ack.control_number),
                ack_entry(ack, group, transaction.type),
                response_key=ack_key(ack, group, transaction.type),
            )
            for ack in body.transactions
        ]
    if isinstance(body, StatusResponse):
        return [
            LedgerItem(
                ClaimTarget(
                    status.patient_control_number,
                    status.charge,
                    transaction.type,
                    status.payer_claim_control_number,
                ),
                claim_status_entry(status, transaction.type),
                response_key=claim_status_key(status, transaction.type),
            )
            for status in body.claims
        ]
    if isinstance(body, Remittance):
        payment = body.payment
        return [
            LedgerItem(
                ClaimTarget(
                    remit.patient_control_number,
                    abs(remit.charge),
                    "835",
                    remit.payer_claim_control_number,
                    payment.payee_npi,
                    payment.payer_identifier,
                ),
                remit_entry(remit, payment, transaction.envelope),
                payment_key(remit, payment),
            )
            for remit in body.claims
        ]
    return []


def ledger_file(parsed: ParsedFile) -> LedgerFile:
    """Everything the ledger records for ``parsed``, in file order: TA1s, then transactions."""
    items = [
        LedgerItem(InterchangeTarget(ack.interchange_control_number), ta1_entry(ack)) for ack in parsed.ta1
    ]
    for transaction in parsed.transactions:
        items.extend(_transaction_items(transaction))
    first = parsed.interchanges[0] if parsed.interchanges else None
    group = parsed.transactions[0].envelope.group_control_number if parsed.transactions else None
    types = sorted({t.type for t in parsed.transactions}) + (["TA1"] if parsed.ta1 else [])
    return LedgerFile(
        path=parsed.path,
        sha256=parsed.sha256,
        size=parsed.size,
        kind=parsed.kind,
        sender_id=first.sender_id if first else "",
        receiver_id=first.receiver_id if first else "",
        interchange_control_number=first.interchange_control_number if first else "",
        group_control_number=group,
        summary=f"received {parsed.path} ({', '.join(types)}; {len(parsed.transactions)} transactions)",
        items=tuple(items),
        findings=tuple(
            {"kind": f.kind, "segment": f.segment_index, "message": f.message} for f in parsed.findings
        ),
    )
