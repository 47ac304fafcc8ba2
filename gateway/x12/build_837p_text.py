"""The 837P loops written straight as segment text, with one delimiter check for a whole batch.

``build_837p`` writes a batch here first.  Every segment is one f-string (no writer calls, no
tuples of elements), and every value that comes from a claim is also appended to one list, which
is searched for the four delimiters once at the end of the batch.  Only when that search finds
one (or a value is not a string) does ``build_837p`` write the batch again through the checked
writer (``writer.BlockWriter``), which names the segment and element as it always has: a batch
with bad data gets exactly the errors it got before, and a clean batch exactly the same bytes
(tests/foundation/test_build_837p_bytes.py pins them; test_build_837p_text.py compares this module
with the checked path claim by claim).

The layout rules of ``writer``: a composite element drops its trailing empty components, and a
segment its trailing empty elements.  Here ``rstrip`` does both on the text, which is the same as
long as no value holds a delimiter (what the batch check ensures); it is left out only where the
last element cannot be empty.  Values the builder formats itself (dates, amounts, counters) are
digits, ``.`` and ``-`` only, so they are not searched; ``build_837p`` takes this path only for
delimiters other than those two.

Fields are read from each model's ``__dict__``: pydantic's models define ``__getattr__``, which
makes every attribute read several times dearer than a dict read, and this module reads about a
hundred values per claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from gateway.domain.claim import BillingProvider, Claim, Patient, Payer, Subscriber
from gateway.x12 import build_837p_cob
from gateway.x12.writer import Element

# Characters of values the builder writes itself: a delimiter among them takes the checked path.
GENERATED_PUNCTUATION = frozenset(".-")
DIAGNOSIS_PRINCIPAL, DIAGNOSIS_OTHER = "ABK", "ABF"
ZERO = Decimal(0)

Fields = dict[str, Any]  # a model's __dict__


class SegmentText:
    """Writes loops as text with one set of delimiters; ``data`` gathers every claim value written."""

    __slots__ = ("component", "d8", "data", "decimal", "element", "terminator")

    def __init__(
        self,
        element: str,
        component: str,
        terminator: str,
        d8: Callable[[dt.date], str],
        decimal: Callable[[Decimal], str],
    ) -> None:
        self.element = element
        self.component = component
        self.terminator = terminator
        self.d8 = d8
        self.decimal = decimal
        self.data: list[str] = []

    def billing_provider(self, provider: BillingProvider, hl: int) -> str:
        """Loop 2000A/2010AA."""
        e, t = self.element, self.terminator
        fields: Fields = provider.__dict__
        taxonomy, name, npi = fields["taxonomy"], fields["name"], fields["npi"]
        first_name = fields["first_name"] or ""
        tax_id_type, tax_id = fields["tax_id_type"], fields["tax_id"]
        contact_name, contact_phone = fields["contact_name"], fields["contact_phone"]
        self.data += (taxonomy, name, first_name, npi, tax_id_type, tax_id)
        text = (
            f"HL{e}{hl}{e}{e}20{e}1{t}"
            + f"PRV{e}BI{e}PXC{e}{taxonomy}".rstrip(e) + t
            + f"NM1{e}85{e}{'1' if first_name else '2'}{e}{name}{e}{first_name}{e}{e}{e}{e}XX{e}{npi}".rstrip(e) + t
            + self._address(fields["address"].__dict__)
            + f"REF{e}{tax_id_type}{e}{tax_id}".rstrip(e) + t
        )  # fmt: skip
        if contact_name and contact_phone:
            self.data += (contact_name, contact_phone)
            text += f"PER{e}IC{e}{contact_name}{e}TE{e}{contact_phone}{t}"
        return text

    def subscriber(
        self, subscriber: Subscriber, payer: Payer, hl: int, parent: int, has_patients: bool, is_patient: bool
    ) -> str:
        """Loop 2000B/2010BA/2010BB (the DMG only when the subscriber is the patient)."""
        e, t = self.element, self.terminator
        fields: Fields = subscriber.__dict__
        payer_fields: Fields = payer.__dict__
        responsibility, filing = fields["payer_responsibility"], fields["claim_filing_indicator"]
        group_number, member_id = fields["group_number"] or "", fields["member_id"]
        payer_name, payer_id = payer_fields["name"], payer_fields["payer_id"]
        person: Fields = fields["person"].__dict__
        self.data += (responsibility, group_number, filing, member_id, payer_name, payer_id)
        text = (
            f"HL{e}{hl}{e}{parent}{e}22{e}{'1' if has_patients else '0'}{t}"
            + f"SBR{e}{responsibility}{e}{'18' if is_patient else ''}{e}{group_number}{e}{e}{e}{e}{e}{e}{filing}".rstrip(e) + t
            + self._person_name("IL", person, "MI", member_id)
            + self._address(person["address"].__dict__)
        )  # fmt: skip
        if is_patient:
            text += self._demographics(person)
        return text + f"NM1{e}PR{e}2{e}{payer_name}{e}{e}{e}{e}{e}PI{e}{payer_id}".rstrip(e) + t

    def patient(self, patient: Patient, hl: int, parent: int) -> str:
        """Loop 2000C/2010CA."""
        e, t = self.element, self.terminator
        fields: Fields = patient.__dict__
        relationship = fields["relationship"]
        person: Fields = fields["person"].__dict__
        self.data.append(relationship)
        return (
            f"HL{e}{hl}{e}{parent}{e}23{e}0{t}"
            + f"PAT{e}{relationship}".rstrip(e) + t
            + self._person_name("QC", person)
            + self._address(person["address"].__dict__)
            + self._demographics(person)
        )  # fmt: skip

    def _person_name(self, entity: str, person: Fields, id_qualifier: str = "", identifier: str = "") -> str:
        e = self.element
        last, first = person["last_name"], person["first_name"] or ""
        middle, suffix = person["middle_name"] or "", person["suffix"] or ""
        self.data += (last, first, middle, suffix)
        return (
            f"NM1{e}{entity}{e}1{e}{last}{e}{first}{e}{middle}{e}{e}{suffix}{e}{id_qualifier}{e}{identifier}".rstrip(e)
            + self.terminator
        )  # fmt: skip

    def _demographics(self, person: Fields) -> str:
        e, gender = self.element, person["gender"]
        self.data.append(gender)
        return f"DMG{e}D8{e}{self.d8(person['birth_date'])}{e}{gender}".rstrip(e) + self.terminator

    def _address(self, address: Fields) -> str:
        e, t = self.element, self.terminator
        line1, line2 = address["line1"], address["line2"] or ""
        city, state, postal_code = address["city"], address["state"], address["postal_code"]
        self.data += (line1, line2, city, state, postal_code)
        return (
            f"N3{e}{line1}{e}{line2}".rstrip(e) + t + f"N4{e}{city}{e}{state}{e}{postal_code}".rstrip(e) + t
        )

    def claim(self, claim: Claim) -> str:
        """Loop 2300 and its 2310x/2400 children."""
        e, c, t = self.element, self.component, self.terminator
        d8, decimal, data = self.d8, self.decimal, self.data
        fields: Fields = claim.__dict__
        pcn, place, frequency = (
            fields["patient_control_number"],
            fields["place_of_service"],
            fields["frequency_code"],
        )
        accept, release = fields["accept_assignment"], fields["release_of_information"]
        codes = fields["diagnosis_codes"]
        data += (pcn, place, frequency, accept, release, *codes)
        parts = []  # CLM goes first: it carries the sum of the lines, added up below
        if fields["onset_date"]:
            parts.append(f"DTP{e}431{e}D8{e}{d8(fields['onset_date'])}{t}")
        if fields["initial_treatment_date"]:
            parts.append(f"DTP{e}454{e}D8{e}{d8(fields['initial_treatment_date'])}{t}")
        for attachment in fields["attachments"]:  # 2300 PWK: after the DTPs, before CN1/AMT/REF
            item: Fields = attachment.__dict__
            report, transmission, number = item["report_type"], item["transmission"], item["control_number"]
            data += (report, transmission, number)
            parts.append(f"PWK{e}{report}{e}{transmission}{e}{e}{e}AC{e}{number}".rstrip(e) + t)
        if prior_authorization := fields["prior_authorization"]:
            data.append(prior_authorization)
            parts.append(f"REF{e}G1{e}{prior_authorization}{t}")
        if (original := fields["original_claim_number"]) and frequency != "1":
            data.append(original)
            parts.append(f"REF{e}F8{e}{original}{t}")
        parts.append(
            "HI"
            + "".join(
                [f"{e}{DIAGNOSIS_PRINCIPAL if n == 0 else DIAGNOSIS_OTHER}{c}{code}".rstrip(c) for n, code in enumerate(codes)]
            )
            + t
        )  # fmt: skip
        if referring := fields["referring_provider"]:
            parts.append(self._provider_name("DN", referring.__dict__))
        rendering = fields["rendering_provider"]
        if rendering:
            provider: Fields = rendering.__dict__
            if provider["npi"] != fields["billing_provider"].__dict__["npi"]:
                parts.append(self._provider_name("82", provider))
                if taxonomy := provider["taxonomy"]:
                    data.append(taxonomy)
                    parts.append(f"PRV{e}PE{e}PXC{e}{taxonomy}{t}")
        if facility := fields["service_facility"]:
            place_fields: Fields = facility.__dict__
            name, npi = place_fields["name"], place_fields["npi"] or ""
            data += (name, npi)
            parts.append(f"NM1{e}77{e}2{e}{name}{e}{e}{e}{e}{e}{'XX' if npi else ''}{e}{npi}".rstrip(e) + t)
            parts.append(self._address(place_fields["address"].__dict__))
        sink = _TextSink(self, parts) if fields["other_coverage"] else None
        if sink is not None:
            build_837p_cob.other_payer_loops(sink, claim)
        total = ZERO  # Claim.total_charge, added in the same order
        for number, line in enumerate(fields["service_lines"], start=1):
            item = line.__dict__
            code, modifiers, unit_type = item["procedure_code"], item["modifiers"], item["unit_type"]
            line_place = item["place_of_service"] or ""
            charge = item["charge"]
            total += charge
            data += (code, *modifiers, unit_type, line_place)
            procedure = f"HC{c}{code}{''.join([f'{c}{modifier}' for modifier in modifiers])}".rstrip(c)
            pointers = c.join([str(pointer) for pointer in item["diagnosis_pointers"]])
            start, end = item["service_date"], item["service_date_end"]
            dates = f"RD8{e}{d8(start)}-{d8(end)}" if end and end != start else f"D8{e}{d8(start)}"
            parts.append(
                f"LX{e}{number}{t}"
                + f"SV1{e}{procedure}{e}{decimal(charge)}{e}{unit_type}{e}{decimal(item['units'])}{e}{line_place}{e}{e}{pointers}".rstrip(e) + t
                + f"DTP{e}472{e}{dates}{t}"
            )  # fmt: skip
            if control_number := item["line_control_number"]:
                data.append(control_number)
                parts.append(f"REF{e}6R{e}{control_number}{t}")
            ndc, quantity, unit = item["ndc"], item["ndc_quantity"], item["ndc_unit"]
            if ndc and quantity is not None and unit:
                data += (ndc, unit)
                parts.append(f"LIN{e}{e}N4{e}{ndc}{t}CTP{e}{e}{e}{e}{decimal(quantity)}{e}{unit}{t}")
            if sink is not None:
                build_837p_cob.line_adjudication_loops(sink, claim, number)
        benefits = "Y" if fields["benefits_assigned"] else "N"
        clm = (
            f"CLM{e}{pcn}{e}{decimal(total)}{e}{e}{e}{f'{place}{c}B{c}{frequency}'.rstrip(c)}{e}Y"
            f"{e}{accept}{e}{benefits}{e}{release}".rstrip(e) + t
        )  # fmt: skip
        return clm + "".join(parts)

    def _provider_name(self, entity: str, provider: Fields) -> str:
        """2310A/2310B NM1 of a person with an NPI."""
        e = self.element
        last, first, npi = provider["last_name"], provider["first_name"] or "", provider["npi"]
        self.data += (last, first, npi)
        return f"NM1{e}{entity}{e}1{e}{last}{e}{first}{e}{e}{e}{e}XX{e}{npi}".rstrip(e) + self.terminator


class _TextSink:
    """``writer.SegmentSink`` for the COB loops (rare, and written by ``build_837p_cob``)."""

    __slots__ = ("_parts", "_text")

    def __init__(self, text: SegmentText, parts: list[str]) -> None:
        self._text = text
        self._parts = parts

    def segment(self, segment_id: str, /, *elements: Element) -> None:
        if any(element.__class__ is tuple for element in elements):
            self.composite(segment_id, *elements)
            return
        self._text.data += elements  # type: ignore[arg-type]
        e = self._text.element
        self._parts.append(e.join((segment_id, *elements)).rstrip(e) + self._text.terminator)  # type: ignore[arg-type]

    def composite(self, segment_id: str, /, *elements: Element) -> None:
        e, c, data = self._text.element, self._text.component, self._text.data
        values = [segment_id]
        for element in elements:
            if element.__class__ is tuple:
                data += element
                values.append(c.join(element).rstrip(c))
            else:
                data.append(element)  # type: ignore[arg-type]
                values.append(element)  # type: ignore[arg-type]
        self._parts.append(e.join(values).rstrip(e) + self._text.terminator)
