"""Claim intake: JSON files in, validated ``Claim`` objects out, every problem named.

Each claim is validated on its own, so a file with three bad claims reports all three (by
position and patient control number) instead of stopping at the first.  Messages name the
field path but never echo values: names, member ids and birth dates are PHI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gateway.domain.claim import Claim
from gateway.errors import InputError


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(claim)"


def describe_validation_error(error: ValidationError) -> list[str]:
    """One line per pydantic error: 'field.path: message', without the offending value."""
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{_field_path(tuple(item['loc']))}: {message}")
    return lines


def _claim_items(document: Any, source: str) -> list[Any]:
    if isinstance(document, dict) and isinstance(document.get("claims"), list):
        return list(document["claims"])
    if isinstance(document, list):
        return document
    raise InputError(f"{source}: expected an object with a 'claims' list (or a list of claims)")


def parse_claims(document: Any, source: str) -> list[Claim]:
    """Validate every claim of a decoded JSON document; raise InputError listing all problems."""
    items = _claim_items(document, source)
    if not items:
        raise InputError(f"{source}: the file has no claims")
    claims: list[Claim] = []
    problems: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        pcn = item.get("patient_control_number") if isinstance(item, dict) else None
        label = f"claims[{position}]" + (f" (claim {pcn})" if isinstance(pcn, str) and pcn else "")
        try:
            claim = Claim.model_validate(item)
        except ValidationError as error:
            for line in describe_validation_error(error):
                problems.append(f"{label}: {line.removeprefix('(claim): ')}")
            continue
        if claim.patient_control_number in seen:
            problems.append(f"{label}: patient_control_number repeats an earlier claim in this file")
            continue
        seen.add(claim.patient_control_number)
        claims.append(claim)
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s) in the claims", problems)
    return claims


def load_claims(path: Path) -> list[Claim]:
    """Read and validate a claims JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    return parse_claims(document, str(path))
