"""The claim intake model: what a billing office sends us for one professional claim.

Why pydantic v2 (and not attrs): intake is untrusted JSON, and pydantic gives us in one place
strict parsing with per-field locations for error messages (``claims[3].billing_provider.npi``),
normalisation (ICD-10 dots removed, upper case), a published JSON Schema (``gateway schema
claim``) and frozen, hashable value objects for the rest of the pipeline.  The models do no I/O.

Field sizes follow 837P 005010X222A1 element sizes so that a valid model always fits the wire.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from gateway.domain import codes
from gateway.domain.evidence import ClinicalEvidence

# Characters that are X12 delimiters in the files we write (and in most files anybody writes).
X12_RESERVED = frozenset("~*:^")
# Printable ASCII (space to '~') less the delimiters * : ^ ~: text that needs no folding, which
# is nearly all of it; one regex match instead of a Unicode normalisation and three scans.
_PLAIN_X12 = re.compile(r"[ -)+-9;-\]_-}]*")


def x12_text(value: str) -> str:
    """Fold to X12's character set: accents removed, printable ASCII only, no delimiters.

    The message never echoes the value: names and addresses are PHI.
    """
    if _PLAIN_X12.fullmatch(value):
        return value
    folded = unicodedata.normalize("NFKD", value)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    bad = sorted({ch for ch in folded if ch in X12_RESERVED})
    if bad:
        raise ValueError(f"contains the X12 delimiter character(s) {' '.join(bad)}")
    if any(not (" " <= ch <= "~") for ch in folded):
        raise ValueError("contains characters outside the X12 character set")
    return folded


def _upper_text(value: str) -> str:
    return x12_text(value).upper()


Text = Annotated[str, AfterValidator(x12_text)]
UpperText = Annotated[str, AfterValidator(_upper_text)]


def _npi(value: str) -> str:
    if not codes.npi_is_valid(value):
        raise ValueError(f"NPI {value} fails the 10-digit Luhn check digit")
    return value


def _icd10(value: str) -> str:
    code = value.replace(".", "").strip().upper()
    if not codes.ICD10CM_RE.fullmatch(code):
        raise ValueError(f"{value!r} is not an ICD-10-CM code (letter, digit, 1-5 more characters)")
    return code


def _procedure(value: str) -> str:
    code = value.strip().upper()
    if not codes.PROCEDURE_RE.fullmatch(code):
        raise ValueError(f"{value!r} is not a CPT or HCPCS code")
    return code


def _modifier(value: str) -> str:
    code = value.strip().upper()
    if not codes.MODIFIER_RE.fullmatch(code):
        raise ValueError(f"{value!r} is not a two-character modifier")
    return code


Npi = Annotated[str, AfterValidator(_npi)]
Icd10 = Annotated[str, AfterValidator(_icd10)]
ProcedureCode = Annotated[str, AfterValidator(_procedure)]
Modifier = Annotated[str, AfterValidator(_modifier)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Address(_Frozen):
    line1: Text = Field(min_length=1, max_length=55)
    line2: Text | None = Field(None, max_length=55)
    city: Text = Field(min_length=2, max_length=30)
    state: str = Field(pattern=codes.STATE_RE.pattern)
    postal_code: str = Field(pattern=codes.ZIP_RE.pattern, description="5 or 9 digits, no hyphen")


class BillingProvider(_Frozen):
    """Loop 2010AA.  An organisation (entity type 2) unless ``first_name`` is given."""

    npi: Npi
    tax_id: str = Field(pattern=codes.TAX_ID_RE.pattern, description="EIN (or SSN), 9 digits")
    tax_id_type: Literal["EI", "SY"] = "EI"
    taxonomy: str = Field(pattern=codes.TAXONOMY_RE.pattern)
    name: UpperText = Field(min_length=1, max_length=60, description="organisation or last name")
    first_name: UpperText | None = Field(None, max_length=35)
    address: Address
    contact_name: Text | None = Field(None, max_length=60)
    contact_phone: str | None = Field(None, pattern=r"^[0-9]{10}$")

    @field_validator("address")
    @classmethod
    def _nine_digit_zip(cls, address: Address) -> Address:
        # 837P 2010AA N403: the billing provider ZIP code must be the full nine digits.
        if len(address.postal_code) != 9:
            raise ValueError("the billing provider postal_code must have 9 digits (ZIP+4)")
        return address


class Provider(_Frozen):
    """Rendering (2310B) or referring (2310A) provider: a person."""

    npi: Npi
    last_name: UpperText = Field(min_length=1, max_length=60)
    first_name: UpperText | None = Field(None, max_length=35)
    taxonomy: str | None = Field(None, pattern=codes.TAXONOMY_RE.pattern)


class ServiceFacility(_Frozen):
    """Loop 2310C: where the service was rendered when that is not the billing address
    (an ambulatory surgical center, a hospital outpatient department)."""

    name: UpperText = Field(min_length=1, max_length=60)
    npi: Npi | None = None
    address: Address


class Person(_Frozen):
    last_name: UpperText = Field(min_length=1, max_length=60)
    first_name: UpperText | None = Field(None, max_length=35)
    middle_name: UpperText | None = Field(None, max_length=25)
    suffix: UpperText | None = Field(None, max_length=10)
    birth_date: dt.date
    gender: codes.Gender
    address: Address


class Subscriber(_Frozen):
    """Loop 2000B/2010BA: the insured."""

    member_id: UpperText = Field(min_length=2, max_length=80)
    group_number: UpperText | None = Field(None, max_length=50)
    payer_responsibility: codes.PayerResponsibility = codes.PayerResponsibility.PRIMARY
    claim_filing_indicator: codes.ClaimFilingIndicator
    person: Person


class Patient(_Frozen):
    """Loop 2000C/2010CA: only when the patient is not the subscriber."""

    relationship: codes.PatientRelationship
    person: Person


class Payer(_Frozen):
    """Loop 2010BB."""

    name: UpperText = Field(min_length=1, max_length=60)
    payer_id: UpperText = Field(min_length=2, max_length=80)
    state: str | None = Field(
        None, pattern=codes.STATE_RE.pattern, description="state of service, for state-specific rules"
    )


class ServiceLine(_Frozen):
    """Loop 2400: one procedure on one date."""

    procedure_code: ProcedureCode
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    charge: Money
    units: Decimal = Field(gt=0, max_digits=10, decimal_places=3)
    unit_type: Literal["UN", "MJ"] = "UN"
    diagnosis_pointers: list[int] = Field(min_length=1, max_length=4)
    service_date: dt.date
    service_date_end: dt.date | None = None
    place_of_service: str | None = Field(
        None, pattern=codes.PLACE_OF_SERVICE_RE.pattern, description="only when it differs from the claim's"
    )
    ndc: str | None = Field(None, pattern=codes.NDC11_RE.pattern, description="11-digit NDC (N4)")
    ndc_quantity: Decimal | None = Field(None, gt=0)
    ndc_unit: Literal["F2", "GR", "ME", "ML", "UN"] | None = None
    line_control_number: Text | None = Field(None, max_length=50, description="REF*6R, echoed in the 835")

    @field_validator("diagnosis_pointers")
    @classmethod
    def _pointer_range(cls, pointers: list[int]) -> list[int]:
        for pointer in pointers:
            if not 1 <= pointer <= 12:
                raise ValueError(f"diagnosis pointer {pointer} is outside 1-12")
        if len(set(pointers)) != len(pointers):
            raise ValueError("diagnosis pointers repeat")
        return pointers

    @model_validator(mode="after")
    def _line_consistency(self) -> ServiceLine:
        if self.service_date_end is not None and self.service_date_end < self.service_date:
            raise ValueError("service_date_end is before service_date")
        if self.ndc is not None and (self.ndc_quantity is None or self.ndc_unit is None):
            raise ValueError("an NDC needs ndc_quantity and ndc_unit")
        return self


class ClaimAttachment(_Frozen):
    """2300 PWK: a document sent with (or held for) the claim, e.g. the documentation packet.

    ``gateway packet`` gives the control number; the payer matches the document by it.
    """

    report_type: str = Field(
        "M1",
        pattern=r"^[0-9A-Z]{2}$",
        description="PWK01 (code list 755): M1 medical record, OB operative note, 09 progress report",
    )
    transmission: Literal["AA", "BM", "EL", "EM", "FT", "FX"] = Field(
        "EL",
        description="PWK02: AA at provider, BM mail, EL electronically, EM e-mail, FT file transfer, FX fax",
    )
    control_number: Text = Field(
        min_length=2, max_length=50, description="PWK06 (PWK05 AC): attachment control number"
    )


# 2000B/2320 SBR01 in the order payers are billed: primary, secondary, tertiary, then the
# IG's "payer responsibility four" to "eleven" (A-H).
RESPONSIBILITY_ORDER = "PSTABCDEFGH"


class AdjustmentAmount(_Frozen):
    """One CAS triplet as the earlier payer sent it (835 CAS -> 837P 2320/2430 CAS)."""

    group: Literal["CO", "CR", "OA", "PI", "PR"]
    reason: str = Field(pattern=r"^[A-Z0-9]{1,5}$", description="CARC")
    amount: Decimal = Field(max_digits=12, decimal_places=2, description="negative on reversals")
    quantity: Decimal | None = Field(None, max_digits=12, decimal_places=3)


class LineAdjudication(_Frozen):
    """Loop 2430: what an earlier payer did with one of this claim's service lines."""

    line_number: int = Field(ge=1, le=50, description="the claim's service line (1-based) it answers")
    procedure_code: ProcedureCode = Field(description="SVD03 as adjudicated (may differ from billed)")
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    paid: Decimal = Field(max_digits=12, decimal_places=2, description="SVD02")
    paid_units: Decimal = Field(ge=0, max_digits=10, decimal_places=3, description="SVD05")
    adjustments: list[AdjustmentAmount] = Field(default_factory=list, max_length=30)


class PriorAdjudication(_Frozen):
    """An earlier payer's answer (from its 835): 2320 CAS/AMT, 2330B REF*F8 and the 2430 loops."""

    paid: Decimal = Field(max_digits=12, decimal_places=2, description="2320 AMT*D (CLP04)")
    patient_responsibility: Decimal | None = Field(
        None, max_digits=12, decimal_places=2, description="2320 AMT*EAF (CLP05)"
    )
    adjudication_date: dt.date = Field(description="2430 DTP*573: the remittance's payment date")
    payer_claim_number: Text | None = Field(None, max_length=50, description="2330B REF*F8 (CLP07)")
    claim_adjustments: list[AdjustmentAmount] = Field(default_factory=list, max_length=30)
    lines: list[LineAdjudication] = Field(default_factory=list, max_length=50)


class OtherCoverage(_Frozen):
    """Another payer of this patient (loops 2320/2330A/2330B), in billing order.

    On an original claim to the primary these say who pays next; on a secondary or tertiary
    claim the earlier payers carry their ``adjudication`` from their 835.
    """

    payer: Payer
    member_id: UpperText = Field(min_length=2, max_length=80, description="2330A NM109")
    group_number: UpperText | None = Field(None, max_length=50)
    claim_filing_indicator: codes.ClaimFilingIndicator
    relationship: codes.SubscriberRelationship = codes.SubscriberRelationship.SELF
    subscriber: Person | None = Field(None, description="the other policy's holder; omit when the patient")
    responsibility: codes.PayerResponsibility | None = Field(
        None, description="SBR01 of this payer; by default the next free one in list order"
    )
    adjudication: PriorAdjudication | None = None

    @model_validator(mode="after")
    def _holder(self) -> OtherCoverage:
        if self.relationship != codes.SubscriberRelationship.SELF and self.subscriber is None:
            raise ValueError(
                f"relationship {self.relationship.value} needs the subscriber (the policy holder)"
            )
        return self


class Claim(_Frozen):
    """One 837P claim (loop 2300) with its parties, lines and the clinical evidence behind it."""

    patient_control_number: Text = Field(min_length=1, max_length=38)
    frequency_code: codes.FrequencyCode = codes.FrequencyCode.ORIGINAL
    original_claim_number: Text | None = Field(
        None, max_length=50, description="payer claim control number of the claim replaced or voided"
    )
    place_of_service: str = Field(pattern=codes.PLACE_OF_SERVICE_RE.pattern)
    diagnosis_codes: list[Icd10] = Field(min_length=1, max_length=12)
    prior_authorization: Text | None = Field(None, max_length=50)
    onset_date: dt.date | None = None
    initial_treatment_date: dt.date | None = None
    accept_assignment: Literal["A", "B", "C"] = Field("A", description="CLM07")
    benefits_assigned: bool = Field(True, description="CLM08: benefits assignment certification")
    release_of_information: Literal["Y", "I"] = Field("Y", description="CLM09")
    billing_provider: BillingProvider
    service_facility: ServiceFacility | None = None
    rendering_provider: Provider | None = None
    referring_provider: Provider | None = None
    subscriber: Subscriber
    patient: Patient | None = None
    payer: Payer
    service_lines: list[ServiceLine] = Field(min_length=1, max_length=50)
    evidence: ClinicalEvidence = Field(default_factory=ClinicalEvidence)
    attachments: list[ClaimAttachment] = Field(
        default_factory=list, max_length=10, description="2300 PWK: documents that go with the claim"
    )
    other_coverage: list[OtherCoverage] = Field(
        default_factory=list, max_length=10, description="the patient's other payers, in billing order"
    )

    @model_validator(mode="after")
    def _claim_consistency(self) -> Claim:
        if self.frequency_code != codes.FrequencyCode.ORIGINAL and not self.original_claim_number:
            raise ValueError(
                f"frequency code {self.frequency_code.value} needs original_claim_number (REF*F8)"
            )
        if len(set(self.diagnosis_codes)) != len(self.diagnosis_codes):
            raise ValueError("diagnosis codes repeat")
        for number, line in enumerate(self.service_lines, start=1):
            for pointer in line.diagnosis_pointers:
                if pointer > len(self.diagnosis_codes):
                    raise ValueError(
                        f"service line {number}: diagnosis pointer {pointer} points past the "
                        f"{len(self.diagnosis_codes)} diagnosis code(s)"
                    )
        self._check_birth_dates()
        self._check_other_coverage()
        return self

    def _check_birth_dates(self) -> None:
        """Nobody is treated before being born: a typo a payer denies (values stay out: PHI)."""
        first = min(line.service_date for line in self.service_lines)
        people = [("subscriber.person", self.subscriber.person)]
        if self.patient is not None:
            people.append(("patient.person", self.patient.person))
        for where, person in people:
            if person.birth_date > first:
                raise ValueError(f"{where}.birth_date is after the first date of service")

    def _check_other_coverage(self) -> None:
        own = self.subscriber.payer_responsibility
        seen = {own.value}
        for number, other in enumerate(self.other_coverage):
            where = f"other_coverage[{number}]"
            if other.payer.payer_id == self.payer.payer_id:
                raise ValueError(
                    f"{where}: payer {other.payer.payer_id} is the payer this claim is billed to"
                )
            letter = other.responsibility
            if letter is not None and letter.value in seen:
                raise ValueError(f"{where}: payer responsibility {letter.value} is used twice")
            if letter is not None:
                seen.add(letter.value)
            adjudication = other.adjudication
            if adjudication is None:
                continue
            if RESPONSIBILITY_ORDER.index(self.responsibility_of(number)) > RESPONSIBILITY_ORDER.index(own):
                raise ValueError(f"{where}: a payer after this claim's payer cannot have adjudicated it")
            for line in adjudication.lines:
                if line.line_number > len(self.service_lines):
                    raise ValueError(
                        f"{where}.adjudication: line {line.line_number} is past the "
                        f"{len(self.service_lines)} service line(s)"
                    )

    def responsibility_of(self, number: int) -> str:
        """SBR01 of ``other_coverage[number]``: its own, else the next letter nobody has taken."""
        given = self.other_coverage[number].responsibility
        if given is not None:
            return given.value
        taken = {self.subscriber.payer_responsibility.value} | {
            o.responsibility.value for o in self.other_coverage if o.responsibility is not None
        }
        free = [letter for letter in RESPONSIBILITY_ORDER if letter not in taken]
        unset_before = sum(1 for o in self.other_coverage[:number] if o.responsibility is None)
        return free[unset_before]

    @property
    def total_charge(self) -> Decimal:
        """CLM02: always the sum of the line charges, so the claim balances by construction."""
        return sum((line.charge for line in self.service_lines), Decimal(0))

    @property
    def first_service_date(self) -> dt.date:
        return min(line.service_date for line in self.service_lines)


class ClaimBatch(_Frozen):
    """The intake file: ``{"claims": [...]}``."""

    claims: list[Claim] = Field(min_length=1)
