"""Distinct claims for benchmarks, cycled from examples/claims (clean and held ones)."""

from __future__ import annotations

import json
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
