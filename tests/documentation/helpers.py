"""A fully documented record per procedure family, and a way to take one element out of it.

Dates are relative to DOS (2026-09-16); the payer is Medicare CGS (KY), whose payer file uses the
documentation pack.  ``complete(code)`` documents everything any documentation rule asks for;
tests remove or change one thing and expect exactly one finding naming that element.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.domain.auth import AuthRequest
from gateway.domain.claim import Claim
from gateway.rules.book import RuleBook, load_rule_book

REPO = Path(__file__).resolve().parents[2]
DOS = dt.date(2026, 9, 16)
Mutation = Callable[[dict[str, Any]], None]


def book() -> RuleBook:
    return load_rule_book(REPO / "payer_configs")


def day(offset: int) -> str:
    """DOS minus ``offset`` days (negative: after DOS)."""
    return (DOS - dt.timedelta(days=offset)).isoformat()


def note(code: str, date: str = DOS.isoformat(), narrative: str | None = None) -> dict[str, Any]:
    return {
        "date": date,
        "procedure_code": code,
        "site": "left L5-S1 neural foramen",
        "levels": ["L5-S1"],
        "laterality": "left",
        "approach": "transforaminal, 22G spinal needle",
        "medications": [{"name": "dexamethasone", "dose": "10 mg"}, {"name": "lidocaine 1%", "dose": "1 mL"}],
        "imaging_guidance": "fluoroscopy",
        "contrast_confirmed": True,
        "narrative": narrative
        or f"Procedure {code} on {date}: patient positioned prone, skin prepped, "
        "needle advanced under AP and oblique views, contrast spread confirmed.",
    }


def complete_evidence(code: str) -> dict[str, Any]:
    return {
        "conservative_therapies": [
            {
                "kind": "physical_therapy",
                "start_date": day(100),
                "end_date": day(44),
                "response": "failed",
                "modalities": ["McKenzie extension", "core stabilisation"],
                "sessions": 12,
            },
            {
                "kind": "pharmacotherapy",
                "start_date": day(120),
                "response": "partial",
                "drug_classes": ["NSAID"],
            },
        ],
        "pain_scores": [
            {"scale": "NRS", "score": 8, "date": day(120), "context": "baseline"},
            {"scale": "NRS", "score": 7, "date": day(20), "context": "follow-up after the earlier procedure"},
        ],
        "functional_impacts": [
            {
                "description": "cannot stand more than 10 minutes; stopped working as a cashier",
                "date": day(20),
            },
        ],
        "imaging_reports": [
            {
                "modality": "MRI",
                "date": day(90),
                "finding": "L5-S1 protrusion contacting S1",
                "concordant_with_diagnosis": True,
            }
        ],
        "prior_procedures": [
            {
                "procedure_code": code,
                "date": day(60),
                "region": "lumbar",
                "percent_relief": 60,
                "relief_duration_days": 35,
                "functional_change": "walked 30 minutes again",
            }
        ],
        "pain_onset_date": day(250),
        "imaging_guidance": "fluoroscopy",
        "provocative_tests": ["FABER", "Gaenslen", "thigh thrust"],
        "psych_evaluation": {"date": day(30), "cleared": True},
        "stimulator_trial": {"start_date": day(20), "end_date": day(13), "percent_relief": 70},
        "procedure_notes": [note(code)],
        "clinical_notes": [
            {
                "date": day(120),
                "text": "New patient visit: low back pain radiating to the left leg for four months.",
            },
            {
                "date": day(20),
                "text": "Follow-up: leg pain improved after the injection, still limits standing.",
            },
        ],
    }


def _parties(state: str = "KY") -> dict[str, Any]:
    return {
        "billing_provider": {
            "npi": "1234567893",
            "tax_id": "861234567",
            "taxonomy": "208VP0014X",
            "name": "TEST PAIN CENTER",
            "address": {
                "line1": "1 MAIN ST",
                "city": "SPRINGFIELD",
                "state": state,
                "postal_code": "406011234",
            },
        },
        "subscriber": {
            "member_id": "TESTMEMBER1",
            "claim_filing_indicator": "MB",
            "person": {
                "last_name": "DOE",
                "first_name": "PAT",
                "birth_date": "1950-01-01",
                "gender": "F",
                "address": {
                    "line1": "2 ELM ST",
                    "city": "SPRINGFIELD",
                    "state": state,
                    "postal_code": "40601",
                },
            },
        },
    }


def claim_document(code: str, evidence: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "patient_control_number": "DOCTEST1",
        "place_of_service": "11",
        "diagnosis_codes": ["M54.16"],
        **_parties(),
        "payer": {"name": "TEST PAYER", "payer_id": "TESTPAYER", "state": "KY"},
        "service_lines": [
            {
                "procedure_code": code,
                "modifiers": [],
                "charge": "100.00",
                "units": 1,
                "diagnosis_pointers": [1],
                "service_date": DOS.isoformat(),
            }
        ],
        "evidence": evidence if evidence is not None else complete_evidence(code),
    }


def claim(code: str, change: Mutation | None = None) -> Claim:
    document = claim_document(code)
    if change is not None:
        change(document["evidence"])
    return Claim.model_validate(document)


def auth(code: str, change: Mutation | None = None) -> AuthRequest:
    evidence = copy.deepcopy(complete_evidence(code))
    evidence["procedure_notes"] = []  # nothing performed yet
    if change is not None:
        change(evidence)
    return AuthRequest.model_validate(
        {
            "request_id": "AUTHDOC1",
            "umo": {"name": "TEST PAYER", "payer_id": "TESTPAYER", "state": "KY"},
            "requester": _parties()["billing_provider"],
            "subscriber": _parties()["subscriber"],
            "place_of_service": "11",
            "diagnosis_codes": ["M54.16"],
            "services": [{"procedure_code": code, "units": 1, "start_date": DOS.isoformat()}],
            "evidence": evidence,
        }
    )
