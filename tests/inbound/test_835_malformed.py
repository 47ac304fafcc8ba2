"""Malformed 835 segments: each is one 'transaction' finding with the exact message and segment,
the bad transaction is skipped and the good one beside it is still read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.inbound.document import parse_bytes
from gateway.inbound.records import Remittance
from tests.inbound.x12_fixtures import DENIED, interchange, remit_835

# In remit_835's layout the first claim segment is segment 9 of the file (ISA=1, GS=2, ST=3,
# BPR, TRN, N1, N1, LX), so the segment after it is 10.
CLAIM = "CLP*PCN-9*1*100*80"


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (["CLP*PCN-9*1*100"], "segment 9: CLP needs a patient control number, status, charge and payment"),
        (["CLP**1*100*80"], "segment 9: CLP needs a patient control number, status, charge and payment"),
        ([CLAIM, "SVC*HC:64483*100"], "segment 10: SVC needs a procedure, a charge and a payment"),
        ([CLAIM, "CAS*CO*45"], "segment 10: CAS needs a group, a reason code and an amount"),
        ([CLAIM, "CAS*CO**20"], "segment 10: CAS needs a group, a reason code and an amount"),
        ([CLAIM, "CAS*CO*45*20*1*97"], "segment 10: CAS06 is required when CAS05 has a reason code"),
        ([CLAIM, "SVC*HC:64483*1OO*80"], "segment 9: SVC02 at segment 10 is not a number"),
        ([CLAIM, "SVC*HC:64483*100*8O"], "segment 9: SVC03 at segment 10 is not a number"),
        ([CLAIM, "SVC*HC:64483*100*80**l"], "segment 9: SVC05 at segment 10 is not a number"),
        ([CLAIM, "CAS*CO*45*2O"], "segment 9: CAS03 at segment 10 is not a number"),
        ([CLAIM, "CAS*CO*45*20*X"], "segment 9: CAS04 at segment 10 is not a number"),
        # An empty quantity and a reason code that is not a number are not the bad amount.
        ([CLAIM, "CAS*CO*45*20**B10*1O"], "segment 9: CAS06 at segment 10 is not a number"),
        # An empty CLP03 fails as an amount, but the element check reads empty as 0: no element is named.
        (["CLP*PCN-9*1**80"], "segment 9: an amount of this claim is not a number"),
        (["CLP*PCN-9*1*1O0*80"], "segment 9: CLP03 at segment 9 is not a number"),
        (["CLP*PCN-9*1*100*8O"], "segment 9: CLP04 at segment 9 is not a number"),
        (["CLP*PCN-9*1*100*80*2O"], "segment 9: CLP05 at segment 9 is not a number"),
        (["CAS*CO*45*20"], "segment 9: CAS outside a claim (no CLP before it)"),
        (["SVC*HC:64483*100*80"], "segment 9: SVC outside a claim (no CLP before it)"),
        # LX opens a new group of claims: the (balanced) claim before it is closed.
        (
            [CLAIM, "CAS*CO*45*20", "LX*2", "CAS*CO*45*20"],
            "segment 12: CAS outside a claim (no CLP before it)",
        ),
        (
            [CLAIM, "CAS*CO*45*20", "LX*2", "SVC*HC:64483*100*80"],
            "segment 12: SVC outside a claim (no CLP before it)",
        ),
    ],
)
def test_malformed_claim_segment_is_a_finding_and_the_next_transaction_stands(
    claim: list[str], message: str
) -> None:
    text = interchange(
        [remit_835([claim], amount="80"), remit_835([DENIED], amount="0", control="0002")],
        functional_id="HP",
        implementation="005010X221A1",
    )
    parsed = parse_bytes(text.encode(), "t.835")
    assert [(f.kind, f.message, f.control_number) for f in parsed.findings] == [
        ("transaction", message, "0001")
    ]
    assert [t.envelope.control_number for t in parsed.transactions] == ["0002"]
    body = parsed.transactions[0].body
    assert isinstance(body, Remittance)
    assert [c.patient_control_number for c in body.claims] == ["PCN-3"]


def test_835_without_bpr_is_a_finding() -> None:
    text = interchange(
        [
            ["ST*835*0001", "TRN*1*EFT1*1512345678", "SE*3*0001"],
            remit_835([DENIED], amount="0", control="0002"),
        ],
        functional_id="HP",
        implementation="005010X221A1",
    )
    parsed = parse_bytes(text.encode(), "t.835")
    assert [(f.kind, f.message) for f in parsed.findings] == [
        ("transaction", "segment 3: 835 has no BPR (financial information)")
    ]
    assert [t.envelope.control_number for t in parsed.transactions] == ["0002"]


@pytest.mark.parametrize(
    ("cas", "expected"),
    [
        ("CAS*CO*45*20", [("CO", "45", Decimal(20), None)]),
        ("CAS*CO*45*20*2", [("CO", "45", Decimal(20), Decimal(2))]),
        ("CAS*PR*1*5**2*15", [("PR", "1", Decimal(5), None), ("PR", "2", Decimal(15), None)]),
        # An empty triplet between filled ones does not hide the ones after it.
        ("CAS*CO*45*10*1****97*5", [("CO", "45", Decimal(10), Decimal(1)), ("CO", "97", Decimal(5), None)]),
        (
            "CAS*CO*45*1*1*59*2*2*253*3*3*131*4*4*97*5*5*B10*6*6",
            [
                ("CO", r, Decimal(n), Decimal(n))
                for n, r in enumerate(["45", "59", "253", "131", "97", "B10"], 1)
            ],
        ),
    ],
)
def test_cas_triplets_are_read_in_order_with_or_without_quantity(
    cas: str, expected: list[tuple[str, str, Decimal, Decimal | None]]
) -> None:
    total = sum(e[2] for e in expected)
    claim = [f"CLP*PCN-9*1*{100 + total}*100", cas]
    text = interchange([remit_835([claim], amount="100")], functional_id="HP", implementation="005010X221A1")
    parsed = parse_bytes(text.encode(), "t.835")
    body = parsed.transactions[0].body
    assert isinstance(body, Remittance)
    assert [tuple(a) for a in body.claims[0].adjustments] == expected
    assert parsed.findings == []


def test_short_svc_and_clp_optional_elements_default() -> None:
    """SVC without SVC05 means units absent; CLP without CLP05..CLP07 gives empty values."""
    claim = ["CLP*PCN-9*4*100*0", "SVC*HC*100*0", "CAS*CO*50*100"]
    text = interchange([remit_835([claim], amount="0")], functional_id="HP", implementation="005010X221A1")
    body = parse_bytes(text.encode(), "t.835").transactions[0].body
    assert isinstance(body, Remittance)
    found = body.claims[0]
    assert (found.patient_responsibility, found.filing_indicator, found.payer_claim_control_number) == (
        None,
        "",
        "",
    )
    line = found.service_lines[0]
    assert (line.qualifier, line.procedure, line.modifiers, line.units) == ("HC", "", (), None)


def test_moa_amounts_after_the_remarks_are_not_remarks_and_svc04_is_not_units() -> None:
    """MOA08/MOA09 are amounts (ESRD payment, non-payable professional component), not RARCs;
    SVC04 is a revenue code, and without SVC05 the units stay unknown."""
    claim = [
        "CLP*PCN-9*1*100*80",
        "MOA*0*0*N130*M80*MA01*N362*N381*12.5*3",
        "SVC*HC:64483*100*80*0360",
        "CAS*CO*45*20",
    ]
    text = interchange([remit_835([claim], amount="80")], functional_id="HP", implementation="005010X221A1")
    parsed = parse_bytes(text.encode(), "t.835")
    body = parsed.transactions[0].body
    assert isinstance(body, Remittance)
    assert body.claims[0].remarks == ("N130", "M80", "MA01", "N362", "N381")
    assert body.claims[0].service_lines[0].units is None
    assert parsed.findings == []
