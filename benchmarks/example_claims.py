"""Distinct claims for benchmarks, cycled from examples/claims (clean and held ones)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from gateway.domain.claim import Claim

REPO = Path(__file__).resolve().parent.parent


def make_claims(count: int) -> list[Claim]:
    """``count`` claims, each with its own patient control number and member id."""
    templates = []
    for path in sorted((REPO / "examples" / "claims").glob("*.json")):
        templates.extend(json.loads(path.read_text())["claims"])
    claims = []
    for n in range(count):
        data = json.loads(json.dumps(templates[n % len(templates)]))
        data["patient_control_number"] = f"BENCH{n:08d}"
        data["subscriber"]["member_id"] = f"M{n:09d}"
        claims.append(Claim.model_validate(data))
    return claims


def make_distinct_claims(count: int) -> list[Claim]:
    """``make_claims`` with every patient's names, street, birth date, service dates and charges
    its own: the values a gate memo could reuse are then only the practice's own (providers,
    payers, codes), as in a real batch."""
    claims = []
    for n, claim in enumerate(make_claims(count)):
        data = claim.model_dump(mode="json")
        people = [data["subscriber"]["person"]]
        if data.get("patient"):
            people.append(data["patient"]["person"])
        for number, person in enumerate(people):
            person["last_name"] = f"{person['last_name']}{_letters(n)}"
            person["first_name"] = f"{person['first_name']}{_letters(n + number)}"
            birth = dt.date.fromisoformat(person["birth_date"]) - dt.timedelta(days=n % 3650)
            person["birth_date"] = birth.isoformat()
            if person.get("address"):
                person["address"]["line1"] = f"{100 + n} {person['address']['line1']}"
        for line in data["service_lines"]:
            day = dt.date.fromisoformat(line["service_date"]) - dt.timedelta(days=n % 60)
            line["service_date"] = day.isoformat()
            line["charge"] = f"{Decimal(line['charge']) + Decimal(n % 100) / 100:.2f}"
        claims.append(Claim.model_validate(data))
    return claims


def _letters(n: int) -> str:
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out += chr(ord("A") + digit)
        if n == 0:
            return out
