"""The prior-authorization request intake model: what a clinic asks a UMO to certify.

One ``AuthRequest`` becomes one 278 005010X217 request transaction set (BHT02 13): the UMO
(2010A), the clinic as requester (2010B), subscriber and patient (2010C/2010D), the patient
event (2000E: UM, dates, diagnoses, clinical justification) and one service level (2000F) per
procedure asked for.  The parties are the claim model's own (``gateway.domain.claim``) so that
the same JSON fragments describe a claim and the authorization it needs, and the clinical
justification comes from the same ``ClinicalEvidence`` block the payer rules read.

Like the claim model this is pydantic v2, frozen, ``extra="forbid"``, and does no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.domain.claim import (
    BillingProvider,
    Claim,
    Icd10,
    Modifier,
    Patient,
    Payer,
    ProcedureCode,
    Provider,
    ServiceFacility,
    Subscriber,
    Text,
    UpperText,
)
from gateway.domain.codes import PLACE_OF_SERVICE_RE
from gateway.domain.evidence import ClinicalEvidence

MAX_DIAGNOSES = 12  # HI01-HI12
MAX_ATTACHMENTS = 10  # PWK max use per loop


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class RequestCategory(StrEnum):
    """UM01 at 2000E."""

    HEALTH_SERVICES_REVIEW = "HS"  # outpatient procedures, imaging: the pain-clinic case
    SPECIALTY_CARE_REVIEW = "SC"  # referrals
    ADMISSION_REVIEW = "AR"
    INDIVIDUAL = "IN"


class CertificationType(StrEnum):
    """UM02: what kind of review is asked for."""

    INITIAL = "I"
    RENEWAL = "R"
    REVISED = "S"
    EXTENSION = "4"
    CANCEL = "3"
    APPEAL_IMMEDIATE = "1"
    APPEAL_STANDARD = "2"
    RECONSIDERATION = "N"


class LevelOfService(StrEnum):
    """UM06 (X217 subset unconfirmed in public sources; 4010 allowed 03 and U)."""

    EMERGENCY = "03"
    URGENT = "U"
    ELECTIVE = "E"


class ReportType(StrEnum):
    """PWK01 report types a pain clinic sends (base code list 755)."""

    JUSTIFICATION_BEYOND_GUIDELINES = "03"
    PLAN_OF_TREATMENT = "08"
    PROGRESS_REPORT = "09"
    DIAGNOSTIC_REPORT = "DG"
    MEDICAL_RECORD = "M1"
    OPERATIVE_NOTE = "OB"
    RADIOLOGY_REPORTS = "RR"
    PHYSICIAN_ORDER = "B3"


class TransmissionCode(StrEnum):
    """PWK02: how the payer gets the document."""

    AVAILABLE_AT_PROVIDER = "AA"
    BY_MAIL = "BM"
    ELECTRONICALLY = "EL"
    EMAIL = "EM"
    FAX = "FX"


class Attachment(_Frozen):
    """A PWK indicator: a document that backs the request and how it travels."""

    report_type: ReportType
    transmission: TransmissionCode = TransmissionCode.AVAILABLE_AT_PROVIDER
    control_number: Text | None = Field(
        None, min_length=2, max_length=50, description="PWK06 (with PWK05 AC)"
    )
    description: UpperText | None = Field(None, max_length=80)

    @model_validator(mode="after")
    def _sent_documents_are_numbered(self) -> Attachment:
        if self.transmission != TransmissionCode.AVAILABLE_AT_PROVIDER and not self.control_number:
            raise ValueError("a document sent by mail, fax or electronically needs its control_number")
        return self


class AuthService(_Frozen):
    """One procedure asked for (2000F): code, modifiers, units and the window to perform it."""

    procedure_code: ProcedureCode
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(gt=0, max_digits=10, decimal_places=3)
    start_date: dt.date
    end_date: dt.date | None = Field(None, description="None for a single planned date")

    @model_validator(mode="after")
    def _window_in_order(self) -> AuthService:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self

    @property
    def last_date(self) -> dt.date:
        return self.end_date or self.start_date


class AuthRequest(_Frozen):
    """One prior-authorization request: one 278 transaction set."""

    request_id: Text = Field(
        min_length=1, max_length=50, description="our reference: BHT03 and TRN02, echoed in the response"
    )
    umo: Payer = Field(description="the payer or utilization management organization (2010A)")
    requester: BillingProvider = Field(description="the clinic asking (2010B)")
    subscriber: Subscriber
    patient: Patient | None = Field(None, description="only when the patient is not the subscriber")
    rendering_provider: Provider | None = Field(None, description="the physician who performs (2010EA SJ)")
    facility: ServiceFacility | None = Field(
        None, description="where it happens, when not at the clinic (2010EA 77)"
    )
    category: RequestCategory = RequestCategory.HEALTH_SERVICES_REVIEW
    certification_type: CertificationType = CertificationType.INITIAL
    service_type: str | None = Field(None, pattern=r"^[0-9A-Z]{1,2}$", description="UM03, e.g. 2 surgical")
    place_of_service: str = Field(pattern=PLACE_OF_SERVICE_RE.pattern, description="UM04 with qualifier B")
    level_of_service: LevelOfService | None = None
    previous_authorization: Text | None = Field(
        None,
        max_length=50,
        description="REF*BB: the authorization being extended, revised, appealed, cancelled",
    )
    diagnosis_codes: list[Icd10] = Field(min_length=1, max_length=MAX_DIAGNOSES)
    onset_date: dt.date | None = None
    services: list[AuthService] = Field(min_length=1, max_length=50)
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    evidence: ClinicalEvidence = Field(default_factory=ClinicalEvidence)

    @model_validator(mode="after")
    def _request_consistency(self) -> AuthRequest:
        if len(set(self.diagnosis_codes)) != len(self.diagnosis_codes):
            raise ValueError("diagnosis codes repeat")
        if self.certification_type != CertificationType.INITIAL and not self.previous_authorization:
            raise ValueError(
                f"certification type {self.certification_type.value} needs previous_authorization (REF*BB)"
            )
        return self

    @property
    def first_date(self) -> dt.date:
        return min(service.start_date for service in self.services)

    @property
    def last_date(self) -> dt.date:
        return max(service.last_date for service in self.services)

    @property
    def symptom_onset(self) -> dt.date | None:
        return self.onset_date or self.evidence.pain_onset_date


class AuthBatch(_Frozen):
    """The intake file: ``{"auth_requests": [...]}``."""

    auth_requests: list[AuthRequest] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> AuthBatch:
        ids = [request.request_id for request in self.auth_requests]
        if len(set(ids)) != len(ids):
            raise ValueError("request_id repeats: each request needs its own (it comes back in the response)")
        return self


# --- authorizations on file, and claims meeting them -----------------------------------------


class AuthStatus(StrEnum):
    """Where an authorization stands: requested -> pended -> approved / modified / denied."""

    REQUESTED = "requested"
    PENDED = "pended"
    APPROVED = "approved"
    MODIFIED = "modified"  # certified, but not as asked (fewer units, other dates)
    DENIED = "denied"
    CANCELLED = "cancelled"
    NOT_REQUIRED = "not_required"
    REJECTED = "rejected"  # AAA: the UMO could not review the request

    @property
    def usable(self) -> bool:
        return self in (AuthStatus.APPROVED, AuthStatus.MODIFIED)


# HCR01 -> status (A2 "certified - partial" and A6 "modified" both certify less than asked;
# CT "contact payer" is not a decision yet).
STATUS_BY_DECISION = {
    "A1": AuthStatus.APPROVED,
    "A2": AuthStatus.MODIFIED,
    "A6": AuthStatus.MODIFIED,
    "A3": AuthStatus.DENIED,
    "A4": AuthStatus.PENDED,
    "CT": AuthStatus.PENDED,
    "C": AuthStatus.CANCELLED,
    "NA": AuthStatus.NOT_REQUIRED,
}


@dataclass(frozen=True, slots=True)
class AuthorizedService:
    procedure_code: str
    units_approved: Decimal
    units_consumed: Decimal
    start_date: dt.date
    end_date: dt.date

    @property
    def units_left(self) -> Decimal:
        return self.units_approved - self.units_consumed


@dataclass(frozen=True, slots=True)
class AuthRecord:
    """An authorization as the store knows it (no PHI: the patient is a key elsewhere)."""

    request_id: str
    status: AuthStatus
    certification_number: str | None
    services: tuple[AuthorizedService, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Claim line ``line_number`` is covered by ``units`` of an authorization's service."""

    line_number: int
    request_id: str
    certification_number: str
    procedure_code: str
    units: Decimal
    service_date: dt.date


@dataclass(frozen=True, slots=True)
class AuthDecision:
    """The claim with its authorization number filled in, or why it must be held."""

    claim: Claim
    coverages: tuple[Coverage, ...] = ()
    reasons: tuple[str, ...] = ()
    # Lines whose code no authorization on file names at all (nothing was ever requested).
    unfiled_lines: tuple[int, ...] = ()

    @property
    def held(self) -> bool:
        return bool(self.reasons)

    @property
    def nothing_on_file(self) -> bool:
        """Held only because no authorization was ever filed for the codes (none pended, denied...)."""
        return self.held and len(self.unfiled_lines) == len(self.reasons)


def _why_not(code: str, day: dt.date, units: Decimal, auths: Sequence[AuthRecord]) -> str:
    """The clearest reason no authorization on file covers ``code`` on ``day``."""
    related = [(a, s) for a in auths for s in a.services if s.procedure_code == code]
    if not related:
        return f"no authorization on file covers {code}"
    usable = [(a, s) for a, s in related if a.status.usable]
    if not usable:
        auth = related[-1][0]
        return f"authorization {auth.request_id} for {code} is {auth.status.value}, not approved"
    in_window = [(a, s) for a, s in usable if s.start_date <= day <= s.end_date]
    if not in_window:
        auth, service = max(usable, key=lambda pair: pair[1].end_date)
        when = "expired" if day > service.end_date else "not yet valid"
        return (
            f"authorization {auth.certification_number} for {code} is valid {service.start_date.isoformat()}"
            f" to {service.end_date.isoformat()}; service date {day.isoformat()} is outside it ({when})"
        )
    auth, service = max(in_window, key=lambda pair: pair[1].units_left)
    if service.units_approved == 0:
        return f"authorization {auth.certification_number} did not certify {code}"
    return (
        f"authorization {auth.certification_number} for {code} is exhausted: {service.units_left} of "
        f"{service.units_approved} unit(s) left, the line needs {units}"
    )


def match_claim(
    claim: Claim, auths: Sequence[AuthRecord], required_codes: Collection[str] | None = None
) -> AuthDecision:
    """Cover each line whose code needs authorization (all lines if ``required_codes`` is None).

    A line is covered by an approved or modified authorization of the same procedure whose
    window contains the date of service and which has enough units left (counting what earlier
    lines of this claim take).  The claim carries one number (837P 2300 REF*G1), so all covered
    lines must share one authorization; the earliest-expiring one is used first.
    """
    left: dict[tuple[str, int], Decimal] = {}
    coverages: list[Coverage] = []
    reasons: list[str] = []
    unfiled: list[int] = []
    filed_codes = {s.procedure_code for a in auths for s in a.services}
    wanted = claim.prior_authorization
    for number, line in enumerate(claim.service_lines, start=1):
        code = line.procedure_code
        if required_codes is not None and code not in required_codes:
            continue
        candidates = [
            (a, i, s)
            for a in auths
            if a.status.usable
            and a.certification_number
            and (wanted is None or a.certification_number == wanted)
            for i, s in enumerate(a.services)
            if s.procedure_code == code and s.start_date <= line.service_date <= s.end_date
        ]
        candidates.sort(key=lambda c: (c[2].end_date, c[0].request_id))
        for auth, index, service in candidates:
            key = (auth.request_id, index)
            available = left.setdefault(key, service.units_left)
            if available >= line.units:
                left[key] = available - line.units
                assert auth.certification_number is not None
                coverages.append(
                    Coverage(
                        number,
                        auth.request_id,
                        auth.certification_number,
                        code,
                        line.units,
                        line.service_date,
                    )
                )
                break
        else:
            if wanted is None or any(a.certification_number == wanted for a in auths):
                reasons.append(f"line {number}: {_why_not(code, line.service_date, line.units, auths)}")
                if code not in filed_codes:
                    unfiled.append(number)
    numbers = sorted({c.certification_number for c in coverages})
    if len(numbers) > 1:
        reasons.append(
            f"lines are covered by different authorizations ({', '.join(numbers)}): split the claim"
        )
    if reasons:
        return AuthDecision(claim, (), tuple(reasons), tuple(unfiled))
    if numbers and claim.prior_authorization != numbers[0]:
        claim = claim.model_copy(update={"prior_authorization": numbers[0]})
    return AuthDecision(claim, tuple(coverages))


def covered_lines(claim: Claim, auths: Sequence[AuthRecord]) -> tuple[Coverage, ...]:
    """The lines a built claim takes units for: those whose code and date of service a usable
    authorization with the claim's REF*G1 number covers (what screening matched them against)."""
    number = claim.prior_authorization
    if not number:
        return ()
    usable = [a for a in auths if a.certification_number == number and a.status.usable]
    coverages = []
    for line_number, line in enumerate(claim.service_lines, start=1):
        for auth in usable:
            if any(
                s.procedure_code == line.procedure_code and s.start_date <= line.service_date <= s.end_date
                for s in auth.services
            ):
                coverages.append(
                    Coverage(
                        line_number,
                        auth.request_id,
                        number,
                        line.procedure_code,
                        line.units,
                        line.service_date,
                    )
                )
                break
    return tuple(coverages)
