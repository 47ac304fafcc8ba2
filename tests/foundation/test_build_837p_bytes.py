"""The bytes the 837P builder writes, pinned: sha256 of built files computed before the build's
speed work (issue 15), so a faster path (cached party loops, a batch-wide delimiter check,
precomputed segment text) cannot change one byte of any file.

The batches are deterministic: the examples and the COB claims cycled, each claim varied by its
number through every optional part the builder renders (onset and initial-treatment dates, PWK
attachments, prior authorisation, replacement and void claims, referring / rendering / service
facility loops, dependents, middle names and suffixes, second address lines, individual billing
providers, date ranges, NDC drug loops, line control numbers, line places of service, other
payers with and without adjudication), with subscribers, patients and billing providers shared
between claims so the 2000A/B/C grouping is exercised, and 10,000 claims split into two
transaction sets.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from gateway.domain.claim import Claim
from gateway.x12.build_837p import BuiltFile, build_837p
from gateway.x12.delimiters import Delimiters
from gateway.x12.envelope import ControlNumbers
from tests.cob.claims import primary_with_other_coverage, secondary_claim, tertiary_claim
from tests.conftest import example_claim_dicts
from tests.foundation.helpers import PARTNERS, WHEN

PROVIDER_NPIS = ("1234567893", "1487651238", "1902837461")
DISTINCT = 1_000


def _day(text: str, back: int) -> str:
    return (dt.date.fromisoformat(text) - dt.timedelta(days=back)).isoformat()


def _templates() -> list[dict[str, Any]]:
    claims = [*example_claim_dicts(), primary_with_other_coverage(), secondary_claim(), tertiary_claim()]
    for claim in claims:
        claim.pop("evidence", None)  # not written to the 837P (and the slowest part to copy)
    return claims


def _vary(data: dict[str, Any], n: int) -> dict[str, Any]:
    """Claim ``n`` of a batch: ``data`` with the optional parts chosen by ``n``."""
    data["patient_control_number"] = f"GOLD{n:08d}"
    provider = data["billing_provider"]
    if n % 5 == 0:
        provider.update(first_name="MARA", tax_id_type="SY")
    if n % 7 == 0:
        provider.pop("contact_name", None)
    if n % 11 == 4:
        provider["address"].pop("line2", None)
    subscriber = data["subscriber"]
    subscriber["member_id"] = f"M{n % 41:06d}"  # claims n and n + 41 * len(templates) share a 2000B
    if n % 3 == 0:
        subscriber.pop("group_number", None)
    else:
        subscriber["group_number"] = f"GRP{n % 4}"
    person = subscriber["person"]
    if n % 9 == 1:
        person.update(middle_name="Q", suffix="JR")
    if n % 9 == 2:
        person["address"]["line2"] = f"APT {n % 13}"
    if n % 10 == 7 and not data.get("patient"):
        data["patient"] = {
            "relationship": ("19", "01", "G8")[n % 3],
            "person": {
                "last_name": person["last_name"], "first_name": f"KID{n % 3}", "birth_date": "2010-04-0" + str(1 + n % 3),
                "gender": "FMU"[n % 3], "address": dict(person["address"]),
            },
        }  # fmt: skip
    shift = n % 97  # dates and charges repeat across claims, as in a real batch, but not all
    if n % 3 == 1:
        data["onset_date"] = _day("2026-03-15", shift)
    if n % 4 == 2:
        data["initial_treatment_date"] = _day("2026-04-01", shift)
    if n % 5 == 2:
        data["attachments"] = [{"control_number": f"PKT{n:06d}"}]
        if n % 2:
            data["attachments"].append(
                {"report_type": "OB", "transmission": "FX", "control_number": "OPNOTE1"}
            )
    if n % 2:
        data["prior_authorization"] = f"AUTH{n % 50}"
    else:
        data.pop("prior_authorization", None)
    if n % 11 == 3:
        data.update(frequency_code="7", original_claim_number=f"PCN{n}")
    elif n % 13 == 4:
        data.update(frequency_code="8", original_claim_number="VOID1")
    elif n % 17 == 5:
        data["original_claim_number"] = "NOTSENT"  # frequency 1: no REF*F8
    if n % 4 == 1:
        data["referring_provider"] = {"npi": "1881726354", "last_name": "REFERRER", "first_name": "ROSA"}
    rendering_choice = n % 6
    if rendering_choice == 2 and data.get("rendering_provider"):
        data["rendering_provider"]["npi"] = provider["npi"]  # same as billing: no 2310B
    elif rendering_choice == 3 and data.get("rendering_provider"):
        data["rendering_provider"].pop("taxonomy", None)
    elif rendering_choice == 4:
        data.pop("rendering_provider", None)
    facility_choice = n % 8
    if facility_choice in (5, 6):
        data["service_facility"] = {
            "name": "VALLEY SURGERY CENTER",
            "address": {"line1": "200 CLINIC WAY", "line2": "BLDG C", "city": "MESA", "state": "AZ", "postal_code": "852011234"},
        }  # fmt: skip
        if facility_choice == 5:
            data["service_facility"]["npi"] = "1003000126"
    for number, line in enumerate(data["service_lines"]):
        line["service_date"] = _day(line["service_date"], shift)
        line["charge"] = f"{Decimal(line['charge']) + Decimal(n % 7) / 4:.2f}"
        if number == 0 and n % 3 == 0:
            line["service_date_end"] = _day(line["service_date"], -1 - n % 2)
        if number == 0 and n % 7 == 3:
            line.update(ndc="00009307301", ndc_quantity=("1", "2.5", "0.125")[n % 3], ndc_unit="ML")
        if n % 5 == 4:
            line["line_control_number"] = f"L{n}-{number + 1}"
        if n % 6 == 5:
            line["place_of_service"] = "22"
        if n % 8 == 1:
            line["units"] = ("1.5", "2", "0.250")[n % 3]
            line["modifiers"] = (line.get("modifiers") or [])[:2] + ["KX", "59"][
                : 4 - len(line.get("modifiers") or [])
            ]
    if n % 3 == 2 and len(data["diagnosis_codes"]) < 12:
        data["diagnosis_codes"] = [*data["diagnosis_codes"], "M54.50", "G89.29"][:12]
    return data


@cache
def varied_claims(count: int) -> tuple[Claim, ...]:
    if count > DISTINCT:  # beyond the first 1,000: those again as other claims of other subscribers
        first = varied_claims(DISTINCT)
        return first + tuple(_relabel(first[n % DISTINCT], n) for n in range(DISTINCT, count))
    templates = _templates()
    claims = []
    for n in range(count):
        data = _vary(copy.deepcopy(templates[n % len(templates)]), n)
        if n % 19 == 6:  # a second and third billing provider with the same name and address
            data["billing_provider"]["npi"] = PROVIDER_NPIS[1 + n % 2]
        claims.append(Claim.model_validate(data))
    return tuple(claims)


def _relabel(claim: Claim, n: int) -> Claim:
    # model_copy skips validation (a fresh validation of 9,000 claims takes seconds); the copy
    # changes only identifiers, which the model validated in the original already.
    subscriber = claim.subscriber.model_copy(update={"member_id": f"N{n % 2999:06d}"})
    return claim.model_copy(update={"patient_control_number": f"GOLD{n:08d}", "subscriber": subscriber})


def digest(built: BuiltFile) -> str:
    hashed = hashlib.sha256(built.text.encode())
    hashed.update(json.dumps(built.transaction_claims).encode())
    return hashed.hexdigest()


# Computed on main at d6afa43, before the build's speed work.
GOLDEN = {
    1: "160cee166053edbce816e92f4e42d278cdc9e9bfed245f3aa4b9eeac6c1edaed",
    10: "18d3ec3bfd8937b960bf3fc092aa2839041be18f0f46e7f308832288f1c8d312",
    1_000: "f3a198191a7f318c01ef33b56ad142f477b5b62a801f63d9f7819f2cbe01b04c",
    10_000: "e00bc0d0e72d557902555aae0bf7824950299c498a4d36f8cb8f90c265b293ff",
}
GOLDEN_OTHER_DELIMITERS = "6aacbec2a04e3f48f613d3a94e838138a17b88ade3da301c4127006dbda0bc3f"  # 1,000 claims written with | > ! and a newline terminator
GOLDEN_EXAMPLES = "c1e0f65828ccceb5c27e71e95b26fd977282aef702839026d5b042870060a30e"  # every example alone, then all of them in one file


@pytest.mark.parametrize("count", sorted(GOLDEN))
def test_a_generated_batch_builds_to_the_same_bytes(count: int) -> None:
    built = build_837p(varied_claims(count), PARTNERS, ControlNumbers(7, 8, 9), WHEN)
    assert digest(built) == GOLDEN[count]


def test_other_delimiters_build_to_the_same_bytes() -> None:
    delimiters = Delimiters("|", ">", "!", "\n")
    built = build_837p(varied_claims(1_000), PARTNERS, ControlNumbers(3, 4, 5), WHEN, delimiters)
    assert digest(built) == GOLDEN_OTHER_DELIMITERS


def test_the_examples_build_to_the_same_bytes() -> None:
    claims = [Claim.model_validate(data) for data in example_claim_dicts()]
    hashed = hashlib.sha256()
    for claim in claims:
        hashed.update(digest(build_837p([claim], PARTNERS, ControlNumbers(1, 1, 1), WHEN)).encode())
    hashed.update(digest(build_837p(claims, PARTNERS, ControlNumbers(1, 1, 1), WHEN)).encode())
    assert hashed.hexdigest() == GOLDEN_EXAMPLES
