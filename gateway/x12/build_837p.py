"""Claims -> one 837P 005010X222A1 interchange (pure: no I/O, control numbers passed in).

Hierarchy: one 2000A per billing provider, under it one 2000B per subscriber (and payer),
under that the subscriber's own claims (2300) and one 2000C per dependent patient with theirs.
Transaction sets are split every ``MAX_CLAIMS_PER_TRANSACTION`` claims, as the IG recommends.

Each claim is rendered on its own writer, so one bad claim (say a delimiter in an address
that slipped past intake) is reported with its patient control number and does not stop
the others from being checked; the file is only produced when every claim renders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter

from gateway.domain.claim import (
    Address,
    BillingProvider,
    Claim,
    Patient,
    Payer,
    Person,
    Subscriber,
)
from gateway.errors import BuildError, X12SyntaxError
from gateway.x12 import build_837p_cob, envelope
from gateway.x12.build_837p_text import GENERATED_PUNCTUATION, SegmentText
from gateway.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.writer import BlockWriter, SegmentWriter, _reserved_pattern

IMPLEMENTATION = "005010X222A1"
MAX_CLAIMS_PER_TRANSACTION = 5000
DIAGNOSIS_PRINCIPAL, DIAGNOSIS_OTHER = "ABK", "ABF"


@lru_cache(maxsize=4096)
def x12_decimal(value: Decimal) -> str:
    """X12 'R' type: no exponent, no trailing zeros after the point, no lone point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@lru_cache(maxsize=4096)
def _d8(day: dt.date) -> str:
    # Cached: a batch repeats a few hundred dates and amounts (formatting is 1 us, a hit 0.1).
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"  # strftime is several times slower


@dataclass(slots=True)
class _SubscriberGroup:
    subscriber: Subscriber
    payer: Payer
    own_claims: list[Claim] = field(default_factory=list)
    patients: dict[tuple[object, ...], tuple[Patient, list[Claim]]] = field(default_factory=dict)


@dataclass
class BuiltFile:
    text: str
    control: ControlNumbers
    transaction_claims: dict[str, list[str]]  # ST02 -> patient control numbers

    @property
    def claim_count(self) -> int:
        return sum(len(pcns) for pcns in self.transaction_claims.values())


# The parties' fields, read from each model's __dict__: pydantic's models define __getattr__,
# which makes each attribute read several times dearer than a dict read, and this runs per claim.
_CLAIM_PARTIES = itemgetter("billing_provider", "subscriber", "payer", "patient")
_ADDRESS_KEY = itemgetter("line1", "line2", "city", "state", "postal_code")
_PERSON_KEY = itemgetter("last_name", "first_name", "middle_name", "suffix", "birth_date", "gender")
# Exactly the fields the 2000A/2010AA segments render: equal keys, identical segments.
_PROVIDER_KEY = itemgetter(
    "npi", "tax_id", "tax_id_type", "taxonomy", "name", "first_name", "contact_name", "contact_phone"
)
_SUBSCRIBER_KEY = itemgetter("member_id", "group_number", "payer_responsibility", "claim_filing_indicator")
_PAYER_KEY = itemgetter("name", "payer_id")


def _person_key(person: Person) -> tuple[object, ...]:
    fields = person.__dict__
    return _PERSON_KEY(fields) + _ADDRESS_KEY(fields["address"].__dict__)  # type: ignore[no-any-return]


def _group(claims: Sequence[Claim]) -> list[tuple[BillingProvider, list[_SubscriberGroup]]]:
    """Claims under their 2000A and 2000B parties.  Parties are keyed by the fields their
    segments render (hashing nested pydantic models is several times slower)."""
    providers: dict[tuple[object, ...], tuple[BillingProvider, list[_SubscriberGroup]]] = {}
    subscribers: dict[tuple[object, ...], _SubscriberGroup] = {}
    for claim in claims:
        provider, subscriber, payer, patient = _CLAIM_PARTIES(claim.__dict__)
        fields = provider.__dict__
        provider_key = _PROVIDER_KEY(fields) + _ADDRESS_KEY(fields["address"].__dict__)
        entry = providers.get(provider_key)
        if entry is None:
            entry = providers[provider_key] = (provider, [])
        fields = subscriber.__dict__
        # id(entry), not provider_key: a tuple's hash is not cached, and this runs per claim.
        subscriber_key = (
            id(entry),
            *_SUBSCRIBER_KEY(fields),
            *_PAYER_KEY(payer.__dict__),
            *_person_key(fields["person"]),
        )
        group = subscribers.get(subscriber_key)
        if group is None:
            group = subscribers[subscriber_key] = _SubscriberGroup(subscriber, payer)
            entry[1].append(group)
        if patient is None:
            group.own_claims.append(claim)
        else:
            fields = patient.__dict__
            patient_key = (fields["relationship"], *_person_key(fields["person"]))
            group.patients.setdefault(patient_key, (patient, []))[1].append(claim)
    return list(providers.values())


class _Transaction:
    """Writes the body of one ST-SE; ``hl`` numbers the hierarchical levels.

    Each party's loop is rendered as one block (checked for delimiters all at once) and then
    appended to the transaction, so an error names the party it belongs to.
    """

    def __init__(self, writer: SegmentWriter) -> None:
        self.out = writer
        self.hl = 0

    def _block(self) -> BlockWriter:
        return BlockWriter(self.out.delimiters)

    def _append(self, block: BlockWriter) -> None:
        _append_rendered(self.out, block.render())

    def billing_provider(self, provider: BillingProvider) -> int:
        self.hl += 1
        w = self._block()
        w.segment("HL", str(self.hl), "", "20", "1")
        w.segment("PRV", "BI", "PXC", provider.taxonomy)
        entity_type = "1" if provider.first_name else "2"
        w.segment(
            "NM1", "85", entity_type, provider.name, provider.first_name or "", "", "", "", "XX", provider.npi
        )
        _address(w, provider.address)
        w.segment("REF", provider.tax_id_type, provider.tax_id)
        if provider.contact_name and provider.contact_phone:
            w.segment("PER", "IC", provider.contact_name, "TE", provider.contact_phone)
        self._append(w)
        return self.hl

    def subscriber(self, group: _SubscriberGroup, parent: int) -> int:
        self.hl += 1
        w = self._block()
        subscriber = group.subscriber
        person = subscriber.person
        w.segment("HL", str(self.hl), str(parent), "22", "1" if group.patients else "0")
        is_patient = bool(group.own_claims)
        w.segment(
            "SBR",
            subscriber.payer_responsibility,
            "18" if is_patient else "",
            subscriber.group_number or "",
            "",
            "",
            "",
            "",
            "",
            subscriber.claim_filing_indicator,
        )
        _person_name(w, "IL", person, "MI", subscriber.member_id)
        _address(w, person.address)
        if is_patient:
            # 2010BA DMG: required when the subscriber is the patient, otherwise not sent.
            w.segment("DMG", "D8", _d8(person.birth_date), person.gender)
        w.segment("NM1", "PR", "2", group.payer.name, "", "", "", "", "PI", group.payer.payer_id)
        self._append(w)
        return self.hl

    def patient(self, patient: Patient, parent: int) -> None:
        self.hl += 1
        w = self._block()
        person = patient.person
        w.segment("HL", str(self.hl), str(parent), "23", "0")
        w.segment("PAT", patient.relationship)
        _person_name(w, "QC", person)
        _address(w, person.address)
        w.segment("DMG", "D8", _d8(person.birth_date), person.gender)
        self._append(w)


def _address(w: BlockWriter, address: Address) -> None:
    w.segment("N3", address.line1, address.line2 or "")
    w.segment("N4", address.city, address.state, address.postal_code)


def _person_name(
    w: BlockWriter, entity: str, person: Person, id_qualifier: str = "", identifier: str = ""
) -> None:
    w.segment(
        "NM1",
        entity,
        "1",
        person.last_name,
        person.first_name or "",
        person.middle_name or "",
        "",
        person.suffix or "",
        id_qualifier,
        identifier,
    )


def _claim_segments(writer: BlockWriter, claim: Claim) -> None:
    """Loop 2300 and its 2310x/2400 children."""
    seg = writer.segment
    writer.composite(
        "CLM",
        claim.patient_control_number,
        x12_decimal(claim.total_charge),
        "",
        "",
        (claim.place_of_service, "B", claim.frequency_code),
        "Y",
        claim.accept_assignment,
        "Y" if claim.benefits_assigned else "N",
        claim.release_of_information,
    )
    if claim.onset_date:
        seg("DTP", "431", "D8", _d8(claim.onset_date))
    if claim.initial_treatment_date:
        seg("DTP", "454", "D8", _d8(claim.initial_treatment_date))
    for attachment in claim.attachments:  # 2300 PWK: after the DTPs, before CN1/AMT/REF
        seg("PWK", attachment.report_type, attachment.transmission, "", "", "AC", attachment.control_number)
    if claim.prior_authorization:
        seg("REF", "G1", claim.prior_authorization)
    if claim.original_claim_number and claim.frequency_code != "1":
        seg("REF", "F8", claim.original_claim_number)
    codes = claim.diagnosis_codes
    writer.composite(
        "HI",
        *[(DIAGNOSIS_PRINCIPAL if n == 0 else DIAGNOSIS_OTHER, code) for n, code in enumerate(codes)],
    )
    if claim.referring_provider:
        ref = claim.referring_provider
        seg("NM1", "DN", "1", ref.last_name, ref.first_name or "", "", "", "", "XX", ref.npi)
    rendering = claim.rendering_provider
    if rendering and rendering.npi != claim.billing_provider.npi:
        seg(
            "NM1", "82", "1", rendering.last_name, rendering.first_name or "", "", "", "", "XX", rendering.npi
        )
        if rendering.taxonomy:
            seg("PRV", "PE", "PXC", rendering.taxonomy)
    facility = claim.service_facility
    if facility:
        seg("NM1", "77", "2", facility.name, "", "", "", "", "XX" if facility.npi else "", facility.npi or "")
        seg("N3", facility.address.line1, facility.address.line2 or "")
        seg("N4", facility.address.city, facility.address.state, facility.address.postal_code)
    coordinated = bool(claim.other_coverage)
    if coordinated:
        build_837p_cob.other_payer_loops(writer, claim)
    for number, line in enumerate(claim.service_lines, start=1):
        seg("LX", str(number))
        writer.composite(
            "SV1",
            ("HC", line.procedure_code, *line.modifiers),
            x12_decimal(line.charge),
            line.unit_type,
            x12_decimal(line.units),
            line.place_of_service or "",
            "",
            tuple(map(str, line.diagnosis_pointers)),
        )
        if line.service_date_end and line.service_date_end != line.service_date:
            seg("DTP", "472", "RD8", f"{_d8(line.service_date)}-{_d8(line.service_date_end)}")
        else:
            seg("DTP", "472", "D8", _d8(line.service_date))
        if line.line_control_number:
            seg("REF", "6R", line.line_control_number)
        if line.ndc and line.ndc_quantity is not None and line.ndc_unit:
            seg("LIN", "", "N4", line.ndc)
            seg("CTP", "", "", "", x12_decimal(line.ndc_quantity), line.ndc_unit)
        if coordinated:
            build_837p_cob.line_adjudication_loops(writer, claim, number)


def build_837p(
    claims: Sequence[Claim],
    partners: TradingPartners,
    control: ControlNumbers,
    when: dt.datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> BuiltFile:
    """Build one interchange with one functional group; raises BuildError listing every bad claim."""
    if not claims:
        raise BuildError("no claims to build")
    if partners.identity is None:
        raise BuildError(
            "no submitter/receiver identity for 1000A/1000B: set identity: in the clearinghouse profile"
        )
    if not GENERATED_PUNCTUATION.intersection(delimiters.reserved):
        built = _build_as_text(claims, partners, control, when, delimiters)
        if built is not None:
            return built
    # A delimiter in the data (or delimiters the builder's own values use): every segment through
    # the checked writer, which names the segment and element of each bad claim.
    return _build_checked(claims, partners, control, when, delimiters)


def _build_as_text(
    claims: Sequence[Claim],
    partners: TradingPartners,
    control: ControlNumbers,
    when: dt.datetime,
    delimiters: Delimiters,
) -> BuiltFile | None:
    """The file written by ``build_837p_text``; None when a claim value holds a delimiter."""
    terminator = delimiters.segment
    text = SegmentText(delimiters.element, delimiters.component, terminator, _d8, x12_decimal)
    claim_text = text.claim
    out, transactions = _open_interchange(claims, partners, control, when, delimiters)
    for st02, chunk in transactions:
        _open_transaction(out, partners, control, st02, when)
        body: list[str] = []
        hl = 0
        for provider, groups in _group(chunk):
            hl += 1
            provider_hl = hl
            body.append(text.billing_provider(provider, hl))
            for group in groups:
                hl += 1
                subscriber_hl = hl
                body.append(
                    text.subscriber(
                        group.subscriber,
                        group.payer,
                        hl,
                        provider_hl,
                        bool(group.patients),
                        bool(group.own_claims),
                    )
                )
                body += [claim_text(claim) for claim in group.own_claims]
                for patient, patient_claims in group.patients.values():
                    hl += 1
                    body.append(text.patient(patient, hl, subscriber_hl))
                    body += [claim_text(claim) for claim in patient_claims]
        joined = "".join(body)
        out.raw(joined)
        out.transaction_segment_count += joined.count(terminator)  # no value holds one (checked below)
        envelope.close_transaction(out, st02)
    try:
        if _reserved_pattern(delimiters.reserved).search("".join(text.data)):
            return None
    except TypeError:  # a value that is not text (a model built without validation)
        return None
    return _close_interchange(out, control, transactions)


def _build_checked(
    claims: Sequence[Claim],
    partners: TradingPartners,
    control: ControlNumbers,
    when: dt.datetime,
    delimiters: Delimiters,
) -> BuiltFile:
    rendered: dict[int, tuple[str, int]] = {}
    problems: list[str] = []
    for claim in claims:
        writer = BlockWriter(delimiters)
        _claim_segments(writer, claim)
        try:
            rendered[id(claim)] = writer.render()
        except X12SyntaxError as error:
            problems.append(f"claim {claim.patient_control_number}: {error}")
    if problems:
        raise BuildError(f"{len(problems)} of {len(claims)} claim(s) cannot be built", problems)

    out, transactions = _open_interchange(claims, partners, control, when, delimiters)
    for st02, chunk in transactions:
        _write_transaction(out, chunk, partners, control, st02, when, rendered, problems)
    if problems:
        raise BuildError(f"{len(problems)} claim(s) cannot be built", problems)
    return _close_interchange(out, control, transactions)


def _open_interchange(
    claims: Sequence[Claim],
    partners: TradingPartners,
    control: ControlNumbers,
    when: dt.datetime,
    delimiters: Delimiters,
) -> tuple[SegmentWriter, list[tuple[str, Sequence[Claim]]]]:
    """ISA and GS written, and the claims cut into transaction sets (ST02, claims)."""
    out = SegmentWriter(delimiters)
    envelope.isa_segment(out, partners, control, when)
    envelope.open_group(out, partners, control, when, "HC", IMPLEMENTATION)
    chunks = [
        claims[i : i + MAX_CLAIMS_PER_TRANSACTION] for i in range(0, len(claims), MAX_CLAIMS_PER_TRANSACTION)
    ]
    return out, [(control.transaction(offset), chunk) for offset, chunk in enumerate(chunks)]


def _close_interchange(
    out: SegmentWriter, control: ControlNumbers, transactions: list[tuple[str, Sequence[Claim]]]
) -> BuiltFile:
    envelope.close_group(out, control, len(transactions))
    envelope.close_interchange(out, control)
    transaction_claims = {
        st02: [claim.patient_control_number for claim in chunk] for st02, chunk in transactions
    }
    return BuiltFile(out.text(), control, transaction_claims)


def _open_transaction(
    out: SegmentWriter, partners: TradingPartners, control: ControlNumbers, st02: str, when: dt.datetime
) -> None:
    """ST, BHT and the submitter and receiver loops (1000A/1000B)."""
    envelope.open_transaction(out, "837", st02, IMPLEMENTATION)
    out.segment(
        "BHT",
        "0019",
        "00",
        f"{control.interchange}{st02}",
        when.strftime("%Y%m%d"),
        when.strftime("%H%M"),
        "CH",
    )
    identity = partners.identity
    assert identity is not None  # build_837p refuses partners without one
    out.segment("NM1", "41", "2", identity.submitter_name, "", "", "", "", "46", identity.submitter_id)
    out.segment("PER", "IC", identity.contact_name, *identity.contact_numbers())
    out.segment("NM1", "40", "2", identity.receiver_name, "", "", "", "", "46", identity.receiver_id)


def _write_transaction(
    out: SegmentWriter,
    claims: Sequence[Claim],
    partners: TradingPartners,
    control: ControlNumbers,
    st02: str,
    when: dt.datetime,
    rendered: dict[int, tuple[str, int]],
    problems: list[str],
) -> None:
    _open_transaction(out, partners, control, st02, when)
    body = _Transaction(out)

    def blame(error: X12SyntaxError, affected: Sequence[Claim], party: str) -> None:
        # Party segments (2000A/B/C) are shared: the error belongs to every claim under them.
        for claim in affected:
            problems.append(f"claim {claim.patient_control_number}: {party}: {error}")

    for provider, groups in _group(claims):
        try:
            provider_hl = body.billing_provider(provider)
        except X12SyntaxError as error:
            blame(error, [c for g in groups for c in _claims_of(g)], "billing provider")
            continue
        for group in groups:
            try:
                subscriber_hl = body.subscriber(group, provider_hl)
            except X12SyntaxError as error:
                blame(error, _claims_of(group), "subscriber")
                continue
            for claim in group.own_claims:
                _append_rendered(out, rendered[id(claim)])
            for patient, patient_claims in group.patients.values():
                try:
                    body.patient(patient, subscriber_hl)
                except X12SyntaxError as error:
                    blame(error, patient_claims, "patient")
                    continue
                for claim in patient_claims:
                    _append_rendered(out, rendered[id(claim)])
    envelope.close_transaction(out, st02)


def _claims_of(group: _SubscriberGroup) -> list[Claim]:
    return [*group.own_claims, *(c for _patient, claims in group.patients.values() for c in claims)]


def _append_rendered(out: SegmentWriter, rendered: tuple[str, int]) -> None:
    text, count = rendered
    out.raw(text)
    out.transaction_segment_count += count
