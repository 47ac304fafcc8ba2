"""Build small claims for the rule tests: a clean baseline that every rule accepts, then one change.

Dates are relative to DOS (2026-09-16, a Wednesday); ``days_before(n)`` gives DOS - n days.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gateway.domain.claim import Claim
from gateway.domain.history import History, PastService
from gateway.rules.book import RuleBook, load_rule_book

REPO = Path(__file__).resolve().parent.parent.parent
PAYER_CONFIGS = REPO / "payer_configs"
DOS = dt.date(2026, 9, 16)

# Route to a MAC: state -> (filing indicator, payer id); the route uses indicator + state only.
STATES = {
    "KY": "CGS",
    "MI": "WPS",
    "AZ": "Noridian",
    "CA": "Noridian",
    "TX": "Novitas",
    "NY": "NGS",
    "FL": "First Coast (no file)",
    "MA": "BCBS MA",
    "OH": "CGS",
    "GA": "Palmetto",
}


def book() -> RuleBook:
    return load_rule_book(PAYER_CONFIGS)


def days_before(days: int, day: dt.date = DOS) -> str:
    return (day - dt.timedelta(days=days)).isoformat()


def good_evidence(dos: dt.date = DOS) -> dict[str, Any]:
    """Evidence that satisfies every Medicare rule for a first procedure."""
    return {
        "conservative_therapies": [
            {
                "kind": "physical_therapy",
                "start_date": days_before(70, dos),
                "end_date": days_before(14, dos),
                "response": "failed",
            },
            {
                "kind": "pharmacotherapy",
                "start_date": days_before(90, dos),
                "response": "partial",
                "drug_classes": ["NSAID"],
            },
            {"kind": "home_exercise", "start_date": days_before(60, dos), "response": "partial"},
        ],
        "pain_onset_date": days_before(200, dos),
        "imaging_guidance": "fluoroscopy",
        "provocative_tests_positive": 4,
        "psych_evaluation": {"date": days_before(30, dos), "cleared": True},
        # The facts the LCD indications decide on (issue 13), stated so that a case changes one
        # thing; one exam that fits every family (claudication for ESI, no radicular findings for
        # the SI joint, predominantly axial pain for facet procedures).
        "imaging_reports": [
            {
                "modality": "MRI",
                "date": days_before(100, dos),
                "finding": "L4-L5 central stenosis, facet arthropathy",
                "concordant_with_diagnosis": True,
            }
        ],
        "exam": {
            "radicular_findings": False,
            "neurogenic_claudication": True,
            "predominantly_axial": True,
            "untreated_radiculopathy": False,
            "other_causes_excluded": True,
            "sij_pain_location": True,
            "psychiatric_conditions_stabilized": True,
        },
        "trigger_points": {
            "focal_muscle_pain": True,
            "hyperirritable_spot": True,
            "taut_band": True,
            "palpable_nodule": True,
            "movement_limited": True,
        },
        "injectate": {"local_anesthetic_only": True, "biologic": False},
        "ablation": {"technique": "thermal_rf", "temperature_c": 80},
        "rfa_contraindication": {"contraindicated": True, "reason": "implanted pacemaker"},
        "scs": {
            "multidisciplinary_screening": True,
            "physical_evaluation": True,
            "active_substance_abuse": False,
            "leads": 2,
            "contacts": 16,
        },
        "region": "thoracic",
    }


def line(
    code: str, modifiers: Sequence[str] = (), units: int = 1, day: dt.date = DOS, pos: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "procedure_code": code,
        "modifiers": list(modifiers),
        "charge": "100.00",
        "units": units,
        "diagnosis_pointers": [1],
        "service_date": day.isoformat(),
    }
    if pos is not None:
        item["place_of_service"] = pos
    return item


def claim(
    lines: Sequence[dict[str, Any]],
    *,
    state: str = "KY",
    filing: str = "MB",
    dx: Sequence[str] = ("M54.16",),
    evidence: dict[str, Any] | None = None,
    evidence_changes: dict[str, Any] | None = None,
    prior_authorization: str | None = None,
    pos: str = "11",
) -> Claim:
    ev = copy.deepcopy(evidence if evidence is not None else good_evidence(min(_dates(lines))))
    ev.update(evidence_changes or {})
    document = {
        "patient_control_number": "RULETEST1",
        "place_of_service": pos,
        "diagnosis_codes": list(dx),
        "prior_authorization": prior_authorization,
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
            "claim_filing_indicator": filing,
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
        "payer": {"name": "TEST PAYER", "payer_id": "TESTPAYER", "state": state},
        "service_lines": list(lines),
        "evidence": ev,
    }
    return Claim.model_validate(document)


def _dates(lines: Sequence[dict[str, Any]]) -> list[dt.date]:
    return [dt.date.fromisoformat(item["service_date"]) for item in lines]


def prior(
    code: str,
    days: int,
    relief: float | None = None,
    relief_days: int | None = None,
    diagnostic: bool | None = None,
    region: str = "lumbar",
) -> dict[str, Any]:
    """An evidence.prior_procedures entry ``days`` before DOS."""
    item: dict[str, Any] = {"procedure_code": code, "date": days_before(days), "region": region}
    if relief is not None:
        item["percent_relief"] = relief
    if relief_days is not None:
        item["relief_duration_days"] = relief_days
    if diagnostic is not None:
        item["diagnostic"] = diagnostic
    return item


def history(*services: tuple[str, int] | tuple[str, int, Sequence[str]]) -> History:
    """Stored earlier lines: (code, days before DOS[, modifiers])."""
    out = []
    for service in services:
        code, days = service[0], service[1]
        modifiers = tuple(service[2]) if len(service) > 2 else ()
        out.append(
            PastService(service_date=DOS - dt.timedelta(days=days), procedure_code=code, modifiers=modifiers)
        )
    return History(services=tuple(sorted(out, key=lambda s: s.service_date)))
