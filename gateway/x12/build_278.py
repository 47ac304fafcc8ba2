"""Prior-authorization requests -> one 278 005010X217 request interchange (pure: no I/O).

One transaction set per request (2000A-2000C each occur once in X217), all in one functional
group (GS01 ``HI``).  Per request::

    BHT*0007*13*<request id>          2000A UMO  > 2010A NM1*X3 (payer id PI)
    2000B requester (the clinic)      > 2010B NM1*1P (NPI), N3/N4, PER, PRV*PE
    2000C subscriber                  > 2010C NM1*IL (MI), REF*6P, N3/N4, DMG
    [2000D dependent                  > 2010D NM1*QC, N3/N4, DMG, INS*N]
    2000E patient event: TRN, UM (category, certification type, service type, POS:B, level),
          REF*BB, DTP*431 onset, DTP*AAH event window, HI (ABK, ABF...), PWK, MSG
          > 2010EA NM1*SJ rendering physician (+PRV), NM1*77 service facility
    2000F one per procedure: TRN, DTP*472, SV1 (HC:code:modifiers, UN, units), HSD*FL, MSG

The clinical justification (``justification_facts``) goes into MSG text: MSG is 264
characters and occurs once per loop, so the facts fill the 2000E MSG first and then the MSG of
each 2000F in turn; facts that do not fit are returned in ``Built278.omitted`` so the operator
can send documentation instead (PWK indicators are added for the reports the evidence names).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.domain.auth import Attachment, AuthRequest, AuthService, ReportType
from gateway.domain.claim import Address, Patient, Person
from gateway.domain.codes import PatientRelationship
from gateway.domain.evidence import ClinicalEvidence
from gateway.errors import BuildError, X12SyntaxError
from gateway.x12 import envelope
from gateway.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.writer import SegmentWriter

IMPLEMENTATION = "005010X217"
FUNCTIONAL_ID = "HI"
MSG_LENGTH = 264
FACT_SEPARATOR = "; "
# 278 INS02 allows only spouse, child and "other relationship" for a dependent (§3.14).
_INS02 = {PatientRelationship.SPOUSE: "01", PatientRelationship.CHILD: "19"}


# --- clinical justification: evidence -> facts and PWK indicators ---------------------------

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


@dataclass
class Built278:
    text: str
    control: ControlNumbers
    transactions: dict[str, str]  # ST02 -> request id
    omitted: dict[str, list[str]] = field(default_factory=dict)  # request id -> facts not sent

    @property
    def request_count(self) -> int:
        return len(self.transactions)


def x12_decimal(value: Decimal) -> str:
    """X12 'R' type: no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) or "0"


def _d8(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _window(start: dt.date, end: dt.date) -> tuple[str, str]:
    return ("D8", _d8(start)) if start == end else ("RD8", f"{_d8(start)}-{_d8(end)}")


def message_text(fact: str, delimiters: Delimiters) -> str:
    """A fact as X12 text: ASCII, upper case, single spaces, no delimiter characters."""
    folded = unicodedata.normalize("NFKD", fact)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch) and " " <= ch <= "~")
    for reserved in delimiters.reserved:
        folded = folded.replace(reserved, " ")
    return " ".join(folded.upper().split())


def pack_messages(facts: Sequence[str], slots: int, delimiters: Delimiters) -> tuple[list[str], list[str]]:
    """Facts packed in order into at most ``slots`` MSG texts of 264 characters; and the rest."""
    messages: list[str] = []
    omitted: list[str] = []
    current = ""
    for raw in facts:
        fact = message_text(raw, delimiters)[:MSG_LENGTH]
        if not fact:
            continue
        if len(messages) == slots:
            omitted.append(fact)
            continue
        candidate = f"{current}{FACT_SEPARATOR}{fact}" if current else fact
        if len(candidate) <= MSG_LENGTH:
            current = candidate
            continue
        messages.append(current)
        if len(messages) < slots:
            current = fact
        else:
            current = ""
            omitted.append(fact)
    if current:
        messages.append(current)
    return messages, omitted


class _Transaction:
    """Writes one request's ST..SE on its own writer so its problems name the request."""

    def __init__(self, request: AuthRequest, writer: SegmentWriter, st02: str) -> None:
        self.request = request
        self.w = writer
        self.st02 = st02
        self.hl = 0
        self.event_hl = 0
        clinic = request.requester
        # TRN03: "1" + EIN; a clinic billing under an SSN is identified by "9" + its NPI's first
        # nine digits instead, so that no SSN travels in a trace number.
        self.trace_assigner = ("1" + clinic.tax_id) if clinic.tax_id_type == "EI" else ("9" + clinic.npi[:9])

    def _hl(self, parent: int | None, level: str, has_children: bool) -> int:
        self.hl += 1
        self.w.segment("HL", str(self.hl), str(parent) if parent else "", level, "1" if has_children else "0")
        return self.hl

    def _address(self, address: Address) -> None:
        self.w.segment("N3", address.line1, address.line2 or "")
        self.w.segment("N4", address.city, address.state, address.postal_code)

    def _person(self, entity: str, person: Person, member_id: str | None) -> None:
        self.w.segment(
            "NM1",
            entity,
            "1",
            person.last_name,
            person.first_name or "",
            person.middle_name or "",
            "",
            person.suffix or "",
            "MI" if member_id else "",
            member_id or "",
        )

    def write(self, when: dt.datetime, messages: list[str]) -> None:
        r, w = self.request, self.w
        envelope.open_transaction(w, "278", self.st02, IMPLEMENTATION)
        w.segment("BHT", "0007", "13", r.request_id, when.strftime("%Y%m%d"), when.strftime("%H%M"))
        umo = self._hl(None, "20", True)
        w.segment("NM1", "X3", "2", r.umo.name, "", "", "", "", "PI", r.umo.payer_id)
        requester = self._hl(umo, "21", True)
        clinic = r.requester
        w.segment("NM1", "1P", "2", clinic.name, "", "", "", "", "XX", clinic.npi)
        self._address(clinic.address)
        if clinic.contact_phone:
            w.segment("PER", "IC", clinic.contact_name or "", "TE", clinic.contact_phone)
        w.segment("PRV", "PE", "PXC", clinic.taxonomy)
        subscriber = self._hl(requester, "22", True)
        self._person("IL", r.subscriber.person, r.subscriber.member_id)
        if r.subscriber.group_number:
            w.segment("REF", "6P", r.subscriber.group_number)
        self._address(r.subscriber.person.address)
        self._demographics(r.subscriber.person)
        parent = subscriber if r.patient is None else self._dependent(subscriber, r.patient)
        self._event(parent, messages[:1])
        for index, service in enumerate(r.services):
            self._service(index, service, messages[1 + index] if 1 + index < len(messages) else None)
        envelope.close_transaction(w, self.st02)

    def _demographics(self, person: Person) -> None:
        self.w.segment("DMG", "D8", _d8(person.birth_date), person.gender.value)

    def _dependent(self, subscriber: int, patient: Patient) -> int:
        dependent = self._hl(subscriber, "23", True)
        self._person("QC", patient.person, None)
        self._address(patient.person.address)
        self._demographics(patient.person)
        self.w.segment("INS", "N", _INS02.get(patient.relationship, "G8"))
        return dependent

    def _event(self, parent: int, message: list[str]) -> None:
        r, w = self.request, self.w
        self.event_hl = self._hl(parent, "EV", True)
        w.segment("TRN", "1", r.request_id, self.trace_assigner)
        w.segment(
            "UM",
            r.category.value,
            r.certification_type.value,
            r.service_type or "",
            (r.place_of_service, "B"),
            "",
            r.level_of_service.value if r.level_of_service else "",
        )
        if r.previous_authorization:
            w.segment("REF", "BB", r.previous_authorization)
        if r.symptom_onset:
            w.segment("DTP", "431", "D8", _d8(r.symptom_onset))
        w.segment("DTP", "AAH", *_window(r.first_date, r.last_date))
        qualifiers = ["ABK"] + ["ABF"] * (len(r.diagnosis_codes) - 1)
        w.segment("HI", *((q, code) for q, code in zip(qualifiers, r.diagnosis_codes, strict=True)))
        for attachment in (r.attachments or evidence_attachments(r.evidence))[:10]:
            w.segment(
                "PWK",
                attachment.report_type.value,
                attachment.transmission.value,
                "",
                "",
                "AC" if attachment.control_number else "",
                attachment.control_number or "",
                attachment.description or "",
            )
        for text in message:
            w.segment("MSG", text)
        self._event_providers()

    def _event_providers(self) -> None:
        r, w = self.request, self.w
        if r.rendering_provider is not None:
            doctor = r.rendering_provider
            w.segment(
                "NM1", "SJ", "1", doctor.last_name, doctor.first_name or "", "", "", "", "XX", doctor.npi
            )
            if doctor.taxonomy:
                w.segment("PRV", "PE", "PXC", doctor.taxonomy)
        if r.facility is not None:
            site = r.facility
            w.segment("NM1", "77", "2", site.name, "", "", "", "", "XX" if site.npi else "", site.npi or "")
            self._address(site.address)

    def _service(self, index: int, service: AuthService, message: str | None) -> None:
        w = self.w
        self._hl(self.event_hl, "SS", False)
        w.segment("TRN", "1", f"{self.request.request_id}-{index + 1}"[:50], self.trace_assigner)
        w.segment("DTP", "472", *_window(service.start_date, service.last_date))
        w.segment(
            "SV1", ("HC", service.procedure_code, *service.modifiers), "", "UN", x12_decimal(service.units)
        )
        w.segment("HSD", "FL", x12_decimal(service.units))
        if message:
            w.segment("MSG", message)


def build_278(
    requests: Sequence[AuthRequest],
    partners: TradingPartners,
    control: ControlNumbers,
    when: dt.datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> Built278:
    """The whole interchange; ``BuildError`` lists every request that cannot be written."""
    if not requests:
        raise BuildError("no prior-authorization requests to build")
    bodies: list[str] = []
    transactions: dict[str, str] = {}
    omitted: dict[str, list[str]] = {}
    problems: list[str] = []
    for offset, request in enumerate(requests):
        st02 = control.transaction(offset)
        writer = SegmentWriter(delimiters)
        messages, left = pack_messages(
            justification_facts(request.evidence), 1 + len(request.services), delimiters
        )
        try:
            _Transaction(request, writer, st02).write(when, messages)
        except X12SyntaxError as error:
            problems.append(f"request {request.request_id}: {error}")
            continue
        bodies.append(writer.text())
        transactions[st02] = request.request_id
        if left:
            omitted[request.request_id] = left
    if problems:
        raise BuildError(f"{len(problems)} prior-authorization request(s) cannot be built", problems)
    out = SegmentWriter(delimiters)
    envelope.isa_segment(out, partners, control, when)
    envelope.open_group(out, partners, control, when, FUNCTIONAL_ID, IMPLEMENTATION)
    out.extend(bodies)
    envelope.close_group(out, control, len(bodies))
    envelope.close_interchange(out, control)
    return Built278(out.text(), control, transactions, omitted)
