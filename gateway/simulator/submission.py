"""What the simulator needs from an uploaded file: its envelope, its claims and its 278 requests.

A payer reads a great deal more; the simulator keeps what its answers echo (claim numbers,
charges, service lines with their control numbers, the parties named in a 277CA or 835) and
the 278 request segments as they came (a 278 response repeats the request's tree).

These are pydantic models because pending claims and reviews are kept in the state file
between cycles.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from gateway.x12.reader import Segment
from gateway.x12.values import decimal_or_zero


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Parties(_Model):
    """Who a response goes from and to: the upload's ISA/GS identities, swapped."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    gs_sender: str
    gs_receiver: str
    usage: str = "T"


class SubmittedLine(_Model):
    procedure: str
    modifiers: list[str] = Field(default_factory=list)
    charge: Decimal
    units: Decimal = Decimal(1)
    service_date: str = ""  # CCYYMMDD (first day)
    control_number: str = ""  # REF*6R
    # 2430 per earlier payer (SVD01): the patient's share that payer left (its PR CAS amounts).
    prior_patient_share: dict[str, Decimal] = Field(default_factory=dict)


class PriorPayer(_Model):
    """One 2320/2330B loop: a payer billed before this one, and what it paid (AMT*D)."""

    payer_id: str = ""
    responsibility: str = ""  # 2320 SBR01
    paid: Decimal | None = None  # None: named as coverage, not adjudicated
    claim_patient_share: Decimal = Decimal(0)  # PR amounts of the 2320 CAS


class SubmittedClaim(_Model):
    patient_control_number: str
    charge: Decimal
    facility_code: str = "11"  # CLM05-1
    frequency_code: str = "1"  # CLM05-3
    filing_indicator: str = "CI"  # SBR09
    prior_authorization: str | None = None  # REF*G1
    payer_name: str = ""
    payer_id: str = ""
    provider_name: str = ""
    provider_npi: str = ""
    patient_last_name: str = ""
    patient_first_name: str = ""
    member_id: str = ""
    transaction_control_number: str = ""  # ST02 of the 837 it came in
    lines: list[SubmittedLine] = Field(default_factory=list)
    diagnosis_codes: list[str] = Field(default_factory=list)  # HI, principal first
    payer_sequence: str = "P"  # 2000B SBR01: P primary, S secondary, T tertiary ...
    other_payers: list[PriorPayer] = Field(default_factory=list)  # 2320 loops, in file order

    @property
    def last_prior_payer(self) -> PriorPayer | None:
        """The payer that adjudicated the claim just before this one (the patient's share is its)."""
        adjudicated = [payer for payer in self.other_payers if payer.paid is not None]
        return adjudicated[-1] if adjudicated else None

    @property
    def first_date(self) -> str:
        return min((line.service_date for line in self.lines if line.service_date), default="")

    @property
    def last_date(self) -> str:
        return max((line.service_date for line in self.lines if line.service_date), default="")


class Submitted837(_Model):
    """One 837P transaction set: the batch reference (BHT03), the submitter and its claims."""

    control_number: str
    group_control_number: str  # GS06 of its functional group (the 999's AK102)
    reference: str
    submitter_name: str
    submitter_id: str
    claims: list[SubmittedClaim]


class Submitted278(_Model):
    """One 278 request transaction set, its segments as element lists (ST and SE excluded)."""

    control_number: str
    group_control_number: str
    component: str = ":"
    rows: list[list[str]]

    @property
    def purpose(self) -> str:
        """BHT02: 13 request, 01 cancellation, 36 authority to deduct, 11 response."""
        bht = next((row for row in self.rows if row[0] == "BHT"), [])
        return bht[2] if len(bht) > 2 else ""


class _ClaimReader:
    """Walks one 837P transaction; HL levels decide whose NM1 a segment belongs to."""

    def __init__(self, control_number: str) -> None:
        self.control_number = control_number
        self.reference = ""
        self.submitter = ("", "")
        self.claims: list[SubmittedClaim] = []
        self.level = ""
        self.provider = ("", "")
        self.payer = ("", "")
        self.subscriber = ("", "", "")
        self.patient = ("", "", "")
        self.filing = "CI"
        self.sequence = "P"
        self.claim: SubmittedClaim | None = None
        self.line: SubmittedLine | None = None
        self.other: PriorPayer | None = None  # the open 2320 loop
        self.svd_payer = ""  # the open 2430 loop's SVD01

    def feed(self, seg: Segment) -> None:
        handler = getattr(self, f"_on_{seg.id.lower()}", None)
        if handler is not None:
            handler(seg)

    def _on_bht(self, seg: Segment) -> None:
        self.reference = seg[3]

    def _on_hl(self, seg: Segment) -> None:
        self.level, self.claim, self.line, self.other = seg[3], None, None, None
        if self.level == "22":
            self.patient = ("", "", "")

    def _on_sbr(self, seg: Segment) -> None:
        if self.claim is not None:  # 2320: another payer of this claim
            self.other = PriorPayer(responsibility=seg[1])
            self.claim.other_payers.append(self.other)
            return
        self.filing = seg[9] or self.filing
        self.sequence = seg[1] or "P"

    def _on_amt(self, seg: Segment) -> None:
        if self.other is not None and self.line is None and seg[1] == "D":
            self.other.paid = decimal_or_zero(seg[2])

    def _on_cas(self, seg: Segment) -> None:
        if seg[1] != "PR":
            return
        share = sum((decimal_or_zero(seg[p]) for p in range(3, 19, 3) if seg[p]), Decimal(0))
        if self.line is not None and self.svd_payer:
            shares = self.line.prior_patient_share
            shares[self.svd_payer] = shares.get(self.svd_payer, Decimal(0)) + share
        elif self.line is None and self.other is not None:
            self.other.claim_patient_share += share

    def _on_svd(self, seg: Segment) -> None:
        if self.line is not None:
            self.svd_payer = seg[1]
            self.line.prior_patient_share.setdefault(seg[1], Decimal(0))

    def _on_nm1(self, seg: Segment) -> None:
        entity = seg[1]
        if entity == "41":
            self.submitter = (seg[3], seg[9])
        elif entity == "85" and self.level == "20":
            self.provider = (seg[3], seg[9])
        elif entity == "IL" and self.claim is None:  # 2330A (inside a claim) is another payer's holder
            self.subscriber = (seg[3], seg[4], seg[9])
        elif entity == "QC":
            self.patient = (seg[3], seg[4], self.subscriber[2])
        elif entity == "PR" and self.claim is None:
            self.payer = (seg[3], seg[9])
        elif entity == "PR" and self.other is not None:
            self.other.payer_id = seg[9]

    def _on_clm(self, seg: Segment) -> None:
        last, first, member = self.patient if self.patient[0] else self.subscriber
        self.claim = SubmittedClaim(
            patient_control_number=seg[1],
            charge=decimal_or_zero(seg[2]),
            facility_code=seg.component(5, 1) or "11",
            frequency_code=seg.component(5, 3) or "1",
            filing_indicator=self.filing,
            payer_name=self.payer[0],
            payer_id=self.payer[1],
            provider_name=self.provider[0],
            provider_npi=self.provider[1],
            patient_last_name=last,
            patient_first_name=first,
            member_id=member or self.subscriber[2],
            transaction_control_number=self.control_number,
            payer_sequence=self.sequence,
        )
        self.line, self.other, self.svd_payer = None, None, ""
        self.claims.append(self.claim)

    def _on_ref(self, seg: Segment) -> None:
        if self.claim is None:
            return
        if seg[1] == "G1" and self.line is None:
            self.claim.prior_authorization = seg[2]
        elif seg[1] == "6R" and self.line is not None:
            self.line.control_number = seg[2]

    def _on_hi(self, seg: Segment) -> None:
        if self.claim is not None:
            self.claim.diagnosis_codes += [
                seg.component(p, 2) for p in range(1, len(seg) + 1) if seg.component(p, 2)
            ]

    def _on_lx(self, seg: Segment) -> None:
        self.line, self.other, self.svd_payer = None, None, ""

    def _on_sv1(self, seg: Segment) -> None:
        if self.claim is None:
            return
        parts = seg.components(1)
        self.line = SubmittedLine(
            procedure=parts[1] if len(parts) > 1 else "",
            modifiers=[p for p in parts[2:6] if p],
            charge=decimal_or_zero(seg[2]),
            units=decimal_or_zero(seg[4]) or Decimal(1),
        )
        self.claim.lines.append(self.line)

    def _on_dtp(self, seg: Segment) -> None:
        if self.line is not None and seg[1] == "472":
            self.line.service_date = seg[3][:8]


def read_837(segments: Iterable[Segment]) -> list[Submitted837]:
    """Every 837 transaction set among ``segments`` (one interchange or more)."""
    found: list[Submitted837] = []
    reader: _ClaimReader | None = None
    group = ""
    for seg in segments:
        if seg.id == "GS":
            group = seg[6]
        elif seg.id == "ST":
            reader = _ClaimReader(seg[2]) if seg[1] == "837" else None
        elif seg.id == "SE" and reader is not None:
            found.append(
                Submitted837(
                    control_number=reader.control_number,
                    group_control_number=group,
                    reference=reader.reference,
                    submitter_name=reader.submitter[0],
                    submitter_id=reader.submitter[1],
                    claims=reader.claims,
                )
            )
            reader = None
        elif reader is not None:
            reader.feed(seg)
    return found


def read_278(segments: Iterable[Segment]) -> list[Submitted278]:
    """Every 278 transaction set among ``segments``, rows kept as they came."""
    found: list[Submitted278] = []
    current: Submitted278 | None = None
    group = ""
    for seg in segments:
        if seg.id == "GS":
            group = seg[6]
        elif seg.id == "ST":
            current = (
                Submitted278(
                    control_number=seg[2],
                    group_control_number=group,
                    component=seg.delimiters.component,
                    rows=[],
                )
                if seg[1] == "278"
                else None
            )
        elif seg.id == "SE" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.rows.append(list(seg.elements))
    return found
