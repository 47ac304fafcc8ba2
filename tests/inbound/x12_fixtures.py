"""Small X12 files written for these tests (our own fixtures, no third-party data)."""

from __future__ import annotations

from collections.abc import Sequence


def isa(control: str = "000000901", sender: str = "CLEARINGHOUSE", receiver: str = "PAINCLINIC") -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*261128*0930*^*00501*"
        f"{control}*0*T*:"
    )


def transaction(st01: str, control: str, body: Sequence[str], implementation: str = "") -> list[str]:
    head = f"ST*{st01}*{control}" + (f"*{implementation}" if implementation else "")
    return [head, *body, f"SE*{len(body) + 2}*{control}"]


def interchange(
    transactions: Sequence[Sequence[str]],
    *,
    functional_id: str,
    implementation: str,
    control: str = "000000901",
    group: str = "901",
    before_gs: Sequence[str] = (),
    after_ge: Sequence[str] = (),
    sender: str = "CLEARINGHOUSE",
) -> str:
    segments = [isa(control, sender), *before_gs]
    segments.append(f"GS*{functional_id}*{sender}*PAINCLINIC*20261128*0930*{group}*X*{implementation}")
    for body in transactions:
        segments.extend(body)
    segments.append(f"GE*{len(transactions)}*{group}")
    segments.extend(after_ge)
    segments.append(f"IEA*1*{control}")
    return "~\n".join(segments) + "~\n"


def status_277ca(
    control: str, group: str = "901", st02: str = "0001", stc: str = "STC*A2:20*20261129*WQ*1500"
) -> str:
    """A 277CA accepting PCN-1 and giving its payer claim number PAYER-CN-1 (REF*1K)."""
    body = ["HL*1**20*1", "HL*2*1*21*1", "HL*3*2*19*1", "HL*4*3*PT", "TRN*2*PCN-1", stc, "REF*1K*PAYER-CN-1"]
    return interchange(
        [transaction("277", st02, body, "005010X214")],
        functional_id="HN", implementation="005010X214", control=control, group=group,
    )  # fmt: skip


def remit_835(
    claims: Sequence[Sequence[str]], *, amount: str, plb: Sequence[str] = (), control: str = "0001"
) -> list[str]:
    body = [
        f"BPR*I*{amount}*C*ACH*CCP*01*999999999*DA*123456*1234567890**01*888888888*DA*654321*20261127",
        "TRN*1*EFT0001*1512345678",
        "N1*PR*ACME HEALTH PLAN",
        "N1*PE*PAIN CLINIC LLC*XX*1234567893",
        "LX*1",
    ]
    for claim in claims:
        body.extend(claim)
    body.extend(plb)
    return transaction("835", control, body)


PAID_CLAIM = [
    "CLP*PCN-1*1*1500*1000*100*12*PAYER-CN-1*11*1",
    "CAS*OA*23*0",
    "NM1*QC*1*DOE*JOHN****MI*M123",
    "SVC*HC:64483:RT:LT*900*600**1",
    "DTM*472*20261105",
    "CAS*CO*45*250*1",
    "CAS*PR*1*50",
    "REF*6R*LINE-1",
    "SVC*HC:64484:RT*600*400**2",
    "DTM*472*20261105",
    "CAS*CO*45*150",
    "CAS*PR*1*30*1*2*20*1",
    "REF*6R*LINE-2",
]
REVERSAL = [
    "CLP*PCN-2*22*-300*-250**12*PAYER-CN-2*11*1",
    "CAS*CO*45*-50",
]
DENIED = [
    "CLP*PCN-3*4*700*0**12*PAYER-CN-3*11*1",
    "CAS*CO*197*700",
    "MOA***N130",
]
