"""The inbound parsers on our own small files: every field the issue names, and the messy cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.errors import ParseError
from gateway.inbound.document import parse_bytes
from gateway.inbound.records import Acknowledgment, Remittance, StatusResponse
from tests.inbound.x12_fixtures import (
    DENIED,
    PAID_CLAIM,
    REVERSAL,
    interchange,
    isa,
    remit_835,
    transaction,
)

PLB = "PLB*1234567893*20261231*WO:REF1*5*L6:INT*-10"


def remittance_file(amount: str = "755", claims: list[list[str]] | None = None) -> bytes:
    body = remit_835(claims or [PAID_CLAIM, REVERSAL, DENIED], amount=amount, plb=[PLB])
    return interchange([body], functional_id="HP", implementation="005010X221A1").encode()


def test_835_claims_lines_adjustments_and_plb() -> None:
    parsed = parse_bytes(remittance_file(), "t.835")
    assert parsed.findings == []
    body = parsed.transactions[0].body
    assert isinstance(body, Remittance)
    assert body.payment.amount == Decimal(755) and body.payment.method == "ACH"
    assert (body.payment.trace_number, body.payment.payer_id) == ("EFT0001", "1512345678")
    paid, reversal, denied = body.claims
    assert (paid.patient_control_number, paid.status_code, paid.payer_claim_control_number) == (
        "PCN-1",
        "1",
        "PAYER-CN-1",
    )
    assert paid.patient_responsibility == Decimal(100)
    first, second = paid.service_lines
    assert (first.procedure, first.modifiers, first.units, first.control_number) == (
        "64483",
        ("RT", "LT"),
        Decimal(1),
        "LINE-1",
    )
    # CAS with two triplets, each with a quantity, belongs to the second line.
    assert [(a.group, a.reason, a.amount, a.quantity) for a in second.adjustments] == [
        ("CO", "45", Decimal(150), None),
        ("PR", "1", Decimal(30), Decimal(1)),
        ("PR", "2", Decimal(20), Decimal(1)),
    ]
    assert [a.reason for a in paid.adjustments] == ["23"]  # claim level, before the first SVC
    assert (
        reversal.status_code == "22" and reversal.charge == Decimal(-300) and reversal.paid == Decimal(-250)
    )
    assert denied.paid == 0 and denied.remarks == ("N130",)
    assert [(p.reason, p.reference, p.amount) for p in body.provider_adjustments] == [
        ("WO", "REF1", Decimal(5)),
        ("L6", "INT", Decimal(-10)),
    ]


def test_835_json_amounts_are_decimal_strings() -> None:
    data = parse_bytes(remittance_file(), "t.835").to_json()
    transaction_json = data["transactions"][0]
    assert transaction_json["payment"]["amount"] == "755"
    assert transaction_json["claims"][1]["charge"] == "-300"
    assert transaction_json["provider_adjustments"][1]["amount"] == "-10"
    assert transaction_json["claims"][0]["service_lines"][0]["adjustments"][0] == {
        "group": "CO",
        "reason": "45",
        "amount": "250",
        "quantity": "1",
    }


def test_balancing_findings_are_reported_not_raised() -> None:
    unbalanced = [line.replace("CAS*CO*45*150", "CAS*CO*45*149") for line in PAID_CLAIM]
    parsed = parse_bytes(remittance_file(amount="999", claims=[unbalanced]), "t.835")
    messages = [f.message for f in parsed.findings if f.kind == "balancing"]
    assert any("line 64484" in m and "adjustments sum to 199" in m for m in messages)
    assert any("claim PCN-1: charge 1500 - paid 1000 = 500, adjustments sum to 499" in m for m in messages)
    assert any("BPR02 999" in m and "= 1005" in m for m in messages)
    assert len(parsed.transactions) == 1  # still parsed


def test_one_bad_transaction_does_not_sink_the_rest() -> None:
    bad_claim = [PAID_CLAIM[0].replace("*1500*", "*15X0*"), *PAID_CLAIM[1:]]
    good = remit_835([DENIED], amount="0", control="0002")
    bad = remit_835([bad_claim], amount="1000", control="0001")
    parsed = parse_bytes(
        interchange([bad, good], functional_id="HP", implementation="005010X221A1").encode(), "x"
    )
    assert [t.envelope.control_number for t in parsed.transactions] == ["0002"]
    failed = parsed.failed_transactions
    assert len(failed) == 1 and failed[0].control_number == "0001"
    assert "CLP03" in failed[0].message and "not a number" in failed[0].message


def test_277ca_levels_trn_ref_and_every_stc_composite() -> None:
    body = [
        "BHT*0085*08*BATCH1*20261128*0930*TH",
        "HL*1**20*1",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*PAYER01",
        "HL*2*1*21*1",
        "NM1*41*2*PAIN CLINIC LLC*****46*PAINCLINIC",
        "TRN*2*RECEIVER-TRACE",
        "STC*A1:19*20261128*WQ*2100",
        "HL*3*2*19*1",
        "NM1*85*2*PAIN CLINIC LLC*****XX*1234567893",
        "HL*4*3*PT",
        "NM1*QC*1*DOE*JOHN****MI*M123",
        "TRN*2*PCN-1",
        "STC*A2:20*20261128*WQ*1500******A1:19:PR*A2:21:85",
        "REF*1K*PAYER-CN-1",
        "DTP*472*D8*20261105",
        "HL*5*3*PT",
        "TRN*2*PCN-2",
        "STC*A7:562:85*20261128*U*600",
        "REF*1K*PAYER-CN-2",
    ]
    text = interchange(
        [transaction("277", "0001", body, "005010X214")], functional_id="HN", implementation="005010X214"
    )
    parsed = parse_bytes(text.encode(), "t.277")
    result = parsed.transactions[0]
    assert result.type == "277CA"
    assert isinstance(result.body, StatusResponse)
    accepted, rejected = result.body.claims
    assert accepted.patient_control_number == "PCN-1" and accepted.payer_claim_control_number == "PAYER-CN-1"
    assert [(s.category, s.code, s.entity) for s in accepted.statuses] == [
        ("A2", "20", ""),
        ("A1", "19", "PR"),
        ("A2", "21", "85"),
    ]
    assert accepted.charge == Decimal(1500) and rejected.charge == Decimal(600)
    assert rejected.statuses[0].entity == "85"
    assert [level.trace_number for level in result.body.levels] == ["RECEIVER-TRACE"]
    claims_json = parsed.to_json()["transactions"][0]["claims"]
    assert claims_json[1] == {
        "patient_control_number": "PCN-2",
        "payer_claim_control_number": "PAYER-CN-2",
        "statuses": [{"category": "A7", "code": "562", "entity": "85"}],
        "charge": "600",
    }


def test_999_with_segment_and_element_errors_and_ta1_after_ge() -> None:
    body = [
        "AK1*HC*101*005010X222A1",
        "AK2*837*0001*005010X222A1",
        "IK5*A",
        "AK2*837*0002*005010X222A1",
        "IK3*CLM*22*2300*8",
        "CTX*CLM01:PCN-2",
        "IK4*2*782*1",
        "IK4*5:3*1331*7*Z",
        "IK3*NM1*30**3",
        "IK5*R*5",
        "AK9*P*2*2*1",
    ]
    text = interchange(
        [transaction("999", "0001", body, "005010X231A1")],
        functional_id="FA",
        implementation="005010X231A1",
        after_ge=["TA1*000000101*261127*1200*A*000"],
    )
    parsed = parse_bytes(text.encode(), "t.999")
    assert [(t.interchange_control_number, t.ack_code, t.note_code) for t in parsed.ta1] == [
        ("000000101", "A", "000")
    ]
    body_json = parsed.to_json()["transactions"][0]
    assert body_json["acknowledged_group_control_number"] == "101" and body_json["group_ack_code"] == "P"
    rejected = body_json["transaction_acks"][1]
    assert rejected["control_number"] == "0002" and rejected["ack_code"] == "R"
    assert rejected["segment_errors"] == [
        {
            "segment_id": "CLM",
            "position": 22,
            "code": "8",
            "element_errors": [
                {"position": 2, "code": "1", "value": ""},
                {"position": 5, "code": "7", "value": "Z"},
            ],
        },
        {"segment_id": "NM1", "position": 30, "code": "3", "element_errors": []},
    ]
    ack = parsed.transactions[0].body
    assert isinstance(ack, Acknowledgment) and ack.group.accepted == 1


def test_ta1_only_interchange_before_gs_bom_crlf_and_two_interchanges() -> None:
    ta1_only = (
        "~\r\n".join([isa("000000777"), "TA1*000000101*261127*1200*R*023", "IEA*0*000000777"]) + "~\r\n"
    )
    remit = remittance_file().decode().replace("*", "|").replace(":", ">")
    data = b"\xef\xbb\xbf" + ta1_only.encode() + remit.encode()
    parsed = parse_bytes(data, "mixed")
    assert [(t.ack_code, t.note_code, t.carried_by) for t in parsed.ta1] == [("R", "023", "000000777")]
    assert parsed.transactions[0].body.claims[0].service_lines[0].modifiers == ("RT", "LT")  # type: ignore[union-attr]
    assert [i.interchange_control_number for i in parsed.interchanges] == ["000000777", "000000901"]


def test_envelope_mismatches_are_findings() -> None:
    text = remittance_file().decode().replace("\nSE*", "\nSE*9", 1).replace("GE*1*901", "GE*2*901")
    parsed = parse_bytes(text.encode(), "t.835")
    messages = [f.message for f in parsed.findings]
    assert any(m.startswith("SE01 says 9") for m in messages)
    assert any(m.startswith("GE01 says 2 transactions") for m in messages)
    assert len(parsed.transactions) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"\x00\x01 random bytes, not X12 at all", "no ISA segment"),
        (remittance_file()[:700], "truncated: interchange 000000901 ends without IEA"),
        (
            interchange([], functional_id="HP", implementation="005010X221A1").encode(),
            "no transaction set or TA1",
        ),
    ],
)
def test_unreadable_files_are_one_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_bytes(data, "in.x12")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("in.x12: ")


def _file_278() -> bytes:
    body = ["BHT*0007*11*REF1*20261128*0930", "HL*1**20*1", "UM*HS*I*3*11:B"]
    text = interchange(
        [transaction("278", "0001", body, "005010X217")], functional_id="HI", implementation="005010X217"
    )
    return text.replace("*:~", "*>~", 1).encode()  # ISA16 '>' so the component separator is visible


def test_a_278_is_read_by_the_278_parser_with_the_other_transactions() -> None:
    transaction_json = parse_bytes(_file_278(), "t.278").to_json()["transactions"][0]
    assert transaction_json == {
        "type": "278",
        "implementation": "005010X217",
        "interchange_control_number": "000000901",
        "group_control_number": "901",
        "control_number": "0001",
        "purpose": "11",
        "reference": "REF1",
        "response_type": None,
        "reviews": [],
        "request_errors": [],
    }


def test_a_278_its_parser_rejects_is_a_failed_transaction() -> None:
    remit = remit_835([DENIED], amount="0", control="0002")
    text = _file_278().decode().replace("BHT*0007*11*REF1*20261128*0930~", "")
    text = text.replace("SE*5*0001", "SE*4*0001").replace("GE*1*901", "~".join(remit) + "~GE*2*901")
    parsed = parse_bytes(text.encode(), "mixed")
    assert [t.type for t in parsed.transactions] == ["835"]
    assert [f.message for f in parsed.failed_transactions] == ["segment 4: 278 transaction without BHT"]


def test_code_text_comes_from_our_tables_or_says_what_pyx12_knows() -> None:
    from gateway.inbound import codes

    assert codes.describe_carc("197").startswith("Precertification")
    assert codes.describe_status_category("F2") == "finalized: denial"
    assert "code source 508" in codes.describe_status("697") and "not in" not in codes.describe_status("697")
    assert "not in code source 508" in codes.describe_status("99999")
    assert "not in code source 411" in codes.describe_rarc("ZZ99")
    assert codes.describe_carc("X9") == "CARC X9 (not in our list)"
