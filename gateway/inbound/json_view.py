"""The JSON shape of ``gateway parse FILE --json`` (issue 5), from parsed records.

``{"file", "transactions": [...], "ta1": [...], "errors": [...]}``; amounts are decimal
strings.  Every transaction carries type, implementation (GS08) and the three control numbers;
the type-specific keys follow the issue exactly.  A 278 shows its reviews
(``gateway.domain.auth_response.AuthResponse.to_json``), parsed once with the rest of the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gateway.domain.auth_response import AuthResponse
from gateway.inbound.records import (
    Acknowledgment,
    Adjustment,
    ClaimStatus,
    Finding,
    RemitClaim,
    Remittance,
    StatusResponse,
    Transaction,
    TransactionAck,
)
from gateway.x12.values import money

if TYPE_CHECKING:
    from gateway.inbound.document import ParsedFile

JsonDict = dict[str, Any]


def parsed_file_json(parsed: ParsedFile) -> JsonDict:
    return {
        "file": parsed.path,
        "transactions": [transaction_json(t) for t in parsed.transactions],
        "ta1": [
            {
                "interchange_control_number": t.interchange_control_number,
                "ack_code": t.ack_code,
                "note_code": t.note_code,
            }
            for t in parsed.ta1
        ],
        "errors": [finding_json(f) for f in parsed.findings],
    }


def finding_json(finding: Finding) -> JsonDict:
    return {
        "kind": finding.kind,
        "segment_index": finding.segment_index,
        "control_number": finding.control_number,
        "message": finding.message,
    }


def transaction_json(transaction: Transaction) -> JsonDict:
    envelope = transaction.envelope
    result: JsonDict = {
        "type": transaction.type,
        "implementation": envelope.implementation,
        "interchange_control_number": envelope.interchange_control_number,
        "group_control_number": envelope.group_control_number,
        "control_number": envelope.control_number,
    }
    body = transaction.body
    if isinstance(body, Remittance):
        result.update(remittance_json(body))
    elif isinstance(body, StatusResponse):
        result["claims"] = [claim_status_json(c) for c in body.claims]
    elif isinstance(body, Acknowledgment):
        result.update(acknowledgment_json(body))
    elif isinstance(body, AuthResponse):
        result.update(body.to_json())
    return result


def adjustments_json(adjustments: Sequence[Adjustment]) -> list[JsonDict]:
    return [
        {"group": a.group, "reason": a.reason, "amount": money(a.amount), "quantity": money(a.quantity)}
        for a in adjustments
    ]


def remit_claim_json(claim: RemitClaim) -> JsonDict:
    return {
        "patient_control_number": claim.patient_control_number,
        "status_code": claim.status_code,
        "charge": money(claim.charge),
        "paid": money(claim.paid),
        "patient_responsibility": money(claim.patient_responsibility),
        "payer_claim_control_number": claim.payer_claim_control_number,
        "filing_indicator": claim.filing_indicator,
        "remark_codes": list(claim.remarks),
        "adjustments": adjustments_json(claim.adjustments),
        "service_lines": [
            {
                "qualifier": line.qualifier,
                "procedure": line.procedure,
                "modifiers": list(line.modifiers),
                "charge": money(line.charge),
                "paid": money(line.paid),
                "units": money(line.units),
                "control_number": line.control_number,
                "service_date": line.service_date,
                "remark_codes": list(line.remarks),
                "adjustments": adjustments_json(line.adjustments),
            }
            for line in claim.service_lines
        ],
    }


def remittance_json(body: Remittance) -> JsonDict:
    payment = body.payment
    return {
        "payment": {
            "amount": money(payment.amount),
            "credit_debit": payment.credit_debit,
            "method": payment.method,
            "date": payment.date,
            "trace_number": payment.trace_number,
            "payer_id": payment.payer_id,
            "payer_name": payment.payer_name,
        },
        "claims": [remit_claim_json(c) for c in body.claims],
        "provider_adjustments": [
            {
                "provider": p.provider,
                "fiscal_period": p.fiscal_period,
                "reason": p.reason,
                "reference": p.reference,
                "amount": money(p.amount),
            }
            for p in body.provider_adjustments
        ],
    }


def claim_status_json(claim: ClaimStatus) -> JsonDict:
    return {
        "patient_control_number": claim.patient_control_number,
        "payer_claim_control_number": claim.payer_claim_control_number,
        "statuses": [{"category": s.category, "code": s.code, "entity": s.entity} for s in claim.statuses],
        "charge": money(claim.charge),
    }


def transaction_ack_json(ack: TransactionAck) -> JsonDict:
    return {
        "control_number": ack.control_number,
        "ack_code": ack.ack_code,
        "segment_errors": [
            {
                "segment_id": e.segment_id,
                "position": e.position,
                "code": e.code,
                "element_errors": [
                    {"position": x.position, "code": x.code, "value": x.value} for x in e.element_errors
                ],
            }
            for e in ack.segment_errors
        ],
    }


def acknowledgment_json(body: Acknowledgment) -> JsonDict:
    return {
        "acknowledged_group_control_number": body.group.acknowledged_group_control_number,
        "group_ack_code": body.group.ack_code,
        "transaction_acks": [transaction_ack_json(a) for a in body.transactions],
    }
