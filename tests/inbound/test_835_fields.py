"""835 values that `gateway parse --json` does not print but matching and secondary billing read
(the payer identifier, the payee NPI, the crossover payer), and the short and long shapes of CLP,
SVC01 and the 2110 detail segments, each pinned to the exact value on our own small files."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from gateway.inbound.document import ParsedFile, parse_bytes
from gateway.inbound.records import Payment, RemitClaim, Remittance
from tests.inbound.x12_fixtures import interchange, transaction

PAID = ["CLP*PCN-50*1*100*80**12*CCN-50", "CAS*CO*45*20"]


def parse_835(*bodies: Sequence[str]) -> ParsedFile:
    """Each body is one 835 between ST and SE (control numbers 0001, 0002 ...)."""
    transactions = [transaction("835", f"{n:04d}", body) for n, body in enumerate(bodies, 1)]
    text = interchange(transactions, functional_id="HP", implementation="005010X221A1")
    return parse_bytes(text.encode(), "t.835")


def remittances(parsed: ParsedFile) -> list[Remittance]:
    bodies = [t.body for t in parsed.transactions]
    assert all(isinstance(body, Remittance) for body in bodies)
    return bodies  # type: ignore[return-value]


def claims_of(claims: Sequence[str], paid: str = "80") -> tuple[RemitClaim, ...]:
    """The claims of one 835 with a payment of ``paid``; the file must parse without findings."""
    parsed = parse_835([f"BPR*I*{paid}*C*ACH", "TRN*1*EFT50*1512345678", "LX*1", *claims])
    assert parsed.findings == []
    (remit,) = remittances(parsed)
    return remit.claims


def test_payer_identifier_is_ref_2u_else_n1_pr_n104_and_payee_npi_needs_n103_xx() -> None:
    with_2u = [
        "BPR*I*80*C*CHK************20261201",
        "TRN*1*CHK5555*1999999999",
        "REF*EV*RECEIVER-1",
        "DTM*405*20261130",
        "N1*PR*BLUE PLAN*XV*PLANID-N104",
        "N3*1 PAYER WAY",
        "N4*NASHVILLE*TN*37201",
        "REF*2U*PAYER-2U",
        "N1*PE*PAIN CLINIC LLC*XX*1234567893",
        "REF*TJ*987654321",  # the payee's tax id: a REF that is not REF*2U changes nothing
        "LX*1",
        "TS3*1234567893*11*20261231*1*100",
        *PAID,
    ]
    without_2u = [
        "BPR*I*80*C*ACH",
        "TRN*1*EFT6666*1888888888",
        "N1*PR*GREEN PLAN*XV*GREEN-N104",
        "REF*2U",  # without its value: N1*PR N104 stands
        "N1*PE*PAIN CLINIC LLC*FI*599944521",  # a tax id, not an NPI: no payee NPI
        "LX*1",
        *PAID,
    ]
    parsed = parse_835(with_2u, without_2u)
    assert parsed.findings == []
    first, second = (remit.payment for remit in remittances(parsed))
    assert first == Payment(
        amount=Decimal(80),
        credit_debit="C",
        method="CHK",
        date="20261201",
        trace_number="CHK5555",
        payer_id="1999999999",
        payer_name="BLUE PLAN",
        payer_identifier="PAYER-2U",
        payee_npi="1234567893",
    )
    assert (second.payer_name, second.payer_identifier, second.payee_npi) == ("GREEN PLAN", "GREEN-N104", "")
    assert (second.trace_number, second.payer_id, second.date) == ("EFT6666", "1888888888", "")


def test_835_without_trn_or_n1_leaves_every_identity_empty() -> None:
    """TRN and both N1 loops are required, but their absence is not a reason to lose the claims."""
    parsed = parse_835(["BPR*I*80*C*ACH", "LX*1", *PAID])
    assert parsed.findings == []
    (remit,) = remittances(parsed)
    payment = remit.payment
    assert (payment.trace_number, payment.payer_id, payment.payer_name) == ("", "", "")
    assert (payment.payer_identifier, payment.payee_npi) == ("", "")
    assert [c.patient_control_number for c in remit.claims] == ["PCN-50"]


def test_crossover_payer_is_nm1_tt_n103_of_its_own_claim_only() -> None:
    crossed, plain, unnamed = claims_of(
        [
            "CLP*PCN-51*19*100*80*20*MB*CCN-51",
            "NM1*QC*1*DOE*JANE",
            "NM1*TT*2*MEDIGAP PLAN",  # NM1*TT*2*name: N104 and after are situational
            "MOA***N130",
            "PER*CX*CLAIMS DEPT*TE*8005551212*EX*123",  # the claim contact: no remark codes in it
            "SVC*HC:64483*100*80**1",
            "CAS*PR*1*20",
            "CLP*PCN-52*1*50*50**MB*CCN-52",
            "NM1",  # a bare NM1 is ignored
            "NM1*QC*1*ROE*RICHARD",  # the patient, not a payer
            "SVC*HC:64484*50*50**1",
            "CLP*PCN-53*19*10*10**MB*CCN-53",
            "NM1*TT*2",  # forwarded, but N103 (the payer's name) left out
        ],
        paid="140",
    )
    assert (crossed.crossover_payer, crossed.remarks) == ("MEDIGAP PLAN", ("N130",))
    assert (plain.crossover_payer, unnamed.crossover_payer, unnamed.status_code) == ("", "", "19")


def test_svc01_one_modifier_and_four_modifiers_before_the_description() -> None:
    """SVC01: qualifier, procedure, up to four modifiers (SVC01-3..6), then a description (SVC01-7)."""
    (claim,) = claims_of(
        [
            "CLP*PCN-53*1*300*300**MB*CCN-53",
            "SVC*HC:64483:RT*100*100**1",
            "SVC*HC:64490:RT:LT:59:XS:FACET INJECTION*200*200**1",
        ],
        paid="300",
    )
    one, four = claim.service_lines
    assert (one.procedure, one.modifiers) == ("64483", ("RT",))
    assert (four.procedure, four.modifiers) == ("64490", ("RT", "LT", "59", "XS"))


def test_clp_ending_at_clp05_clp06_or_clp07() -> None:
    at_05, at_06, at_07 = claims_of(
        [
            "CLP*PCN-54*2*100*80*20",
            "CAS*PR*1*20",
            "CLP*PCN-55*1*100*80**MB",
            "CAS*CO*45*20",
            "CLP*PCN-56*1*100*80**16*CCN-56",
            "CAS*CO*45*20",
        ],
        paid="240",
    )
    assert (at_05.patient_responsibility, at_05.filing_indicator, at_05.payer_claim_control_number) == (
        Decimal(20),
        "",
        "",
    )
    assert (at_06.patient_responsibility, at_06.filing_indicator, at_06.payer_claim_control_number) == (
        None,
        "MB",
        "",
    )
    assert (at_07.filing_indicator, at_07.payer_claim_control_number) == ("16", "CCN-56")


def test_2110_keeps_only_its_date_control_number_and_lq_he_remarks() -> None:
    """A line without REF*6R or DTM has neither, nor has one whose DTM*472 and REF*6R are empty
    (no error either); an empty modifier is no modifier; LQ*RX (a pharmacy reject code) is not a
    RARC; a bare DTM, REF or LQ is ignored; a CAS quantity that is not a whole unit is kept exactly."""
    (claim,) = claims_of(
        [
            "CLP*PCN-57*1*400*350**MB*CCN-57",
            "SVC*HC:64483*100*100**1",
            "SVC*HC:64485:*100*100**1",
            "DTM*472",
            "REF*6R",
            "SVC*HC:64484*200*150**1",
            "DTM*472*20261105",
            "CAS*CO*45*50*0.75",
            "REF*6R*LINE-57",
            "LQ*RX*E7",
            "LQ",
            "DTM",  # bare DTM, REF and LQ are ignored
            "REF",
            "LQ*HE*N381",
            "LQ*HE",  # LQ02 missing: no remark code, not an empty one
            "LQ*HE*",
        ],
        paid="350",
    )
    bare, empty, detailed = claim.service_lines
    assert (bare.control_number, bare.service_date, bare.remarks, bare.adjustments) == ("", "", (), ())
    assert (empty.procedure, empty.modifiers, empty.control_number, empty.service_date) == (
        "64485",
        (),
        "",
        "",
    )
    assert (detailed.control_number, detailed.service_date, detailed.remarks) == (
        "LINE-57",
        "20261105",
        ("N381",),
    )
    assert [tuple(a) for a in detailed.adjustments] == [("CO", "45", Decimal(50), Decimal("0.75"))]


def test_a_line_that_does_not_balance_in_a_claim_that_does_and_the_reverse() -> None:
    """Each level is checked on its own: a claim-level CAS that makes the claim add up does not
    hide the line that does not, and lines that add up do not hide the claim that does not."""
    parsed = parse_835(
        [
            "BPR*I*160*C*ACH",
            "TRN*1*EFT60*1512345678",
            "LX*1",
            "CLP*PCN-60*1*100*80**MB*CCN-60",
            "CAS*CO*45*10",
            "SVC*HC:64483*100*80**1",
            "CAS*CO*45*10",
            "CLP*PCN-61*1*120*80**MB*CCN-61",
            "SVC*HC:64484*100*80**1",
            "CAS*CO*45*20",
        ]
    )
    assert [(f.kind, f.message, f.segment_index, f.control_number) for f in parsed.findings] == [
        (
            "balancing",
            "claim PCN-60 line 64483 (segment 9): charge 100 - paid 80 = 20, adjustments sum to 10",
            9,
            "0001",
        ),
        ("balancing", "claim PCN-61: charge 120 - paid 80 = 40, adjustments sum to 20", 11, "0001"),
    ]
    (remit,) = remittances(parsed)
    assert [c.patient_control_number for c in remit.claims] == ["PCN-60", "PCN-61"]


@pytest.mark.parametrize(
    ("claim", "messages"),
    [
        pytest.param(
            ["CLP*PCN-70*1*100*100", "SVC*HC:64483*100*100**1", "CAS*CO*45*10"],
            [
                " line 64483 (segment 8): charge 100 - paid 100 = 0, adjustments sum to 10",
                ": charge 100 - paid 100 = 0, adjustments sum to 10",
            ],
            id="paid in full and adjusted",
        ),
        pytest.param(
            ["CLP*PCN-70*1*100*100", "SVC*HC:64483*100*100**1", "CAS*CO*45*10*1"],
            [
                " line 64483 (segment 8): charge 100 - paid 100 = 0, adjustments sum to 10",
                ": charge 100 - paid 100 = 0, adjustments sum to 10",
            ],
            id="paid in full and adjusted, with a quantity",
        ),
        pytest.param(
            ["CLP*PCN-70*1*100*110", "SVC*HC:64483*100*110**1", "CAS*CO*45*10"],
            [
                " line 64483 (segment 8): charge 100 - paid 110 = -10, adjustments sum to 10",
                ": charge 100 - paid 110 = -10, adjustments sum to 10",
            ],
            id="overpaid with a positive adjustment",
        ),
        pytest.param(
            ["CLP*PCN-70*1*100*110", "SVC*HC:64483*100*110**1", "CAS*CO*45*10*1"],
            [
                " line 64483 (segment 8): charge 100 - paid 110 = -10, adjustments sum to 10",
                ": charge 100 - paid 110 = -10, adjustments sum to 10",
            ],
            id="overpaid with a positive adjustment, with a quantity",
        ),
        pytest.param(
            ["CLP*PCN-70*1*100*80", "CAS*CO*45*20", "SVC*HC:64483*100*80**1", "CAS*CO*45*20"],
            [": charge 100 - paid 80 = 20, adjustments sum to 40"],
            id="the same adjustment at claim and line level",
        ),
        pytest.param(
            ["CLP*PCN-70*1*100*50", "CAS*CO*45*100", "SVC*HC:64483*100*50**1", "CAS*CO*45*50"],
            [": charge 100 - paid 50 = 50, adjustments sum to 150"],
            id="claim level twice the line's",
        ),
        pytest.param(
            ["CLP*PCN-70*1*100*20", "CAS*CO*45*-40", "SVC*HC:64483*100*20**1", "CAS*CO*45*120"],
            [" line 64483 (segment 9): charge 100 - paid 20 = 80, adjustments sum to 120"],
            id="a claim-level credit makes the claim add up, not the line",
        ),
    ],
)
def test_what_does_not_add_up_is_named_whatever_the_amounts(claim: list[str], messages: list[str]) -> None:
    """Balancing (TR3 1.10.2) on lines paid in full or overpaid and still adjusted, and on
    adjustments sent at both levels: each line and the claim that do not add up, exactly."""
    paid = claim[0].split("*")[4]
    parsed = parse_835([f"BPR*I*{paid}*C*ACH", "TRN*1*EFT70*1512345678", "LX*1", *claim])
    assert [(f.kind, f.message) for f in parsed.findings] == [
        ("balancing", f"claim PCN-70{message}") for message in messages
    ]


def test_plb_pairs_after_an_empty_pair_are_kept() -> None:
    """PLB03..PLB14 are six optional pairs: an empty pair in the middle must not drop the money
    of the pairs after it (the provider's interest and recoupments still count)."""
    parsed = parse_835(
        [
            "BPR*I*65*C*ACH",
            "TRN*1*EFT70*1512345678",
            "LX*1",
            *PAID,
            "PLB*1234567893*20261231*WO:R1*5**" + "*L6:INT*-10*FB:F2*20",
        ]
    )
    (remit,) = remittances(parsed)
    assert [(a.reason, a.reference, a.amount, a.segment_index) for a in remit.provider_adjustments] == [
        ("WO", "R1", Decimal(5), 9),
        ("L6", "INT", Decimal(-10), 9),
        ("FB", "F2", Decimal(20), 9),
    ]
    assert {a.fiscal_period for a in remit.provider_adjustments} == {"20261231"}


def test_plb_amount_without_its_reason_is_an_error_naming_the_segment() -> None:
    """The transaction is refused (its money cannot be told apart); the next one stands."""
    parsed = parse_835(
        ["BPR*I*75*C*ACH", "TRN*1*EFT71*1512345678", "LX*1", *PAID, "PLB*1234567893*20261231*WO:R1*5**-10"],
        ["BPR*I*80*C*ACH", "TRN*1*EFT72*1512345678", "LX*1", *PAID],
    )
    assert [(f.kind, f.message, f.control_number) for f in parsed.findings] == [
        ("transaction", "segment 9: PLB05 is required when PLB06 has an amount", "0001")
    ]
    assert [t.envelope.control_number for t in parsed.transactions] == ["0002"]
