"""Hand-written 278 X217 interchanges (our own fixtures) and helpers to break them on purpose.

Segments are kept as lists so a test can drop, swap or edit one; ``interchange`` recomputes SE01
so that each broken variant carries exactly the one defect the test is about.
"""

from __future__ import annotations

from gateway.domain.auth_response import AuthResponse
from gateway.inbound.document import parse_bytes

ISA = "ISA*00*          *00*          *ZZ*PAINCLINIC     *ZZ*UMOPAYER       *260105*0930*^*00501*000000101*0*T*:~"

REQUEST_BODY = [
    "BHT*0007*13*REQ0001*20260105*0930",
    "HL*1**20*1",
    "NM1*X3*2*ACME HEALTH PLAN*****PI*PAYER01",
    "HL*2*1*21*1",
    "NM1*1P*2*SPRINGFIELD PAIN CENTER*****XX*1234567893",
    "N3*123 MAIN ST",
    "N4*SPRINGFIELD*IL*62701",
    "PER*IC*AUTH DESK*TE*2175550100",
    "PRV*PE*PXC*208VP0014X",
    "HL*3*2*22*1",
    "NM1*IL*1*DOE*JOHN****MI*MEM000000001",
    "DMG*D8*19600101*M",
    "HL*4*3*EV*1",
    "TRN*1*REQ0001*9123456789",
    "UM*HS*I*2*22:B",
    "DTP*AAH*RD8*20260115-20260415",
    "HI*ABK:M5416*ABF:M47816",
    "MSG*FAILED PT 12 WEEKS 20250901-20251124; NRS 8/10; ODI 46",
    "HL*5*4*SS*0",
    "TRN*1*REQ0001-1*9123456789",
    "UM*HS*I*2*22:B",
    "DTP*472*RD8*20260115-20260415",
    "SV1*HC:64483:RT**UN*1",
    "HSD*VS*1",
    "NM1*SJ*1*SMITH*JANE****XX*1234567893",
    "PRV*PE*PXC*208VP0014X",
]

RESPONSE_BODY = [
    "BHT*0007*11*REQ0001*20260106*1015*18",
    "HL*1**20*1",
    "NM1*X3*2*ACME HEALTH PLAN*****PI*PAYER01",
    "HL*2*1*21*1",
    "NM1*1P*2*SPRINGFIELD PAIN CENTER*****XX*1234567893",
    "HL*3*2*22*1",
    "NM1*IL*1*DOE*JOHN****MI*MEM000000001",
    "HL*4*3*EV*1",
    "TRN*2*REQ0001*9123456789",
    "UM*HS*I*2*22:B",
    "HCR*A1*AUTH778899",
    "DTP*AAH*RD8*20260115-20260415",
    "HL*5*4*SS*0",
    "TRN*2*REQ0001-1*9123456789",
    "UM*HS*I*2*22:B",
    "HCR*A1*AUTH778899",
    "DTP*472*RD8*20260115-20260415",
    "SV1*HC:64483:RT**UN*1",
    "HSD*VS*1",
]


def interchange(body: list[str], functional_id: str = "HI", version: str = "005010X217") -> str:
    """ISA..IEA around one transaction set whose body (BHT..last segment) is ``body``."""
    segments = [f"ST*278*0001*{version}", *body]
    segments.append(f"SE*{len(segments) + 1}*0001")
    group = [f"GS*{functional_id}*PAINCLINIC*UMOPAYER*20260105*0930*101*X*{version}", *segments, "GE*1*101"]
    return ISA + "~".join([*group, "IEA*1*000000101"]) + "~"


def without(body: list[str], prefix: str) -> list[str]:
    """``body`` minus the first segment starting with ``prefix``."""
    index = next(i for i, segment in enumerate(body) if segment.startswith(prefix))
    return body[:index] + body[index + 1 :]


def replaced(body: list[str], old: str, new: str) -> list[str]:
    index = next(i for i, segment in enumerate(body) if segment.startswith(old))
    return [*body[:index], new, *body[index + 1 :]]


def responses_in(data: str | bytes, name: str = "t.278") -> list[AuthResponse]:
    """The 278 transactions of a file as ``gateway parse`` reads them (one parse per file)."""
    raw = data.encode() if isinstance(data, str) else data
    return [t.body for t in parse_bytes(raw, name).transactions if isinstance(t.body, AuthResponse)]
