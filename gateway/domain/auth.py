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
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.domain.claim import (
    BillingProvider,
    Icd10,
    Modifier,
    Npi,
    Patient,
    Payer,
    ProcedureCode,
    Provider,
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
    control_number: Text | None = Field(None, min_length=2, max_length=50, description="PWK06 (with PWK05 AC)")
    description: UpperText | None = Field(None, max_length=80)

    @model_validator(mode="after")
    def _sent_documents_are_numbered(self) -> Attachment:
        if self.transmission != TransmissionCode.AVAILABLE_AT_PROVIDER and not self.control_number:
            raise ValueError("a document sent by mail, fax or electronically needs its control_number")
        return self


class ServiceFacility(_Frozen):
    """Where the procedure happens when that is not the requesting clinic (2010EA NM1*77)."""

    name: UpperText = Field(min_length=1, max_length=60)
    npi: Npi
    line1: Text = Field(min_length=1, max_length=55)
    city: Text = Field(min_length=2, max_length=30)
    state: str = Field(pattern=r"^[A-Z]{2}$")
    postal_code: str = Field(pattern=r"^[0-9]{5}(?:[0-9]{4})?$")


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
    facility: ServiceFacility | None = None
    category: RequestCategory = RequestCategory.HEALTH_SERVICES_REVIEW
    certification_type: CertificationType = CertificationType.INITIAL
    service_type: str | None = Field(None, pattern=r"^[0-9A-Z]{1,2}$", description="UM03, e.g. 2 surgical")
    place_of_service: str = Field(pattern=PLACE_OF_SERVICE_RE.pattern, description="UM04 with qualifier B")
    level_of_service: LevelOfService | None = None
    previous_authorization: Text | None = Field(
        None, max_length=50, description="REF*BB: the authorization being extended, revised, appealed, cancelled"
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


# --- clinical justification ------------------------------------------------------------------

_THERAPY_LABELS = {
    "physical_therapy": "PT",
    "pharmacotherapy": "MEDS",
    "home_exercise": "HOME EXERCISE",
    "chiropractic": "CHIRO",
    "activity_modification": "ACTIVITY MODIFICATION",
    "cognitive_behavioral": "CBT",
    "acupuncture": "ACUPUNCTURE",
    "other": "OTHER THERAPY",
}
_FREE_TEXT_LIMIT = 90


def _day(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _free(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _FREE_TEXT_LIMIT else text[: _FREE_TEXT_LIMIT - 3].rstrip() + "..."


def justification_facts(evidence: ClinicalEvidence) -> list[str]:
    """The evidence as short facts, most persuasive first: what reviewers check, in their order.

    Failed conservative care with dates, then pain and function scores, the outcome of earlier
    procedures, imaging, and the special evaluations (psychology, stimulator trial).  The text
    is raw (mixed case, any punctuation); the 278 builder folds it into MSG segments.
    """
    facts: list[str] = []
    for therapy in evidence.conservative_therapies:
        label = _THERAPY_LABELS.get(therapy.kind.value, therapy.kind.value.upper())
        if therapy.drug_classes:
            label += " (" + "/".join(therapy.drug_classes) + ")"
        end = _day(therapy.end_date) if therapy.end_date else "ONGOING"
        fact = f"{label} {_day(therapy.start_date)}-{end} {therapy.response.value.replace('_', ' ')}"
        if therapy.details:
            fact += f" - {_free(therapy.details)}"
        facts.append(fact)
    for score in evidence.pain_scores:
        context = f" {score.context}" if score.context else ""
        facts.append(f"{score.scale.value} {_number(score.score)} {_day(score.date)}{context}")
    for impact in evidence.functional_impacts:
        facts.append(f"FUNCTION {_day(impact.date)} - {_free(impact.description)}")
    for prior in evidence.prior_procedures:
        parts = [f"PRIOR {prior.procedure_code} {_day(prior.date)} {prior.region.value}"]
        if prior.levels:
            parts.append("/".join(prior.levels))
        if prior.laterality:
            parts.append(prior.laterality.value)
        if prior.percent_relief is not None:
            parts.append(f"{_number(prior.percent_relief)} PCT RELIEF")
        if prior.relief_duration_days is not None:
            parts.append(f"{prior.relief_duration_days} DAYS")
        if prior.diagnostic:
            parts.append("DIAGNOSTIC")
        if prior.functional_change:
            parts.append(f"- {_free(prior.functional_change)}")
        facts.append(" ".join(parts))
    for report in evidence.imaging_reports:
        concordant = "CONCORDANT" if report.concordant_with_diagnosis else "NOT CONCORDANT"
        facts.append(f"{report.modality} {_day(report.date)} {concordant} - {_free(report.finding)}")
    if evidence.imaging_guidance is not None:
        facts.append(f"GUIDANCE {evidence.imaging_guidance.value}")
    if evidence.psych_evaluation is not None:
        cleared = "CLEARED" if evidence.psych_evaluation.cleared else "NOT CLEARED"
        facts.append(f"PSYCH EVAL {_day(evidence.psych_evaluation.date)} {cleared}")
    if evidence.stimulator_trial is not None:
        trial = evidence.stimulator_trial
        facts.append(
            f"SCS TRIAL {_day(trial.start_date)}-{_day(trial.end_date)} {_number(trial.percent_relief)} PCT RELIEF"
        )
    return facts


def evidence_attachments(evidence: ClinicalEvidence) -> list[Attachment]:
    """PWK indicators the evidence implies: reports the clinic holds and can produce on request."""
    found: list[Attachment] = []
    if evidence.imaging_reports:
        found.append(Attachment(report_type=ReportType.RADIOLOGY_REPORTS))
    if evidence.prior_procedures:
        found.append(Attachment(report_type=ReportType.OPERATIVE_NOTE))
    if evidence.conservative_therapies:
        found.append(Attachment(report_type=ReportType.PROGRESS_REPORT))
    return found
