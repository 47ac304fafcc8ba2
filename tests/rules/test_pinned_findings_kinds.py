"""Rule findings of every rule kind pinned whole: severity, rule id, the line it points at, message, fix.

The companion of test_pinned_findings.py, kind by kind (gateway/rules/kinds/): levels and regions of
one session, prior authorization and ICD-10 lists of the payer files, coding edits, the clinical
evidence rules, stimulator trials, the LCD indications, the imported NCCI quarters and MCD
articles, and documentation completeness. Every claim has more than one line and the ruled line
is not the first (an E/M visit with modifier 25 comes first and no rule touches it), so a finding
that points at the wrong line fails. Each date comparison is tried on the date of service itself
(a trial ending on it, a psych evaluation on it, a therapy starting on it) and one day either side.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from gateway.codesets import CodeSets, default_code_sets
from gateway.codesets.lcd_articles import Article, read_export
from gateway.codesets.ncci import MueValue, PtpEdit, quarter_name, read_mue, read_ptp
from gateway.codesets.releases import CodeSetKind, ReleaseInfo
from gateway.codesets.sets import NcciTables
from gateway.domain.claim import Claim
from gateway.domain.findings import Finding
from gateway.domain.history import History
from gateway.rules import engine
from gateway.rules.book import NoRuleSet, RuleBook
from gateway.rules.config import load_config
from gateway.rules.facts import Facts
from gateway.rules.kinds.documentation import ElementCheck
from gateway.rules.kinds.indications import FACTS
from tests.documentation.helpers import complete_evidence, note
from tests.rules.helpers import (
    DOS,
    PAYER_CONFIGS,
    REPO,
    book,
    claim,
    days_before,
    good_evidence,
    history,
    line,
    prior,
)
from tests.rules.test_pinned_findings import EM, ONGOING_EXERCISE, TRIAL_LINE, Pinned, therapy


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], Claim]
    expected: list[Pinned]
    past: History = field(default_factory=History)
    # The rules whose findings are compared; None: every finding but documentation completeness.
    rules: tuple[str, ...] | None = None
    documentation: bool = False  # compare the documentation-completeness findings only


def scs_trial(
    end: int, relief: float | None = 60, analgesics: float | None = None, function: bool | None = True
) -> dict[str, Any]:
    """Evidence with one stimulator trial that ended ``end`` days before the DOS, after a week."""
    record: dict[str, Any] = {
        "region": "thoracic",
        "start_date": days_before(end + 7),
        "end_date": days_before(end),
        "functional_improvement": function,
    }
    if relief is not None:
        record["percent_relief"] = relief
    if analgesics is not None:
        record["analgesic_reduction_percent"] = analgesics
    return {"scs": {**good_evidence()["scs"], "trials": [record]}}


def no_trials() -> dict[str, Any]:
    return {"scs": {**good_evidence()["scs"], "trials": []}}


def esi(**changes: Any) -> Claim:
    """A fully documented ESI claim (tests/documentation/helpers.py) with ``changes`` to its evidence."""
    return claim([EM, line("64483", ["RT"])], evidence={**complete_evidence("64483"), **changes})


def esi_note(**changes: Any) -> Claim:
    return esi(procedure_notes=[{**note("64483"), **changes}])


def scs(code: str, **changes: Any) -> Claim:
    return claim([EM, line(code)], evidence={**complete_evidence(code), **changes})


PT = {
    "kind": "physical_therapy",
    "start_date": days_before(100),
    "end_date": days_before(44),
    "response": "failed",
    "modalities": ["McKenzie extension"],
    "sessions": 12,
}
VISIT_NOTE = "Follow-up: leg pain improved after the injection, still limits standing."
# Every fact the indication rules read, unstated (blocks given, fields left out) ...
UNSTATED: dict[str, Any] = {
    "exam": {},
    "trigger_points": {},
    "injectate": {},
    "scs": {},
    "rfa_contraindication": None,
    "ablation": None,
    "imaging_reports": [],
    "conservative_therapies": [],
    "psych_evaluation": None,
}
EXAM_FACTS = (
    "radicular_findings",
    "neurogenic_claudication",
    "predominantly_axial",
    "facet_loading_pain",
    "untreated_radiculopathy",
    "other_causes_excluded",
    "sij_pain_location",
    "psychiatric_conditions_stabilized",
    "fibromyalgia_or_centralized_pain",
    "prior_alif_at_level",
    "cyst_root_compression_on_imaging",
    "spinal_or_systemic_infection",
    "compressive_lesion",
    "suspected_cancer",
)
EXAM_EXCLUSIONS = (
    "untreated_radiculopathy",
    "fibromyalgia_or_centralized_pain",
    "prior_alif_at_level",
    "spinal_or_systemic_infection",
    "compressive_lesion",
    "suspected_cancer",
)
TRIGGER_POINT_FACTS = (
    "focal_muscle_pain",
    "hyperirritable_spot",
    "taut_band",
    "referred_pain",
    "palpable_nodule",
    "movement_limited",
    "needed_for_diagnosis",
)
# ... and each stated the wrong way: findings false, exclusions true.
STATED_WRONG = {
    "exam": {
        **dict.fromkeys(EXAM_FACTS, False),
        **dict.fromkeys(EXAM_EXCLUSIONS, True),
    },
    "trigger_points": dict.fromkeys(TRIGGER_POINT_FACTS, False),
    "injectate": {"local_anesthetic_only": False, "biologic": True},
    "scs": {
        "multidisciplinary_screening": False,
        "physical_evaluation": False,
        "active_substance_abuse": True,
    },
    "imaging_reports": [{**good_evidence()["imaging_reports"][0], "concordant_with_diagnosis": False}],
    "conservative_therapies": [therapy(60, end=30, response="improved")],
    "psych_evaluation": {"date": days_before(30), "cleared": False},
    "ablation": {"technique": "chemical"},
    "rfa_contraindication": {"contraindicated": False},
}


def rfa(
    date: str, relief: float | None = 70, levels: tuple[str, ...] = ("L4-L5",), successful: bool | None = None
) -> dict[str, Any]:
    """An earlier facet RF ablation in the evidence."""
    item: dict[str, Any] = {
        "procedure_code": "64635",
        "date": date,
        "region": "lumbar",
        "levels": list(levels),
    }
    if relief is not None:
        item["percent_relief"] = relief
    if successful is not None:
        item["successful"] = successful
    return item


def mbb(day: dt.date, changes: dict[str, Any]) -> Claim:
    """A diagnostic medial branch block at L4-L5 on ``day``."""
    lines = [line("99213", ["25"], day=day), line("64493", ["RT", "KX"], day=day)]
    return claim(
        lines, evidence={**good_evidence(day), "diagnostic_block": True, "levels": ["L4-L5"], **changes}
    )


def cyst(
    days: int,
    relief: float | None = None,
    relief_days: int | None = None,
    levels: tuple[str, ...] = ("L4-L5",),
) -> dict[str, Any]:
    """An earlier facet synovial cyst procedure ``days`` before the DOS."""
    item: dict[str, Any] = {
        "procedure_code": "64493",
        "date": days_before(days),
        "region": "lumbar",
        "levels": list(levels),
        "synovial_cyst": True,
    }
    if relief is not None:
        item["percent_relief"] = relief
    if relief_days is not None:
        item["relief_duration_days"] = relief_days
    return item


def tpi(function: float | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"procedure_code": "20552", "date": days_before(60), "region": "lumbar"}
    if function is not None:
        item["functional_improvement_percent"] = function
    return item


def trials(*starts: int, region: str = "thoracic") -> dict[str, Any]:
    """Earlier stimulator trials (30% relief) that started ``starts`` days before the DOS."""
    records = [
        {"region": region, "start_date": days_before(s), "end_date": days_before(s - 5), "percent_relief": 30}
        for s in starts
    ]
    return {"scs": {**good_evidence()["scs"], "trials": records}}


CYST: dict[str, Any] = {
    "synovial_cyst": True,
    "levels": ["L4-L5"],
    "exam": {**good_evidence()["exam"], "cyst_root_compression_on_imaging": True},
}
FEB28 = dt.date(2026, 2, 28)  # 24 months back is 2024-02-28, the day before a leap day
NEXT_DAY = DOS + dt.timedelta(days=1)
PERMANENT = {"lines": [{"line": 2, "intent": "permanent"}]}
SCS = ("scs.psych_evaluation", "scs.trial_before_permanent")
WISER_TX = ("esi.wiser_prior_auth_tx", "esi.wiser_prior_auth_tx_facility")
TF_LEVELS_FIX = "bill at most 2 level(s) per session; split further levels into another session only if medically necessary"
SAME_SESSION_FIX = (
    "do the procedures in separate sessions, or remove the line (a facet synovial cyst is the exception: "
    "record it in the evidence)"
)
CT_MESSAGE = (
    "The policy needs 4 weeks of failed conservative care (pharmacotherapy, physical therapy, "
    "chiropractic, cognitive behavioral or home exercise) before this procedure; the evidence shows {}."
)
CT_FIX = "document 4 weeks of conservative care (or that it was not tolerated)"
UTN_FIX = "request the authorization (278) and put its number (UTN) in prior_authorization"
FACILITY_FIX = (
    "make sure the facility requested the authorization; put its UTN in prior_authorization if the payer "
    "asks for it on the professional claim too"
)
NO_GUARANTEE = (
    "do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong"
)
NO_CARE_FIX = "record the conservative care tried and its outcome in evidence.conservative_therapies"
INTENT_FIX = "record evidence.lines[] with line 2 and intent trial or permanent"
TRIAL_FIX = "record the trial in evidence.scs.trials (region, dates, percent relief)"
LOW_TRIAL_FIX = "do not implant as covered; record the correct trial result if it was higher"
BASELINE_FIX = "record evidence.pain_scores with the scale (NRS, VAS, ODI ...) at baseline"
FOLLOWUP_FIX = "record a score on the baseline scale after each earlier procedure"
CLONED_FIX = (
    "write each date's note for that visit; identical text on different dates of service reads as cloned "
    "documentation"
)
NO_NOTE_FIX = "add evidence.procedure_notes for each date of service"

CASES = [
    Case(
        "tf-three-levels-right",
        lambda: claim([EM, line("64483", ["RT"]), line("64484", ["RT"]), line("64484", ["RT"])]),
        [
            (
                "error",
                "esi.tf_levels",
                4,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one "
                    "session; the policy allows at most 2."
                ),
                TF_LEVELS_FIX,
            ),
        ],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-three-levels-left",
        lambda: claim([EM, line("64483", ["LT"]), line("64484", ["LT"]), line("64484", ["LT"])]),
        [
            (
                "error",
                "esi.tf_levels",
                4,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one "
                    "session; the policy allows at most 2."
                ),
                TF_LEVELS_FIX,
            ),
        ],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-two-levels-each-side",
        lambda: claim(
            [EM, line("64483", ["RT"]), line("64484", ["RT"]), line("64483", ["LT"]), line("64484", ["LT"])]
        ),
        [],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-two-levels-bilateral-50",
        lambda: claim([EM, line("64483", ["50"]), line("64484", ["50"])]),
        [],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-bilateral-and-a-right-level",
        lambda: claim([EM, line("64483", ["50"]), line("64484", ["50"]), line("64484", ["RT"])]),
        [
            (
                "error",
                "esi.tf_levels",
                4,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one "
                    "session; the policy allows at most 2."
                ),
                TF_LEVELS_FIX,
            ),
        ],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-rt-lt-on-one-line",
        lambda: claim([EM, line("64483", ["RT", "LT"]), line("64484", ["RT"]), line("64484", ["LT"])]),
        [],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-documented-levels-count",
        lambda: claim(
            [EM, line("64483", ["RT"]), line("64484", ["RT"])],
            evidence_changes={"levels": ["L3-L4", "L4-L5", "L5-S1"]},
        ),
        [
            (
                "error",
                "esi.tf_levels",
                3,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one "
                    "session; the policy allows at most 2."
                ),
                TF_LEVELS_FIX,
            ),
        ],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-documented-levels-with-a-facet-line",
        lambda: claim(
            [EM, line("64483", ["RT"]), line("64484", ["RT"]), line("20552")],
            evidence_changes={"levels": ["L3-L4", "L4-L5", "L5-S1"]},
        ),
        [],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-units-two",
        lambda: claim([EM, line("64483", ["RT"]), line("64484", ["RT"], units=2)]),
        [
            (
                "error",
                "esi.tf_levels",
                3,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one "
                    "session; the policy allows at most 2."
                ),
                TF_LEVELS_FIX,
            ),
            (
                "warning",
                "esi.units",
                3,
                "64484 adds up to 2 units on 2026-09-16; the unit limit per day is 1.",
                "bill at most 1 unit(s) of 64484 per day",
            ),
        ],
        rules=("esi.tf_levels", "esi.units"),
    ),
    Case(
        "tf-levels-per-day",
        lambda: claim(
            [EM, line("64483", ["RT"]), line("64484", ["RT"]), line("64484", ["RT"], day=NEXT_DAY)]
        ),
        [],
        rules=("esi.tf_levels",),
    ),
    Case(
        "il-two-levels-cervical",
        lambda: claim([EM, line("62321"), line("62321")]),
        [
            (
                "error",
                "esi.il_levels",
                3,
                (
                    "2 levels of interlaminar/caudal ESI in the cervical/thoracic region in "
                    "one session; the policy allows at most 1."
                ),
                (
                    "bill at most 1 level(s) per session; split further levels into another "
                    "session only if medically necessary"
                ),
            ),
        ],
        rules=("esi.il_levels",),
    ),
    Case(
        "two-regions-one-session",
        lambda: claim([EM, line("64483", ["RT"]), line("64479", ["RT"])]),
        [
            (
                "error",
                "esi.one_region",
                3,
                (
                    "One session on 2026-09-16 treats more than one spinal region "
                    "(lumbar/sacral and cervical/thoracic); the policy allows one region per "
                    "session."
                ),
                "bill one region per session; treat the other region on another day",
            ),
        ],
        rules=("esi.one_region",),
    ),
    Case(
        "two-regions-two-days",
        lambda: claim([EM, line("64483", ["RT"]), line("64479", ["RT"], day=NEXT_DAY)]),
        [],
        rules=("esi.one_region",),
    ),
    Case(
        "two-regions-later-line-first",
        lambda: claim([EM, line("64479", ["RT"]), line("64483", ["RT"]), line("64480", ["RT"])]),
        [
            (
                "error",
                "esi.one_region",
                3,
                (
                    "One session on 2026-09-16 treats more than one spinal region "
                    "(cervical/thoracic and lumbar/sacral); the policy allows one region per "
                    "session."
                ),
                "bill one region per session; treat the other region on another day",
            ),
        ],
        rules=("esi.one_region",),
    ),
    Case(
        "esi-and-facet",
        lambda: claim([EM, line("64483", ["RT"]), line("64493", ["RT"])]),
        [
            (
                "error",
                "esi.same_session_blocks",
                3,
                (
                    "64493 is billed in the same session as 64483: no other blocks (facet, "
                    "sympathetic, trigger point, etc.) in the same session as an ESI."
                ),
                SAME_SESSION_FIX,
            ),
        ],
        rules=("esi.same_session_blocks",),
    ),
    Case(
        "facet-first-then-esi",
        lambda: claim([EM, line("64493", ["RT"]), line("64483", ["RT"]), line("64484", ["RT"])]),
        [
            (
                "error",
                "esi.same_session_blocks",
                2,
                (
                    "64493 is billed in the same session as 64483: no other blocks (facet, "
                    "sympathetic, trigger point, etc.) in the same session as an ESI."
                ),
                SAME_SESSION_FIX,
            ),
        ],
        rules=("esi.same_session_blocks",),
    ),
    Case(
        "esi-and-facet-synovial-cyst",
        lambda: claim(
            [EM, line("64483", ["RT"]), line("64493", ["RT"])], evidence_changes={"synovial_cyst": True}
        ),
        [],
        rules=("esi.same_session_blocks",),
    ),
    Case(
        "esi-and-facet-other-day",
        lambda: claim([EM, line("64483", ["RT"]), line("64493", ["RT"], day=NEXT_DAY)]),
        [],
        rules=("esi.same_session_blocks",),
    ),
    Case(
        "esi-and-trigger-point",
        lambda: claim([EM, line("64483", ["RT"]), line("20552")]),
        [
            (
                "error",
                "esi.same_session_blocks",
                3,
                (
                    "20552 is billed in the same session as 64483: no other blocks (facet, "
                    "sympathetic, trigger point, etc.) in the same session as an ESI."
                ),
                SAME_SESSION_FIX,
            ),
            (
                "warning",
                "tpi.same_session_blocks",
                2,
                (
                    "64483 is billed in the same session as 20552: no ESI, sympathetic or "
                    "facet block in the same session as trigger point injections."
                ),
                "do the procedures in separate sessions, or remove the line",
            ),
            (
                "warning",
                "tpi.no_guidance",
                3,
                ("20552 was done with fluoroscopy guidance; the policy covers it without imaging guidance."),
                (
                    "do not bill the guidance for this procedure (it is not covered), or "
                    "correct evidence.imaging_guidance"
                ),
            ),
            (
                "warning",
                "tpi.one_muscle_region",
                3,
                (
                    "Not stated: the anatomic region of each muscle injected on line 3 "
                    "(muscles in different anatomic regions may not be injected in one "
                    "session)."
                ),
                "record evidence.lines[] with line 3 and its muscle_regions",
            ),
        ],
    ),
    Case(
        "wiser-tx-office",
        lambda: claim([EM, line("62323"), line("64483", ["RT"])], state="TX"),
        [
            (
                "error",
                "esi.wiser_prior_auth_tx",
                2,
                (
                    "62323 needs prior authorization under the WISeR model (traditional "
                    "Medicare) (place of service 11, state TX); the claim has no "
                    "authorization number."
                ),
                UTN_FIX,
            ),
        ],
    ),
    Case(
        "wiser-tx-with-utn",
        lambda: claim([EM, line("62323"), line("64483", ["RT"])], state="TX", prior_authorization="UTN12345"),
        [],
    ),
    Case(
        "wiser-ky-not-in-model",
        lambda: claim([EM, line("62323")], state="KY"),
        [],
        rules=(
            "esi.wiser_prior_auth_tx",
            "esi.wiser_prior_auth_tx_facility",
            "esi.wiser_prior_auth_other_states",
        ),
    ),
    Case(
        "wiser-oh-other-states",
        lambda: claim([EM, line("64483", ["RT"])], state="OH"),
        [
            (
                "warning",
                "esi.wiser_prior_auth_other_states",
                2,
                (
                    "64483 needs prior authorization under the WISeR model (traditional "
                    "Medicare) (place of service 11, state OH); the claim has no "
                    "authorization number."
                ),
                UTN_FIX,
            ),
        ],
        rules=("esi.wiser_prior_auth_other_states",),
    ),
    Case(
        "wiser-tx-asc-facility",
        lambda: claim([EM, line("64483", ["RT"], pos="24"), line("64484", ["RT"], pos="24")], state="TX"),
        [
            (
                "warning",
                "esi.wiser_prior_auth_tx_facility",
                2,
                (
                    "64483 in place of service 24 needs prior authorization under the WISeR "
                    "model (traditional Medicare); the authorization number (UTN) goes on the "
                    "facility's claim, not on this one."
                ),
                FACILITY_FIX,
            ),
        ],
        rules=WISER_TX,
    ),
    Case(
        "wiser-tx-facility-then-office",
        lambda: claim([EM, line("64483", ["RT"], pos="22"), line("64484", ["RT"], pos="11")], state="TX"),
        [
            (
                "error",
                "esi.wiser_prior_auth_tx",
                3,
                (
                    "64484 needs prior authorization under the WISeR model (traditional "
                    "Medicare) (place of service 11, state TX); the claim has no "
                    "authorization number."
                ),
                UTN_FIX,
            ),
            (
                "warning",
                "esi.wiser_prior_auth_tx_facility",
                2,
                (
                    "64483 in place of service 22 needs prior authorization under the WISeR "
                    "model (traditional Medicare); the authorization number (UTN) goes on the "
                    "facility's claim, not on this one."
                ),
                FACILITY_FIX,
            ),
        ],
        rules=WISER_TX,
    ),
    Case(
        "wiser-tx-office-line-after-facility",
        lambda: claim([EM, line("64484", ["RT"], pos="19"), line("64483", ["RT"])], state="TX"),
        [
            (
                "error",
                "esi.wiser_prior_auth_tx",
                3,
                (
                    "64483 needs prior authorization under the WISeR model (traditional "
                    "Medicare) (place of service 11, state TX); the claim has no "
                    "authorization number."
                ),
                UTN_FIX,
            ),
            (
                "warning",
                "esi.wiser_prior_auth_tx_facility",
                2,
                (
                    "64484 in place of service 19 needs prior authorization under the WISeR "
                    "model (traditional Medicare); the authorization number (UTN) goes on the "
                    "facility's claim, not on this one."
                ),
                FACILITY_FIX,
            ),
        ],
        rules=WISER_TX,
    ),
    Case(
        "noridian-facet-dx",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            state="AZ",
            dx=["M54.16", "M54.50"],
            evidence_changes={"diagnostic_block": True},
        ),
        [
            (
                "warning",
                "noridian.dx_facet",
                2,
                (
                    "None of the diagnoses on line 2 (M5416) is on the covered ICD-10 list of "
                    "A58403 v27 (Noridian) for 64493."
                ),
                "point the line to a covered diagnosis if the record supports one",
            ),
        ],
        rules=("noridian.dx_facet",),
    ),
    Case(
        "noridian-facet-dx-two-pointers",
        lambda: claim(
            [EM, {**line("64493", ["RT", "KX"]), "diagnosis_pointers": [1, 2]}],
            state="AZ",
            dx=["M54.16", "M54.50"],
            evidence_changes={"diagnostic_block": True},
        ),
        [
            (
                "warning",
                "noridian.dx_facet",
                2,
                (
                    "None of the diagnoses on line 2 (M5416, M5450) is on the covered ICD-10 "
                    "list of A58403 v27 (Noridian) for 64493."
                ),
                "point the line to a covered diagnosis if the record supports one",
            ),
        ],
        rules=("noridian.dx_facet",),
    ),
    Case(
        "noridian-sij-dx",
        lambda: claim([EM, line("27096")], state="AZ", dx=["M54.16"]),
        [
            (
                "warning",
                "noridian.dx_sij_tpi",
                2,
                (
                    "None of the diagnoses on line 2 (M5416) is on the covered ICD-10 list of "
                    "A59244 (Noridian) for 27096."
                ),
                "point the line to a covered diagnosis if the record supports one",
            ),
        ],
        rules=("noridian.dx_sij_tpi",),
    ),
    Case(
        "tf-no-side-counts-on-both-sides",
        lambda: claim([EM, line("64483"), line("64484", ["LT"]), line("64484", ["LT"])]),
        [
            (
                "error",
                "esi.tf_levels",
                4,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one "
                    "session; the policy allows at most 2."
                ),
                TF_LEVELS_FIX,
            ),
        ],
        rules=("esi.tf_levels",),
    ),
    Case(
        "tf-rt-and-lt-on-one-line-count-on-both-sides",
        lambda: claim([EM, line("64483", ["RT", "LT"]), line("64484", ["LT"]), line("64484", ["LT"])]),
        [
            (
                "error",
                "esi.tf_levels",
                4,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one "
                    "session; the policy allows at most 2."
                ),
                TF_LEVELS_FIX,
            ),
        ],
        rules=("esi.tf_levels",),
    ),
    Case(
        "wiser-tx-office-then-facility",
        lambda: claim([EM, line("64483", ["RT"]), line("64484", ["RT"], pos="22")], state="TX"),
        [
            (
                "error",
                "esi.wiser_prior_auth_tx",
                2,
                (
                    "64483 needs prior authorization under the WISeR model (traditional "
                    "Medicare) (place of service 11, state TX); the claim has no "
                    "authorization number."
                ),
                UTN_FIX,
            ),
            (
                "warning",
                "esi.wiser_prior_auth_tx_facility",
                3,
                (
                    "64484 in place of service 22 needs prior authorization under the WISeR "
                    "model (traditional Medicare); the authorization number (UTN) goes on the "
                    "facility's claim, not on this one."
                ),
                FACILITY_FIX,
            ),
        ],
        rules=WISER_TX,
    ),
    Case(
        "noncovered-with-ga",
        lambda: claim([EM, line("62322", ["GA"])]),
        [
            (
                "warning",
                "esi.no_imaging_codes",
                2,
                (
                    "62322 is the code for an ESI without imaging guidance, and ESI without "
                    "CT or fluoroscopy is not reasonable and necessary; expect a denial "
                    "(modifier GA declares it)."
                ),
                "bill 62321/62323 if CT or fluoroscopic guidance was used",
            ),
        ],
        rules=("esi.no_imaging_codes",),
    ),
    Case(
        "noncovered-with-gz-and-ga",
        lambda: claim([EM, line("62322", ["GZ", "GA"])]),
        [
            (
                "warning",
                "esi.no_imaging_codes",
                2,
                (
                    "62322 is the code for an ESI without imaging guidance, and ESI without "
                    "CT or fluoroscopy is not reasonable and necessary; expect a denial "
                    "(modifier GA or GZ declares it)."
                ),
                "bill 62321/62323 if CT or fluoroscopic guidance was used",
            ),
        ],
        rules=("esi.no_imaging_codes",),
    ),
    Case(
        # A line declared with GA does not end the check: the undeclared line after it gets its own
        # finding (this pack rule is a warning, so the severity is the rule's, not "error").
        "noncovered-ga-line-then-plain-line",
        lambda: claim([EM, line("62322", ["GA"]), line("62322")]),
        [
            (
                "warning",
                "esi.no_imaging_codes",
                2,
                (
                    "62322 is the code for an ESI without imaging guidance, and ESI without "
                    "CT or fluoroscopy is not reasonable and necessary; expect a denial "
                    "(modifier GA declares it)."
                ),
                "bill 62321/62323 if CT or fluoroscopic guidance was used",
            ),
            (
                "warning",
                "esi.no_imaging_codes",
                3,
                (
                    "62322 is the code for an ESI without imaging guidance, and ESI without "
                    "CT or fluoroscopy is not reasonable and necessary."
                ),
                "bill 62321/62323 if CT or fluoroscopic guidance was used",
            ),
        ],
        rules=("esi.no_imaging_codes",),
    ),
    Case(
        "noncovered-plain",
        lambda: claim([EM, line("64625")]),
        [
            (
                "error",
                "si.rfa_not_covered",
                2,
                "64625 is SI joint radiofrequency ablation, which is not reasonable and necessary.",
                ("remove the line; if it is still performed, add GA with a signed ABN (GZ without one)"),
            ),
        ],
        rules=("si.rfa_not_covered",),
    ),
    Case(
        "modifier-50-with-rt",
        lambda: claim([EM, line("64483", ["50", "RT"])]),
        [
            (
                "error",
                "ncci.bilateral_with_sides",
                2,
                (
                    "64483 carries modifier 50 together with RT: a bilateral line (50, one "
                    "line, 1 unit) must not also carry RT or LT."
                ),
                "keep 50 alone, or drop it and bill RT",
            ),
        ],
        rules=("ncci.bilateral_with_sides",),
    ),
    Case(
        "modifier-59",
        lambda: claim([EM, line("64483", ["RT", "59"])]),
        [
            (
                "warning",
                "ncci.prefer_x_modifiers",
                2,
                (
                    "Modifier 59 on 64483: CMS asks for XE, XS, XP or XU when one describes "
                    "the service, and 59 only when none does."
                ),
                (
                    "replace 59 with XE (separate encounter), XS (separate structure), XP "
                    "(separate practitioner) or XU (unusual non-overlapping service) when one "
                    "fits"
                ),
            ),
        ],
        rules=("ncci.prefer_x_modifiers",),
    ),
    Case(
        "ptp-64772-bundles",
        lambda: claim([EM, line("64772"), line("64483", ["RT"])]),
        [
            (
                "warning",
                "ncci.ptp_64772",
                3,
                (
                    "64483 is bundled into 64772 on the same day (NCCI PTP, modifier "
                    "indicator 0: never paid together, no modifier bypasses it)."
                ),
                "remove 64483, or bill it on another date of service if it was done separately",
            ),
        ],
        rules=("ncci.ptp_64772",),
    ),
    Case(
        "ptp-64772-other-day",
        lambda: claim([EM, line("64772"), line("64483", ["RT"], day=NEXT_DAY)]),
        [],
        rules=("ncci.ptp_64772",),
    ),
    Case(
        "il-bilateral-50",
        lambda: claim([EM, line("62323", ["50"])]),
        [
            (
                "error",
                "esi.il_bilateral",
                2,
                (
                    "62323 is billed bilateral (modifier 50): bilateral interlaminar/caudal "
                    "ESI is not reasonable and necessary."
                ),
                "bill one side only (RT or LT) and document the side treated",
            ),
        ],
        rules=("esi.il_bilateral",),
    ),
    Case(
        "il-rt-and-lt",
        lambda: claim([EM, line("62323", ["RT"]), line("62323", ["LT"])]),
        [
            (
                "error",
                "esi.il_bilateral",
                3,
                (
                    "62323 is billed for both sides (RT and LT) in one session: bilateral "
                    "interlaminar/caudal ESI is not reasonable and necessary."
                ),
                "bill one side only and document the side treated",
            ),
        ],
        rules=("esi.il_bilateral",),
    ),
    Case(
        "il-laterality-bilateral",
        lambda: claim([EM, line("62323")], evidence_changes={"laterality": "bilateral"}),
        [
            (
                "error",
                "esi.il_bilateral",
                2,
                (
                    "The evidence records a bilateral 62323: bilateral interlaminar/caudal "
                    "ESI is not reasonable and necessary."
                ),
                "correct the laterality in the evidence, or do not bill the procedure as covered",
            ),
        ],
        rules=("esi.il_bilateral",),
    ),
    Case(
        "tf-no-side",
        lambda: claim([EM, line("64483")]),
        [
            (
                "warning",
                "esi.tf_side",
                2,
                (
                    "64483 needs modifier RT, LT or 50: a transforaminal injection is on one "
                    "side (RT/LT) or both (50)."
                ),
                "add modifier RT, LT or 50",
            ),
        ],
        rules=("esi.tf_side",),
    ),
    Case(
        "ct-ignored-kind",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "conservative_therapies": [
                    therapy(10),
                    {"kind": "acupuncture", "start_date": days_before(60), "response": "failed"},
                    {"kind": "other", "start_date": days_before(60), "response": "failed"},
                ]
            },
        ),
        [
            (
                "error",
                "esi.conservative_care",
                2,
                (
                    "The policy needs 4 weeks of failed conservative care (pharmacotherapy, "
                    "physical therapy, chiropractic, cognitive behavioral or home exercise) "
                    "before this procedure; the evidence shows 10 days (acupuncture, other "
                    "does not count under this policy)."
                ),
                CT_FIX,
            ),
        ],
        rules=("esi.conservative_care",),
    ),
    Case(
        "ct-one-day",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"conservative_therapies": [therapy(1)]}),
        [
            (
                "error",
                "esi.conservative_care",
                2,
                (
                    "The policy needs 4 weeks of failed conservative care (pharmacotherapy, "
                    "physical therapy, chiropractic, cognitive behavioral or home exercise) "
                    "before this procedure; the evidence shows 1 day."
                ),
                CT_FIX,
            ),
        ],
        rules=("esi.conservative_care",),
    ),
    Case(
        "ct-two-spans-with-gap",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "conservative_therapies": [therapy(40, end=30), therapy(20, end=10), ONGOING_EXERCISE]
            },
        ),
        [
            (
                "error",
                "esi.conservative_care",
                2,
                (
                    "The policy needs 4 weeks of failed conservative care (pharmacotherapy, "
                    "physical therapy, chiropractic, cognitive behavioral or home exercise) "
                    "before this procedure; the evidence shows 20 days."
                ),
                CT_FIX,
            ),
        ],
        rules=("esi.conservative_care",),
    ),
    Case(
        "ct-overlap",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "conservative_therapies": [
                    therapy(40, end=20),
                    therapy(30, end=25),
                    therapy(22, end=16),
                    ONGOING_EXERCISE,
                ]
            },
        ),
        [
            (
                "error",
                "esi.conservative_care",
                2,
                (
                    "The policy needs 4 weeks of failed conservative care (pharmacotherapy, "
                    "physical therapy, chiropractic, cognitive behavioral or home exercise) "
                    "before this procedure; the evidence shows 24 days."
                ),
                CT_FIX,
            ),
        ],
        rules=("esi.conservative_care",),
    ),
    Case(
        "ct-not-tolerated",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"conservative_therapies": [therapy(3, response="not_tolerated")]},
        ),
        [],
        rules=("esi.conservative_care",),
    ),
    Case(
        "ct-zoster-exempt",
        lambda: claim(
            [EM, line("64483", ["RT"])], dx=["B02.29"], evidence_changes={"conservative_therapies": []}
        ),
        [],
        rules=("esi.conservative_care",),
    ),
    Case(
        "facet-no-failed-care",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "conservative_therapies": [
                    therapy(60, response="improved"),
                    {"kind": "home_exercise", "start_date": days_before(60), "response": "failed"},
                ],
            },
        ),
        [
            (
                "error",
                "facet.conservative_care",
                2,
                (
                    "No failed conservative care is recorded (pharmacotherapy, physical "
                    "therapy, acupuncture, chiropractic or cognitive behavioral) (home "
                    "exercise does not count under this policy)."
                ),
                NO_CARE_FIX,
            ),
        ],
        rules=("facet.conservative_care",),
    ),
    Case(
        "bcbsma-analgesics",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            state="MA",
            filing="BL",
            evidence_changes={
                "conservative_therapies": [
                    therapy(60),
                    {"kind": "pharmacotherapy", "start_date": days_before(60), "response": "not_tolerated"},
                ]
            },
        ),
        [
            (
                "error",
                "bcbsma.esi_analgesics",
                2,
                (
                    "No failed conservative care is recorded (pharmacotherapy) (physical "
                    "therapy does not count under this policy)."
                ),
                NO_CARE_FIX,
            ),
        ],
    ),
    Case(
        "pain-onset-missing",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"pain_onset_date": None}),
        [
            (
                "error",
                "esi.pain_duration",
                2,
                "The policy needs pain for at least 4 weeks; no pain onset date is recorded.",
                "record evidence.pain_onset_date",
            ),
        ],
        rules=("esi.pain_duration",),
    ),
    Case(
        "esi-ultrasound",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"imaging_guidance": "ultrasound"}),
        [
            (
                "error",
                "esi.imaging",
                2,
                (
                    "64483 was done with ultrasound guidance; the policy covers fluoroscopy "
                    "or ct (ultrasound only with a documented contrast allergy or pregnancy)."
                ),
                "use fluoroscopy or ct guidance, or document the contrast allergy or pregnancy",
            ),
        ],
        rules=("esi.imaging",),
    ),
    Case(
        "esi-ultrasound-contrast-allergy",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"imaging_guidance": "ultrasound", "contrast_contraindicated": True},
        ),
        [],
        rules=("esi.imaging",),
    ),
    Case(
        "sij-ultrasound",
        lambda: claim([EM, line("27096")], evidence_changes={"imaging_guidance": "ultrasound"}),
        [
            (
                "error",
                "si.imaging",
                2,
                (
                    "27096 was done with ultrasound guidance; the policy covers fluoroscopy "
                    "or ct (ultrasound only with a documented contrast allergy or pregnancy)."
                ),
                "use fluoroscopy or ct guidance, or document the contrast allergy or pregnancy",
            ),
        ],
        rules=("si.imaging",),
    ),
    Case(
        "esi-no-guidance-recorded",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"imaging_guidance": None}),
        [
            (
                "error",
                "esi.imaging",
                2,
                "64483 must be done under imaging guidance (fluoroscopy or ct); none is recorded.",
                "record evidence.imaging_guidance",
            ),
        ],
        rules=("esi.imaging",),
    ),
    Case(
        "esi-code-without-imaging",
        lambda: claim([EM, line("62322")]),
        [
            (
                "error",
                "esi.imaging",
                2,
                (
                    "62322 is the code for the procedure without imaging guidance; the policy "
                    "covers fluoroscopy or ct guidance only."
                ),
                (
                    "bill the code for the fluoroscopy or ct-guided procedure if that is what "
                    "was done; otherwise do not bill it as covered (GA with a signed ABN, GZ "
                    "without one)"
                ),
            ),
        ],
        rules=("esi.imaging",),
    ),
    Case(
        "facet-ultrasound-code",
        lambda: claim([EM, line("0216T")]),
        [
            (
                "error",
                "facet.imaging",
                2,
                (
                    "0216T is the code for the procedure with ultrasound guidance; the policy "
                    "covers fluoroscopy or ct guidance only."
                ),
                (
                    "bill the code for the fluoroscopy or ct-guided procedure if that is what "
                    "was done; otherwise do not bill it as covered (GA with a signed ABN, GZ "
                    "without one)"
                ),
            ),
        ],
        rules=("facet.imaging",),
    ),
    Case(
        "sij-two-provocative",
        lambda: claim([EM, line("27096")], evidence_changes={"provocative_tests_positive": 2}),
        [
            (
                "error",
                "si.provocative_tests",
                2,
                "The policy needs at least 3 positive provocative tests; 2 recorded.",
                (
                    "record evidence.provocative_tests_positive (FABER, Gaenslen, thigh "
                    "thrust, compression, distraction, Yeoman)"
                ),
            ),
        ],
        rules=("si.provocative_tests",),
    ),
    Case(
        "sij-provocative-missing",
        lambda: claim([EM, line("27096")], evidence_changes={"provocative_tests_positive": None}),
        [
            (
                "error",
                "si.provocative_tests",
                2,
                "The policy needs at least 3 positive provocative tests; none are recorded.",
                (
                    "record evidence.provocative_tests_positive (FABER, Gaenslen, thigh "
                    "thrust, compression, distraction, Yeoman)"
                ),
            ),
        ],
        rules=("si.provocative_tests",),
    ),
    Case(
        "sij-three-provocative",
        lambda: claim([EM, line("27096")], evidence_changes={"provocative_tests_positive": 3}),
        [],
        rules=("si.provocative_tests",),
    ),
    Case(
        "psych-on-the-dos",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"psych_evaluation": {"date": days_before(0), "cleared": True}, **TRIAL_LINE},
        ),
        [],
        rules=SCS,
    ),
    Case(
        "psych-after-the-dos",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"psych_evaluation": {"date": days_before(-1), "cleared": True}, **TRIAL_LINE},
        ),
        [
            (
                "error",
                "scs.psych_evaluation",
                2,
                (
                    "Spinal cord stimulation needs a psychological evaluation before the "
                    "trial or implant; none is recorded."
                ),
                "record evidence.psych_evaluation (date and whether the patient was cleared)",
            ),
        ],
        rules=SCS,
    ),
    Case(
        "psych-not-cleared",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"psych_evaluation": {"date": days_before(5), "cleared": False}, **TRIAL_LINE},
        ),
        [
            (
                "error",
                "scs.psych_evaluation",
                2,
                ("The psychological evaluation on 2026-09-11 did not clear the patient for stimulation."),
                "do not bill the stimulator as covered until the patient is cleared",
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-ending-on-the-dos",
        lambda: claim([EM, line("63650")], evidence_changes={**scs_trial(0), **PERMANENT}),
        [],
        rules=SCS,
    ),
    Case(
        "trial-ending-after-the-dos",
        lambda: claim([EM, line("63650")], evidence_changes={**scs_trial(-1), **PERMANENT}),
        [
            (
                "error",
                "scs.trial_before_permanent",
                2,
                ("A permanent stimulator needs a completed trial first; no finished trial is recorded."),
                TRIAL_FIX,
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-40-relief-30-analgesics",
        lambda: claim([EM, line("63685")], evidence_changes=scs_trial(3, relief=40, analgesics=30)),
        [
            (
                "error",
                "scs.trial_before_permanent",
                2,
                (
                    "A permanent stimulator needs at least 50% relief in the trial (or 50% "
                    "less analgesics); the trial gave 40% relief, 30% less analgesics."
                ),
                LOW_TRIAL_FIX,
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-analgesics-only-50",
        lambda: claim([EM, line("63685")], evidence_changes=scs_trial(3, relief=None, analgesics=50)),
        [],
        rules=SCS,
    ),
    Case(
        "trial-analgesics-only-49",
        lambda: claim([EM, line("63685")], evidence_changes=scs_trial(3, relief=None, analgesics=49)),
        [
            (
                "error",
                "scs.trial_before_permanent",
                2,
                (
                    "A permanent stimulator needs at least 50% relief in the trial (or 50% "
                    "less analgesics); the trial gave relief not recorded, 49% less "
                    "analgesics."
                ),
                LOW_TRIAL_FIX,
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-no-result",
        lambda: claim([EM, line("63685")], evidence_changes=scs_trial(3, relief=None)),
        [
            (
                "warning",
                "scs.trial_before_permanent",
                2,
                (
                    "Not stated: the result of the trial that ended 2026-09-13 (percent pain "
                    "relief or analgesic reduction) (a permanent stimulator needs at least "
                    "50% relief or analgesic reduction in the trial)."
                ),
                "record percent_relief or analgesic_reduction_percent in evidence.scs.trials",
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-no-function",
        lambda: claim([EM, line("63685")], evidence_changes=scs_trial(3, function=False)),
        [
            (
                "error",
                "scs.trial_before_permanent",
                2,
                (
                    "A permanent stimulator needs functional improvement in the trial; the "
                    "trial that ended 2026-09-13 shows none."
                ),
                "do not implant as covered; record the functional improvement if there was one",
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-function-unstated",
        lambda: claim([EM, line("63685")], evidence_changes=scs_trial(3, function=None)),
        [
            (
                "warning",
                "scs.trial_before_permanent",
                2,
                (
                    "Not stated: whether the trial that ended 2026-09-13 improved function (a "
                    "permanent stimulator needs functional improvement in the trial as well "
                    "as relief)."
                ),
                "record functional_improvement in evidence.scs.trials",
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-intent-unstated",
        lambda: claim([EM, line("63650")]),
        [
            (
                "warning",
                "scs.trial_before_permanent",
                2,
                (
                    "Not stated: whether line 2 (63650) is a trial or a permanent implant (a "
                    "permanent implant needs a successful trial first)."
                ),
                INTENT_FIX,
            ),
        ],
        rules=SCS,
    ),
    Case(
        "trial-line-and-permanent-generator",
        lambda: claim(
            [EM, line("63650"), line("63685")], evidence_changes={"lines": [{"line": 2, "intent": "trial"}]}
        ),
        [
            (
                "error",
                "scs.trial_before_permanent",
                3,
                ("A permanent stimulator needs a completed trial first; no finished trial is recorded."),
                TRIAL_FIX,
            ),
        ],
        rules=SCS,
    ),
    Case(
        "permanent-63655-as-trial",
        lambda: claim(
            [EM, line("63655")],
            evidence_changes={
                "lines": [{"line": 2, "intent": "trial"}],
                "scs": {**good_evidence()["scs"], "trials": []},
            },
        ),
        [],
        rules=SCS,
    ),
    Case(
        "replacement-generator",
        lambda: claim(
            [EM, line("63685")],
            evidence_changes={
                "lines": [{"line": 2, "intent": "replacement"}],
                "scs": {**good_evidence()["scs"], "trials": []},
            },
        ),
        [],
        rules=SCS,
    ),
    Case(
        "legacy-trial",
        lambda: claim(
            [EM, line("63685")],
            evidence_changes={
                "stimulator_trial": {
                    "start_date": days_before(10),
                    "end_date": days_before(3),
                    "percent_relief": 40,
                },
                "scs": {**good_evidence()["scs"], "trials": []},
            },
        ),
        [
            (
                "error",
                "scs.trial_before_permanent",
                2,
                (
                    "A permanent stimulator needs at least 50% relief in the trial (or 50% "
                    "less analgesics); the trial gave 40% relief."
                ),
                LOW_TRIAL_FIX,
            ),
        ],
        rules=SCS,
    ),
    Case(
        "esi-fifth-session-in-a-year",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"prior_procedures": [prior("64483", d, 80, 120) for d in (300, 200, 100, 30)]},
        ),
        [
            (
                "error",
                "esi.frequency",
                2,
                (
                    "This would be ESI session 5 in the lumbar/sacral region within 365 days "
                    "(earlier: 2025-11-20, 2026-02-28, 2026-06-08, 2026-08-17); the limit is "
                    "4."
                ),
                (
                    "a session is covered again from 2026-11-21 (when the one of 2025-11-20 "
                    "leaves the window); until then do not bill it as covered; with a signed "
                    "ABN add modifier GA"
                ),
            ),
        ],
        past=history(("64483", 300), ("64483", 200), ("64483", 100), ("64483", 30)),
        rules=("esi.frequency",),
    ),
    Case(
        "esi-session-365-days-back-counts",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"prior_procedures": [prior("64483", d, 80, 120) for d in (365, 200, 100, 30)]},
        ),
        [
            (
                "error",
                "esi.frequency",
                2,
                (
                    "This would be ESI session 5 in the lumbar/sacral region within 365 days "
                    "(earlier: 2025-09-16, 2026-02-28, 2026-06-08, 2026-08-17); the limit is "
                    "4."
                ),
                (
                    "a session is covered again from 2026-09-17 (when the one of 2025-09-16 "
                    "leaves the window); until then do not bill it as covered; with a signed "
                    "ABN add modifier GA"
                ),
            ),
        ],
        past=history(("64483", 365), ("64483", 200), ("64483", 100), ("64483", 30)),
        rules=("esi.frequency",),
    ),
    Case(
        "esi-session-366-days-back-does-not",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"prior_procedures": [prior("64483", d, 80, 120) for d in (366, 200, 100, 30)]},
        ),
        [],
        past=history(("64483", 366), ("64483", 200), ("64483", 100), ("64483", 30)),
        rules=("esi.frequency",),
    ),
    Case(
        "esi-cervical-sessions-do-not-count-for-lumbar",
        lambda: claim([EM, line("64483", ["RT"])]),
        [],
        past=history(("64479", 300), ("64479", 200), ("64479", 100), ("64479", 30)),
        rules=("esi.frequency",),
    ),
    Case(
        "esi-sessions-on-the-claim-itself",
        lambda: claim(
            [
                EM,
                line("64483", ["RT"]),
                line("64483", ["RT"], day=DOS + dt.timedelta(days=40)),
                line("64483", ["RT"], day=DOS + dt.timedelta(days=80)),
            ],
            evidence_changes={"prior_procedures": [prior("64483", d, 80, 120) for d in (200, 100)]},
        ),
        [
            (
                "error",
                "esi.frequency",
                4,
                (
                    "This would be ESI session 5 in the lumbar/sacral region within 365 days "
                    "(earlier: 2026-02-28, 2026-06-08, 2026-09-16, 2026-10-26); the limit is "
                    "4."
                ),
                (
                    "a session is covered again from 2027-03-01 (when the one of 2026-02-28 "
                    "leaves the window); until then do not bill it as covered; with a signed "
                    "ABN add modifier GA"
                ),
            ),
        ],
        past=history(("64483", 200), ("64483", 100)),
        rules=("esi.frequency",),
    ),
    Case(
        "bcbsma-seventh-session-any-region",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            state="MA",
            filing="BL",
            evidence_changes={
                "prior_procedures": [prior("64483", d, 80, 120) for d in (330, 280, 230, 180, 130)]
                + [prior("64479", 80, 80, 120, region="cervical")]
            },
        ),
        [
            (
                "error",
                "bcbsma.esi_frequency",
                2,
                (
                    "This would be ESI session 7 within 365 days (earlier: 2025-10-21, "
                    "2025-12-10, 2026-01-29, 2026-03-20, 2026-05-09, 2026-06-28); the limit "
                    "is 6."
                ),
                (
                    "a session is covered again from 2026-10-22 (when the one of 2025-10-21 "
                    "leaves the window); until then do not bill it as covered; with a signed "
                    "ABN add modifier GA"
                ),
            ),
        ],
        past=history(
            ("64483", 330), ("64483", 280), ("64483", 230), ("64483", 180), ("64483", 130), ("64479", 80)
        ),
        rules=("bcbsma.esi_frequency",),
    ),
    Case(
        "facet-rfa-third-in-a-year",
        lambda: claim(
            [EM, line("64635", ["RT"])],
            evidence_changes={
                "prior_procedures": [prior("64635", 300, 80, 200), prior("64635", 150, 80, 200)]
            },
        ),
        [
            (
                "error",
                "facet.rfa_frequency",
                2,
                (
                    "This would be facet RF ablation session 3 in the lumbar/sacral region "
                    "within 365 days (earlier: 2025-11-20, 2026-04-19); the limit is 2."
                ),
                (
                    "a session is covered again from 2026-11-21 (when the one of 2025-11-20 "
                    "leaves the window); until then do not bill it as covered; with a signed "
                    "ABN add modifier GA"
                ),
            ),
        ],
        past=history(("64635", 300), ("64635", 150)),
        rules=("facet.rfa_frequency", "facet.rfa_repeat", "facet.rfa_initial"),
    ),
    Case(
        "esi-repeat-relief-not-recorded",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"prior_procedures": [prior("64483", 120)]}
        ),
        [
            (
                "error",
                "esi.repeat_relief",
                2,
                ("A repeat ESI depends on the relief the 64483 on 2026-05-19 gave, and it is not recorded."),
                "record the percent relief and how long it lasted in evidence.prior_procedures",
            ),
        ],
        past=history(("64483", 120)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "esi-repeat-duration-not-recorded",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"prior_procedures": [prior("64483", 120, 70)]}
        ),
        [
            (
                "error",
                "esi.repeat_relief",
                2,
                (
                    "A repeat ESI needs the relief from the 64483 on 2026-05-19 to last at "
                    "least 3 months (90 days); it is not recorded."
                ),
                "record the percent relief and how long it lasted in evidence.prior_procedures",
            ),
        ],
        past=history(("64483", 120)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "esi-repeat-relief-one-day",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"prior_procedures": [prior("64483", 120, 70, 1)]}
        ),
        [
            (
                "error",
                "esi.repeat_relief",
                2,
                (
                    "A repeat ESI needs the relief from the 64483 on 2026-05-19 to last at "
                    "least 3 months (90 days); it was 1 day."
                ),
                "wait until the relief criterion is met",
            ),
        ],
        past=history(("64483", 120)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "poor-responder-nothing-changed",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "prior_procedures": [prior("64483", 30, 20, 10)],
                "repeat": {"rationale": "pain returned", "changes": []},
            },
        ),
        [
            (
                "error",
                "esi.repeat_relief",
                2,
                (
                    "A repeat ESI after a poor response must change the approach, level or "
                    "medication; the 64483 on 2026-08-17 gave 20% relief (below 50%) and the "
                    "evidence states that nothing changed."
                ),
                (
                    "change the approach, level or medication, or do not bill it as covered "
                    "(GA with a signed ABN)"
                ),
            ),
        ],
        past=history(("64483", 30)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "poor-responder-nothing-stated",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"prior_procedures": [prior("64483", 30, 20, 10)]}
        ),
        [
            (
                "warning",
                "esi.repeat_relief",
                2,
                (
                    "Not stated: what changed since it (level, approach or medication) and "
                    "the rationale for repeating it (the 64483 on 2026-08-17 gave 20% relief "
                    "(below 50%); a poor-responder repeat needs a documented rationale and a "
                    "change)."
                ),
                "record evidence.repeat (rationale and changes: level, approach, medication)",
            ),
        ],
        past=history(("64483", 30)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "poor-responder-changes-without-rationale",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "prior_procedures": [prior("64483", 30, 20, 10)],
                "repeat": {"changes": ["level"]},
            },
        ),
        [
            (
                "warning",
                "esi.repeat_relief",
                2,
                (
                    "Not stated: the rationale for repeating it (the 64483 on 2026-08-17 gave "
                    "20% relief (below 50%); a poor-responder repeat needs a documented "
                    "rationale and a change)."
                ),
                "record evidence.repeat (rationale and changes: level, approach, medication)",
            ),
        ],
        past=history(("64483", 30)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "poor-responder-other-code-is-another-approach",
        lambda: claim(
            [EM, line("62323")],
            evidence_changes={
                "prior_procedures": [prior("64483", 30, 20, 10)],
                "repeat": {"rationale": "pain returned"},
            },
        ),
        [],
        past=history(("64483", 30)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "poor-responder-other-code-without-rationale",
        lambda: claim(
            [EM, line("62323")], evidence_changes={"prior_procedures": [prior("64483", 30, 20, 10)]}
        ),
        [
            (
                "warning",
                "esi.repeat_relief",
                2,
                (
                    "Not stated: the rationale for repeating it (the 64483 on 2026-08-17 gave "
                    "20% relief (below 50%); a poor-responder repeat needs a documented "
                    "rationale and a change)."
                ),
                "record evidence.repeat (rationale and changes: level, approach, medication)",
            ),
        ],
        past=history(("64483", 30)),
        rules=("esi.repeat_relief",),
    ),
    Case(
        "rfa-initial-picks-the-block-with-relief-of-each-day",
        lambda: claim(
            [EM, line("64635", ["RT"])],
            evidence_changes={
                "prior_procedures": [
                    prior("64493", 60, 85, diagnostic=True),
                    prior("64493", 40, diagnostic=True),
                    prior("64494", 40, 90, diagnostic=True),
                ]
            },
        ),
        [],
        rules=("facet.rfa_initial",),
    ),
    Case(
        "rfa-initial-two-blocks-one-day",
        lambda: claim(
            [EM, line("64635", ["RT"])],
            evidence_changes={
                "prior_procedures": [
                    prior("64493", 40, 85, diagnostic=True),
                    prior("64494", 40, 90, diagnostic=True),
                ]
            },
        ),
        [
            (
                "error",
                "facet.rfa_initial",
                2,
                (
                    "A first facet RF ablation needs 2 earlier block(s) in the lumbar/sacral "
                    "region with at least 80% relief; the evidence and history show 1."
                ),
                (
                    "record each earlier block with its percent relief in "
                    "evidence.prior_procedures (diagnostic: true for diagnostic blocks)"
                ),
            ),
        ],
        rules=("facet.rfa_initial",),
    ),
    Case(
        "rfa-initial-second-block-low",
        lambda: claim(
            [EM, line("64635", ["RT"])],
            evidence_changes={
                "prior_procedures": [
                    prior("64493", 60, 85, diagnostic=True),
                    prior("64493", 40, 70, diagnostic=True),
                ]
            },
        ),
        [
            (
                "error",
                "facet.rfa_initial",
                2,
                (
                    "A first facet RF ablation needs at least 80% relief from the 64493 on "
                    "2026-08-07; it gave 70%."
                ),
                (
                    "do not bill it as covered (GA with a signed ABN); record the correct "
                    "relief if it was higher"
                ),
            ),
        ],
        rules=("facet.rfa_initial",),
    ),
    Case(
        "rfa-initial-after-an-earlier-rfa",
        lambda: claim(
            [EM, line("64635", ["RT"])], evidence_changes={"prior_procedures": [prior("64635", 400, 80, 200)]}
        ),
        [],
        past=history(("64635", 400)),
        rules=("facet.rfa_initial",),
    ),
    Case(
        "second-diagnostic-block-after-10-days",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "prior_procedures": [prior("64493", 10, 85, diagnostic=True)],
            },
        ),
        [
            (
                "error",
                "facet.second_diagnostic_interval",
                2,
                (
                    "A second diagnostic facet block only 10 days after the one on "
                    "2026-09-06; the policy needs at least 14 days."
                ),
                "schedule it on or after 2026-09-20",
            ),
        ],
        past=history(("64493", 10, ["KX"])),
        rules=("facet.second_diagnostic_interval", "facet.second_diagnostic_relief"),
    ),
    Case(
        "second-diagnostic-block-after-1-day",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "prior_procedures": [prior("64493", 1, 85, diagnostic=True)],
            },
        ),
        [
            (
                "error",
                "facet.second_diagnostic_interval",
                2,
                (
                    "A second diagnostic facet block only 1 day after the one on 2026-09-15; "
                    "the policy needs at least 14 days."
                ),
                "schedule it on or after 2026-09-29",
            ),
        ],
        past=history(("64493", 1, ["KX"])),
        rules=("facet.second_diagnostic_interval",),
    ),
    Case(
        "second-diagnostic-block-after-14-days",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "prior_procedures": [prior("64493", 14, 60, diagnostic=True)],
            },
        ),
        [
            (
                "error",
                "facet.second_diagnostic_relief",
                2,
                (
                    "A second diagnostic facet block needs at least 80% relief from the 64493 "
                    "on 2026-09-02; it gave 60%."
                ),
                (
                    "do not bill it as covered (GA with a signed ABN); record the correct "
                    "relief if it was higher"
                ),
            ),
        ],
        past=history(("64493", 14, ["KX"])),
        rules=("facet.second_diagnostic_interval", "facet.second_diagnostic_relief"),
    ),
    Case(
        "bcbsma-interval-any-region",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            state="MA",
            filing="BL",
            evidence_changes={"prior_procedures": [prior("64479", 20, 80, 120, region="cervical")]},
        ),
        [
            (
                "error",
                "bcbsma.esi_interval",
                2,
                "An ESI only 20 days after the one on 2026-08-27; the policy needs at least 30 days.",
                "schedule it on or after 2026-09-26",
            ),
        ],
        past=history(("64479", 20)),
        rules=("bcbsma.esi_interval",),
    ),
    Case(
        "sedation-code-without-sedation-stated",
        lambda: claim([EM, line("64483", ["RT"]), line("99152")]),
        [
            (
                "warning",
                "esi.sedation",
                3,
                (
                    "Not stated: the sedation given (line 3 bills 99152) (moderate or deep "
                    "sedation, general anesthesia and MAC are not reasonable and necessary "
                    "for an ESI except in documented exceptional cases)."
                ),
                "record evidence.sedation (and evidence.sedation_reason when moderate or deeper)",
            ),
        ],
        rules=("esi.sedation",),
    ),
    Case(
        "esi-moderate-sedation-without-a-reason",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"sedation": "moderate"}),
        [
            (
                "warning",
                "esi.sedation",
                2,
                (
                    "Moderate sedation with 64483: moderate or deep sedation, general "
                    "anesthesia and MAC are not reasonable and necessary for an ESI except in "
                    "documented exceptional cases (allowed: none, local or minimal; moderate, "
                    "deep, general or mac only with a documented need)."
                ),
                (
                    "do not bill the sedation as covered, or record the documented need in "
                    "evidence.sedation_reason"
                ),
            ),
        ],
        rules=("esi.sedation",),
    ),
    Case(
        "esi-moderate-sedation-with-a-reason",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"sedation": "moderate", "sedation_reason": "severe needle phobia"},
        ),
        [],
        rules=("esi.sedation",),
    ),
    Case(
        "esi-minimal-sedation",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"sedation": "minimal"}),
        [],
        rules=("esi.sedation",),
    ),
    Case(
        "facet-injection-moderate-sedation",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={"diagnostic_block": True, "sedation": "moderate", "sedation_reason": "anxiety"},
        ),
        [
            (
                "error",
                "facet.sedation_injection",
                2,
                (
                    "Moderate sedation with 64493: moderate or deep sedation, general "
                    "anesthesia and MAC are not covered for facet injections (allowed: none, "
                    "local or minimal)."
                ),
                "do not bill the sedation as covered",
            ),
        ],
        rules=("facet.sedation_injection",),
    ),
    Case(
        "block-after-a-successful-rfa-at-the-level",
        lambda: mbb(DOS, {"prior_procedures": [rfa(days_before(200))]}),
        [
            (
                "error",
                "facet.block_after_rfa",
                2,
                (
                    "A facet block at L4-L5, where the 64635 on 2026-02-28 succeeded; the "
                    "policy does not cover a diagnostic block at the level of a successful "
                    "ablation (repeat diagnostics only 24 months after it)."
                ),
                (
                    "do not repeat the block at that level within 24 months of 2026-02-28; "
                    "block another level only if the record shows a different pain source"
                ),
            ),
        ],
        rules=("facet.block_after_rfa",),
    ),
    Case(
        "block-after-rfa-at-another-level",
        lambda: mbb(DOS, {"prior_procedures": [rfa(days_before(200), levels=("L2-L3",))]}),
        [],
        rules=("facet.block_after_rfa",),
    ),
    Case(
        "block-after-an-unsuccessful-rfa",
        lambda: mbb(DOS, {"prior_procedures": [rfa(days_before(200), relief=30)]}),
        [],
        rules=("facet.block_after_rfa",),
    ),
    Case(
        "block-after-rfa-stated-unsuccessful",
        lambda: mbb(DOS, {"prior_procedures": [rfa(days_before(200), relief=90, successful=False)]}),
        [],
        rules=("facet.block_after_rfa",),
    ),
    Case(
        "block-after-rfa-outcome-and-levels-unstated",
        lambda: mbb(DOS, {"levels": [], "prior_procedures": [rfa(days_before(200), relief=None, levels=())]}),
        [
            (
                "warning",
                "facet.block_after_rfa",
                2,
                (
                    "Not stated: whether the 64635 on 2026-02-28 succeeded "
                    "(evidence.prior_procedures[].successful or percent_relief); the levels "
                    "of this block (evidence.levels); the levels of the 64635 on 2026-02-28 "
                    "(evidence.prior_procedures[].levels) (A facet block is not covered at "
                    "the level of a successful ablation in the last 24 months)."
                ),
                (
                    "record whether the 64635 on 2026-02-28 succeeded "
                    "(evidence.prior_procedures[].successful or percent_relief); the levels "
                    "of this block (evidence.levels); the levels of the 64635 on 2026-02-28 "
                    "(evidence.prior_procedures[].levels)"
                ),
            ),
        ],
        rules=("facet.block_after_rfa",),
    ),
    Case(
        "block-24-months-after-rfa-from-feb-28",
        lambda: mbb(FEB28, {"prior_procedures": [rfa("2024-02-28")]}),
        [],
        rules=("facet.block_after_rfa",),
    ),
    Case(
        "block-after-rfa-on-the-leap-day",
        lambda: mbb(FEB28, {"prior_procedures": [rfa("2024-02-29")]}),
        [
            (
                "error",
                "facet.block_after_rfa",
                2,
                (
                    "A facet block at L4-L5, where the 64635 on 2024-02-29 succeeded; the "
                    "policy does not cover a diagnostic block at the level of a successful "
                    "ablation (repeat diagnostics only 24 months after it)."
                ),
                (
                    "do not repeat the block at that level within 24 months of 2024-02-29; "
                    "block another level only if the record shows a different pain source"
                ),
            ),
        ],
        rules=("facet.block_after_rfa",),
    ),
    Case(
        "relief-hours-unstated",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "prior_procedures": [prior("64493", 20, 85, diagnostic=True)],
            },
        ),
        [
            (
                "warning",
                "facet.diagnostic_relief_hours",
                2,
                (
                    "Not stated: how many hours the relief lasted and the anesthetic agent "
                    "for the 64493 on 2026-08-27 (A facet procedure that relies on diagnostic "
                    "blocks: an anesthetic block's relief is judged against how long its "
                    "agent acts)."
                ),
                "record relief_duration_hours and anesthetic_agent in evidence.prior_procedures",
            ),
        ],
        past=history(("64493", 20, ["KX"])),
        rules=("facet.diagnostic_relief_hours",),
    ),
    Case(
        "relief-hours-agent-unstated",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "prior_procedures": [{**prior("64493", 20, 85, diagnostic=True), "relief_duration_hours": 6}],
            },
        ),
        [
            (
                "warning",
                "facet.diagnostic_relief_hours",
                2,
                (
                    "Not stated: the anesthetic agent for the 64493 on 2026-08-27 (A facet "
                    "procedure that relies on diagnostic blocks: an anesthetic block's relief "
                    "is judged against how long its agent acts)."
                ),
                "record relief_duration_hours and anesthetic_agent in evidence.prior_procedures",
            ),
        ],
        past=history(("64493", 20, ["KX"])),
        rules=("facet.diagnostic_relief_hours",),
    ),
    Case(
        "relief-hours-stored-line-only",
        lambda: claim([EM, line("64493", ["RT", "KX"])], evidence_changes={"diagnostic_block": True}),
        [],
        past=history(("64493", 20, ["KX"])),
        rules=("facet.diagnostic_relief_hours",),
    ),
    Case(
        "third-trial-in-the-region",
        lambda: claim(
            [EM, line("63650")], evidence_changes={**trials(200, 100), **TRIAL_LINE, "region": "thoracic"}
        ),
        [
            (
                "warning",
                "scs.trials_per_region",
                2,
                (
                    "This would be stimulator trial 3 in the thoracic region (earlier: "
                    "2026-02-28, 2026-06-08); the policy allows at most 2 per spinal region "
                    "per lifetime."
                ),
                (
                    "do not bill the trial as covered unless a technical limitation or a new "
                    "modality applies; document which"
                ),
            ),
        ],
        rules=("scs.trials_per_region",),
    ),
    Case(
        "third-trial-earlier-ones-elsewhere",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={**trials(200, 100, region="cervical"), **TRIAL_LINE, "region": "thoracic"},
        ),
        [],
        rules=("scs.trials_per_region",),
    ),
    Case(
        "trial-region-unstated",
        lambda: claim([EM, line("63650")], evidence_changes={**trials(100), **TRIAL_LINE, "region": None}),
        [
            (
                "warning",
                "scs.trials_per_region",
                2,
                (
                    "Not stated: the spinal region of this stimulator trial (at most 2 trials "
                    "per spinal region per lifetime)."
                ),
                "record evidence.region",
            ),
        ],
        rules=("scs.trials_per_region",),
    ),
    Case(
        "generator-in-the-office",
        lambda: claim([EM, line("63685")]),
        [
            (
                "warning",
                "scs.permanent_site_of_service",
                2,
                (
                    "63685 on line 2 is a permanent implant in place of service 11: a "
                    "permanent stimulator is implanted in an ASC or a hospital, not in the "
                    "office."
                ),
                "perform it in place of service 19, 21, 22 or 24, or correct the place of service",
            ),
        ],
        rules=("scs.permanent_site_of_service",),
    ),
    Case(
        "permanent-lead-in-the-office",
        lambda: claim(
            [EM, line("63650"), line("63685", pos="22")],
            evidence_changes={"lines": [{"line": 2, "intent": "permanent"}]},
        ),
        [
            (
                "warning",
                "scs.permanent_site_of_service",
                2,
                (
                    "63650 on line 2 is a permanent implant in place of service 11: a "
                    "permanent stimulator is implanted in an ASC or a hospital, not in the "
                    "office."
                ),
                "perform it in place of service 19, 21, 22 or 24, or correct the place of service",
            ),
        ],
        rules=("scs.permanent_site_of_service",),
    ),
    Case(
        "permanent-in-the-hospital",
        lambda: claim(
            [EM, line("63650", pos="22"), line("63685", pos="22")],
            evidence_changes={"lines": [{"line": 2, "intent": "permanent"}]},
        ),
        [],
        rules=("scs.permanent_site_of_service",),
    ),
    Case(
        "hardware-over-both-limits",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"scs": {**good_evidence()["scs"], "leads": 3, "contacts": 17}, **TRIAL_LINE},
        ),
        [
            (
                "warning",
                "scs.hardware",
                2,
                (
                    "The stimulator uses 3 leads (limit 2) and 17 contacts (limit 16); the "
                    "policy covers at most 2 leads / 16 contacts."
                ),
                "bill only the covered hardware, or correct evidence.scs",
            ),
        ],
        rules=("scs.hardware",),
    ),
    Case(
        "hardware-at-the-limits",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"scs": {**good_evidence()["scs"], "leads": 2, "contacts": 16}, **TRIAL_LINE},
        ),
        [],
        rules=("scs.hardware",),
    ),
    Case(
        "hardware-contacts-only",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"scs": {**good_evidence()["scs"], "leads": None, "contacts": 24}, **TRIAL_LINE},
        ),
        [
            (
                "warning",
                "scs.hardware",
                2,
                (
                    "The stimulator uses 24 contacts (limit 16); the policy covers at most 2 "
                    "leads / 16 contacts."
                ),
                "bill only the covered hardware, or correct evidence.scs",
            ),
        ],
        rules=("scs.hardware",),
    ),
    Case(
        "cyst-treated-twice-before",
        lambda: claim(
            [EM, line("64493", ["RT"])],
            evidence_changes={**CYST, "prior_procedures": [cyst(300, 80, 120), cyst(150, 80, 120)]},
        ),
        [
            (
                "error",
                "facet.cyst_repeat",
                2,
                (
                    "The synovial cyst at L4-L5 was already treated 2 times (2025-11-20, "
                    "2026-04-19); the policy allows 1 repeat(s) per cyst."
                ),
                NO_GUARANTEE,
            ),
        ],
        rules=("facet.cyst_repeat",),
    ),
    Case(
        "cyst-repeat-after-short-relief",
        lambda: claim(
            [EM, line("64493", ["RT"])], evidence_changes={**CYST, "prior_procedures": [cyst(150, 80, 89)]}
        ),
        [
            (
                "error",
                "facet.cyst_repeat",
                2,
                (
                    "A repeat synovial cyst procedure needs 50% improvement for 3 months "
                    "after the one on 2026-04-19; it gave 80% for 89 days."
                ),
                NO_GUARANTEE,
            ),
        ],
        rules=("facet.cyst_repeat",),
    ),
    Case(
        "cyst-repeat-after-90-days-of-half-relief",
        lambda: claim(
            [EM, line("64493", ["RT"])], evidence_changes={**CYST, "prior_procedures": [cyst(150, 50, 90)]}
        ),
        [],
        rules=("facet.cyst_repeat",),
    ),
    Case(
        "cyst-repeat-relief-unstated",
        lambda: claim(
            [EM, line("64493", ["RT"])], evidence_changes={**CYST, "prior_procedures": [cyst(150)]}
        ),
        [
            (
                "warning",
                "facet.cyst_repeat",
                2,
                (
                    "Not stated: the relief and its duration after the cyst procedure on "
                    "2026-04-19 (a repeat needs 50% improvement for 3 months)."
                ),
                "record percent_relief and relief_duration_days in evidence.prior_procedures",
            ),
        ],
        rules=("facet.cyst_repeat",),
    ),
    Case(
        "cyst-repeat-levels-unstated",
        lambda: claim(
            [EM, line("64493", ["RT"])],
            evidence_changes={**CYST, "prior_procedures": [cyst(150, 80, 120, levels=())]},
        ),
        [
            (
                "warning",
                "facet.cyst_repeat",
                2,
                (
                    "Not stated: the levels of this cyst procedure and of the earlier one(s) "
                    "(a facet synovial cyst may be treated again at most 1 time(s))."
                ),
                (
                    "record evidence.levels and the levels of each earlier cyst procedure in "
                    "evidence.prior_procedures"
                ),
            ),
        ],
        rules=("facet.cyst_repeat",),
    ),
    Case(
        "cyst-at-another-level",
        lambda: claim(
            [EM, line("64493", ["RT"])],
            evidence_changes={
                **CYST,
                "prior_procedures": [
                    cyst(300, 80, 120, levels=("L2-L3",)),
                    cyst(150, 80, 120, levels=("l2-l3",)),
                ],
            },
        ),
        [],
        rules=("facet.cyst_repeat",),
    ),
    Case(
        "tpi-repeat-function-low",
        lambda: claim([EM, line("20552")], evidence_changes={"prior_procedures": [tpi(30)]}),
        [
            (
                "warning",
                "tpi.repeat_function",
                2,
                (
                    "A repeat trigger point injection needs at least 50% functional "
                    "improvement from the previous one; the 20552 on 2026-07-18 gave 30%."
                ),
                NO_GUARANTEE,
            ),
        ],
        past=history(("20552", 60)),
        rules=("tpi.repeat_function",),
    ),
    Case(
        "tpi-repeat-function-unstated",
        lambda: claim([EM, line("20552")], evidence_changes={"prior_procedures": [tpi()]}),
        [
            (
                "warning",
                "tpi.repeat_function",
                2,
                (
                    "Not stated: the functional improvement the 20552 on 2026-07-18 gave (A "
                    "repeat trigger point injection needs at least 50% functional improvement "
                    "from the previous one)."
                ),
                "record functional_improvement_percent in evidence.prior_procedures",
            ),
        ],
        past=history(("20552", 60)),
        rules=("tpi.repeat_function",),
    ),
    Case(
        "tpi-repeat-function-half",
        lambda: claim([EM, line("20552")], evidence_changes={"prior_procedures": [tpi(50)]}),
        [],
        past=history(("20552", 60)),
        rules=("tpi.repeat_function",),
    ),
    Case(
        "facet-ultrasound-recorded",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={"diagnostic_block": True, "imaging_guidance": "ultrasound"},
        ),
        [
            (
                "error",
                "facet.imaging",
                2,
                "64493 was done with ultrasound guidance; the policy covers fluoroscopy or ct.",
                "use fluoroscopy or ct guidance",
            ),
        ],
        rules=("facet.imaging",),
    ),
    Case(
        "esi-series-366-days-back-is-beyond-12-months",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "prior_procedures": [prior("64483", 366, 80, 200), prior("64483", 150, 80, 120)]
            },
        ),
        [
            (
                "warning",
                "esi.beyond_12_months",
                2,
                (
                    "Not stated: a severe functional or vocational disability, the rationale "
                    "for continuing (high surgical risk, surgery declined, or recurrence "
                    "relieved >= 3 months) and that the primary care physician was notified "
                    "(ESI continued beyond 12 months is generally not reasonable and "
                    "necessary; it needs a severe functional or vocational disability, a "
                    "documented rationale and the primary care physician notified)."
                ),
                (
                    "record evidence.continuation.severe_disability, "
                    "evidence.continuation.rationale, evidence.continuation.pcp_notified"
                ),
            ),
        ],
        past=history(("64483", 366), ("64483", 150)),
        rules=("esi.beyond_12_months",),
    ),
    Case(
        "esi-series-365-days-back-is-not",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "prior_procedures": [prior("64483", 365, 80, 200), prior("64483", 150, 80, 120)]
            },
        ),
        [],
        past=history(("64483", 365), ("64483", 150)),
        rules=("esi.beyond_12_months",),
    ),
    Case(
        "esi-series-beyond-12-months-stated",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={
                "continuation": {
                    "severe_disability": False,
                    "rationale": "declines surgery",
                    "pcp_notified": False,
                },
                "prior_procedures": [prior("64483", 400, 80, 200), prior("64483", 150, 80, 120)],
            },
        ),
        [
            (
                "warning",
                "esi.beyond_12_months",
                2,
                (
                    "ESI continued beyond 12 months is generally not reasonable and "
                    "necessary; it needs a severe functional or vocational disability, a "
                    "documented rationale and the primary care physician notified; the "
                    "evidence states no severe functional or vocational disability; that the "
                    "primary care physician was not notified."
                ),
                NO_GUARANTEE,
            ),
        ],
        past=history(("64483", 400), ("64483", 150)),
        rules=("esi.beyond_12_months",),
    ),
    Case(
        "doc-complete-esi",
        lambda: esi(),
        [],
        documentation=True,
    ),
    Case(
        "doc-scores-only-on-the-dos",
        lambda: esi(pain_scores=[{"scale": "NRS", "score": 8, "date": days_before(0)}]),
        [],
        documentation=True,
    ),
    Case(
        "doc-score-the-day-after",
        lambda: esi(pain_scores=[{"scale": "NRS", "score": 8, "date": days_before(-1)}]),
        [
            (
                "warning",
                "documentation.esi_record.pain_scale_baseline",
                2,
                (
                    "ESI documentation lacks pain_scale_baseline (pain scale at baseline): no "
                    "score on a named scale (NRS, VAS, ODI ...) is recorded on or before "
                    "2026-09-16."
                ),
                BASELINE_FIX,
            ),
            (
                "warning",
                "documentation.esi_record.pain_scale_followup",
                2,
                (
                    "ESI documentation lacks pain_scale_followup (same pain scale at each "
                    "follow-up): no scores at all, so none after the earlier procedures."
                ),
                FOLLOWUP_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-no-scores-with-an-earlier-esi",
        lambda: esi(pain_scores=[]),
        [
            (
                "warning",
                "documentation.esi_record.pain_scale_baseline",
                2,
                (
                    "ESI documentation lacks pain_scale_baseline (pain scale at baseline): no "
                    "score on a named scale (NRS, VAS, ODI ...) is recorded on or before "
                    "2026-09-16."
                ),
                BASELINE_FIX,
            ),
            (
                "warning",
                "documentation.esi_record.pain_scale_followup",
                2,
                (
                    "ESI documentation lacks pain_scale_followup (same pain scale at each "
                    "follow-up): no scores at all, so none after the earlier procedures."
                ),
                FOLLOWUP_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-no-scores-first-esi",
        lambda: esi(pain_scores=[], prior_procedures=[]),
        [
            (
                "warning",
                "documentation.esi_record.pain_scale_baseline",
                2,
                (
                    "ESI documentation lacks pain_scale_baseline (pain scale at baseline): no "
                    "score on a named scale (NRS, VAS, ODI ...) is recorded on or before "
                    "2026-09-16."
                ),
                BASELINE_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-follow-up-on-another-scale",
        lambda: esi(
            pain_scores=[
                {"scale": "NRS", "score": 8, "date": days_before(120)},
                {"scale": "VAS", "score": 60, "date": days_before(20)},
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.pain_scale_followup",
                2,
                (
                    "ESI documentation lacks pain_scale_followup (same pain scale at each "
                    "follow-up): no NRS score (the baseline scale) after 64483 of 2026-07-18."
                ),
                FOLLOWUP_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-follow-up-on-the-day-of-the-earlier-esi",
        lambda: esi(
            pain_scores=[
                {"scale": "NRS", "score": 8, "date": days_before(120)},
                {"scale": "NRS", "score": 7, "date": days_before(60)},
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.pain_scale_followup",
                2,
                (
                    "ESI documentation lacks pain_scale_followup (same pain scale at each "
                    "follow-up): no NRS score (the baseline scale) after 64483 of 2026-07-18."
                ),
                FOLLOWUP_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-impact-as-a-number",
        lambda: esi(functional_impacts=[{"description": "ODI 40", "date": days_before(20)}]),
        [
            (
                "warning",
                "documentation.esi_record.functional_impact",
                2,
                (
                    "ESI documentation lacks functional_impact (functional impact on daily "
                    "activities): the functional impact is given as a number or a word, not "
                    "as limits on daily activities."
                ),
                (
                    "describe in evidence.functional_impacts what the pain stops the patient "
                    "from doing (standing, work, sleep)"
                ),
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-impact-after-the-dos",
        lambda: esi(
            functional_impacts=[
                {"description": "cannot stand more than 10 minutes at work", "date": days_before(-1)}
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.functional_impact",
                2,
                (
                    "ESI documentation lacks functional_impact (functional impact on daily "
                    "activities): no functional impact on activities of daily living is "
                    "described."
                ),
                (
                    "describe in evidence.functional_impacts what the pain stops the patient "
                    "from doing (standing, work, sleep)"
                ),
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-no-conservative-care",
        lambda: esi(conservative_therapies=[{**PT, "start_date": days_before(-1), "end_date": None}]),
        [
            (
                "warning",
                "documentation.esi_record.conservative_care",
                2,
                (
                    "ESI documentation lacks conservative_care (conservative care "
                    "chronology): no conservative care (modality, dates, outcome) is "
                    "recorded."
                ),
                "record each modality in evidence.conservative_therapies with dates and outcome",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-drug-classes-missing",
        lambda: esi(
            conservative_therapies=[
                PT,
                {"kind": "pharmacotherapy", "start_date": days_before(120), "response": "partial"},
                {"kind": "pharmacotherapy", "start_date": days_before(90), "response": "failed"},
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.pharmacotherapy_drug_classes",
                2,
                (
                    "ESI documentation lacks pharmacotherapy_drug_classes (drug classes of "
                    "pharmacotherapy): pharmacotherapy started 2026-05-19, 2026-06-18 names "
                    "no drug classes."
                ),
                "list the drug classes tried (NSAID, gabapentinoid ...) in drug_classes",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-pt-details-missing",
        lambda: esi(
            conservative_therapies=[
                {**PT, "modalities": [], "end_date": None, "sessions": None},
                {**PT, "start_date": days_before(40), "end_date": days_before(30), "modalities": []},
                {
                    **PT,
                    "start_date": days_before(20),
                    "end_date": None,
                    "modalities": [],
                    "details": "manual therapy twice a week",
                    "sessions": 6,
                },
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.physical_therapy_details",
                2,
                (
                    "ESI documentation lacks physical_therapy_details (physical therapy "
                    "modalities and duration): physical therapy from 2026-06-08 lacks "
                    "modalities and duration (end date or sessions); physical therapy from "
                    "2026-08-07 lacks modalities."
                ),
                "record the PT modalities and its end date or sessions",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-pt-only-modalities-missing",
        lambda: esi(conservative_therapies=[{**PT, "modalities": [], "sessions": None}]),
        [
            (
                "warning",
                "documentation.esi_record.physical_therapy_details",
                2,
                (
                    "ESI documentation lacks physical_therapy_details (physical therapy "
                    "modalities and duration): physical therapy from 2026-06-08 lacks "
                    "modalities."
                ),
                "record the PT modalities and its end date or sessions",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-imaging-not-concordant",
        lambda: esi(
            imaging_reports=[
                {
                    "modality": "MRI",
                    "date": days_before(90),
                    "finding": "mild degeneration",
                    "concordant_with_diagnosis": False,
                }
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.imaging_report_concordant",
                2,
                (
                    "ESI documentation lacks imaging_report_concordant (imaging concordant "
                    "with the diagnosis): the imaging report(s) on file are not concordant "
                    "with the diagnosis."
                ),
                "record the MRI/CT report and whether it is concordant",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-imaging-after-the-dos",
        lambda: esi(
            imaging_reports=[
                {
                    "modality": "MRI",
                    "date": days_before(-1),
                    "finding": "L5-S1 protrusion",
                    "concordant_with_diagnosis": True,
                }
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.imaging_report_concordant",
                2,
                (
                    "ESI documentation lacks imaging_report_concordant (imaging concordant "
                    "with the diagnosis): no imaging report (MRI/CT) concordant with the "
                    "diagnosis is recorded."
                ),
                "record the MRI/CT report and whether it is concordant",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-imaging-on-the-dos",
        lambda: esi(
            imaging_reports=[
                {
                    "modality": "CT",
                    "date": days_before(0),
                    "finding": "L5-S1 protrusion",
                    "concordant_with_diagnosis": True,
                }
            ]
        ),
        [],
        documentation=True,
    ),
    Case(
        "doc-series-outcomes-missing",
        lambda: esi(
            prior_procedures=[
                {"procedure_code": "64483", "date": days_before(60), "region": "lumbar"},
                {
                    "procedure_code": "64483",
                    "date": days_before(200),
                    "region": "lumbar",
                    "percent_relief": 70,
                    "relief_duration_days": 90,
                    "functional_change": "back at work",
                },
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_record.series_functional_change",
                2,
                (
                    "ESI documentation lacks series_functional_change (functional change "
                    "after each earlier session): no functional change recorded for 64483 of "
                    "2026-07-18."
                ),
                "record functional_change for each earlier procedure",
            ),
            (
                "warning",
                "documentation.esi_record.series_percent_relief",
                2,
                (
                    "ESI documentation lacks series_percent_relief (percent relief after each "
                    "earlier session): no percent relief recorded for 64483 of 2026-07-18."
                ),
                "record percent_relief for each earlier procedure",
            ),
            (
                "warning",
                "documentation.esi_record.series_relief_duration",
                2,
                (
                    "ESI documentation lacks series_relief_duration (duration of relief after "
                    "each earlier session): no relief duration recorded for 64483 of "
                    "2026-07-18."
                ),
                "record relief_duration_days for each earlier procedure",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-no-procedure-note",
        lambda: esi(procedure_notes=[note("64483", days_before(60))]),
        [
            (
                "warning",
                "documentation.esi_procedure_note.procedure_note",
                2,
                (
                    "ESI documentation lacks procedure_note (procedure note): no procedure "
                    "note for 64483 on 2026-09-16."
                ),
                NO_NOTE_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-note-of-another-code",
        lambda: esi(procedure_notes=[note("64493")]),
        [
            (
                "warning",
                "documentation.esi_procedure_note.procedure_note",
                2,
                (
                    "ESI documentation lacks procedure_note (procedure note): no procedure "
                    "note for 64483 on 2026-09-16."
                ),
                NO_NOTE_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-note-without-site-levels-side-approach",
        lambda: esi_note(site=None, levels=[], laterality=None, approach=None),
        [
            (
                "warning",
                "documentation.esi_procedure_note.procedure_approach",
                2,
                (
                    "ESI documentation lacks procedure_approach (approach/technique): the "
                    "procedure note of 2026-09-16 does not give the approach or technique."
                ),
                "give the approach or technique in the procedure note",
            ),
            (
                "warning",
                "documentation.esi_procedure_note.procedure_laterality",
                2,
                (
                    "ESI documentation lacks procedure_laterality (laterality): the procedure "
                    "note of 2026-09-16 does not give the laterality."
                ),
                "give the side (left, right, bilateral) in the procedure note",
            ),
            (
                "warning",
                "documentation.esi_procedure_note.procedure_levels",
                2,
                (
                    "ESI documentation lacks procedure_levels (levels): the procedure note of "
                    "2026-09-16 does not give the levels."
                ),
                "give the levels/joints treated in the procedure note",
            ),
            (
                "warning",
                "documentation.esi_procedure_note.procedure_site",
                2,
                (
                    "ESI documentation lacks procedure_site (exact site): the procedure note "
                    "of 2026-09-16 does not give the exact site."
                ),
                "give the exact site in the procedure note",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-note-dose-missing",
        lambda: esi_note(medications=[{"name": "dexamethasone", "dose": "10 mg"}, {"name": "lidocaine 1%"}]),
        [
            (
                "warning",
                "documentation.esi_procedure_note.procedure_medications",
                2,
                (
                    "ESI documentation lacks procedure_medications (medications with "
                    "dosages): the procedure note of 2026-09-16 does not give every "
                    "medication with its dose."
                ),
                "list each injected drug with its dose in the procedure note",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-note-no-medications",
        lambda: esi_note(medications=[]),
        [
            (
                "warning",
                "documentation.esi_procedure_note.procedure_medications",
                2,
                (
                    "ESI documentation lacks procedure_medications (medications with "
                    "dosages): the procedure note of 2026-09-16 does not give every "
                    "medication with its dose."
                ),
                "list each injected drug with its dose in the procedure note",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-note-without-guidance",
        lambda: esi_note(imaging_guidance="none", contrast_confirmed=None),
        [
            (
                "warning",
                "documentation.esi_procedure_note.procedure_contrast",
                2,
                (
                    "ESI documentation lacks procedure_contrast (contrast confirmation of "
                    "needle placement): the procedure note of 2026-09-16 does not give "
                    "contrast confirmation."
                ),
                (
                    "record that contrast confirmed the needle placement (or the documented "
                    "contrast allergy/pregnancy)"
                ),
            ),
            (
                "warning",
                "documentation.esi_procedure_note.procedure_imaging",
                2,
                (
                    "ESI documentation lacks procedure_imaging (imaging guidance): the "
                    "procedure note of 2026-09-16 does not give the imaging guidance."
                ),
                "record the imaging guidance in the procedure note",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-note-contrast-contraindicated",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence={
                **complete_evidence("64483"),
                "procedure_notes": [{**note("64483"), "contrast_confirmed": None}],
                "contrast_contraindicated": True,
            },
        ),
        [],
        documentation=True,
    ),
    Case(
        "doc-cloned-visit-notes",
        lambda: esi(
            clinical_notes=[
                {"date": days_before(120), "text": VISIT_NOTE},
                {"date": days_before(20), "text": VISIT_NOTE.upper()},
                {"date": days_before(10), "text": VISIT_NOTE + "!"},
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_procedure_note.distinct_notes",
                2,
                (
                    "ESI documentation lacks distinct_notes (no copy-paste notes): visit note "
                    "text identical on 2026-05-19, 2026-08-27, 2026-09-06."
                ),
                CLONED_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-cloned-note-and-impact",
        lambda: esi(
            clinical_notes=[
                {
                    "date": days_before(10),
                    "text": "Cannot stand more than 10 minutes, stopped working as a cashier.",
                },
                {
                    "date": days_before(120),
                    "text": "New patient visit: low back pain radiating to the left leg for four months.",
                },
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_procedure_note.distinct_notes",
                2,
                (
                    "ESI documentation lacks distinct_notes (no copy-paste notes): functional "
                    "impact and visit note text identical on 2026-08-27, 2026-09-06."
                ),
                CLONED_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-repeated-text-of-40-characters",
        lambda: esi(
            clinical_notes=[
                {"date": days_before(120), "text": "a" * 40},
                {"date": days_before(20), "text": "A" * 40},
            ]
        ),
        [
            (
                "warning",
                "documentation.esi_procedure_note.distinct_notes",
                2,
                (
                    "ESI documentation lacks distinct_notes (no copy-paste notes): visit note "
                    "text identical on 2026-05-19, 2026-08-27."
                ),
                CLONED_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-repeated-text-of-39-characters",
        lambda: esi(
            clinical_notes=[
                {"date": days_before(120), "text": "a" * 39},
                {"date": days_before(20), "text": "A" * 39},
            ]
        ),
        [],
        documentation=True,
    ),
    Case(
        "doc-sij-two-tests",
        lambda: claim(
            [EM, line("27096")],
            evidence={
                **complete_evidence("27096"),
                "provocative_tests": ["FABER", "Gaenslen"],
                "provocative_tests_positive": None,
            },
        ),
        [
            (
                "warning",
                "documentation.si_record.provocative_tests",
                2,
                (
                    "SI joint documentation lacks provocative_tests (positive provocative "
                    "tests): 2 positive provocative test(s) recorded, the policy asks for 3."
                ),
                (
                    "record the positive tests by name in evidence.provocative_tests (FABER, "
                    "Gaenslen, thigh thrust, compression, distraction)"
                ),
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-sij-count-without-names",
        lambda: claim(
            [EM, line("27096")],
            evidence={**complete_evidence("27096"), "provocative_tests": [], "provocative_tests_positive": 3},
        ),
        [],
        documentation=True,
    ),
    Case(
        "doc-scs-psych-on-the-dos",
        lambda: scs("63685", psych_evaluation={"date": days_before(0), "cleared": True}),
        [],
        documentation=True,
    ),
    Case(
        "doc-scs-psych-after-the-dos",
        lambda: scs("63685", psych_evaluation={"date": days_before(-1), "cleared": True}),
        [
            (
                "warning",
                "documentation.scs_record.psych_evaluation",
                2,
                (
                    "SCS documentation lacks psych_evaluation (psychological evaluation): no "
                    "psychological evaluation before the procedure is recorded."
                ),
                "record evidence.psych_evaluation (date, cleared)",
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-scs-trial-ending-on-the-dos",
        lambda: scs(
            "63685",
            stimulator_trial={"start_date": days_before(7), "end_date": days_before(0), "percent_relief": 70},
        ),
        [],
        documentation=True,
    ),
    Case(
        "doc-scs-trial-ending-after-the-dos",
        lambda: scs(
            "63685",
            stimulator_trial={
                "start_date": days_before(7),
                "end_date": days_before(-1),
                "percent_relief": 70,
            },
        ),
        [
            (
                "warning",
                "documentation.scs_permanent.stimulator_trial",
                2,
                (
                    "SCS permanent documentation lacks stimulator_trial (stimulator trial "
                    "result): no completed stimulator trial with its percent relief is "
                    "recorded."
                ),
                TRIAL_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "doc-scs-trial-record-ending-on-the-dos",
        lambda: scs(
            "63685",
            stimulator_trial=None,
            scs={
                "trials": [
                    {
                        "region": "thoracic",
                        "start_date": days_before(7),
                        "end_date": days_before(0),
                        "analgesic_reduction_percent": 50,
                    }
                ]
            },
        ),
        [],
        documentation=True,
    ),
    Case(
        "doc-scs-trial-record-without-result",
        lambda: scs(
            "63685",
            stimulator_trial=None,
            scs={
                "trials": [{"region": "thoracic", "start_date": days_before(7), "end_date": days_before(1)}]
            },
        ),
        [
            (
                "warning",
                "documentation.scs_permanent.stimulator_trial",
                2,
                (
                    "SCS permanent documentation lacks stimulator_trial (stimulator trial "
                    "result): no completed stimulator trial with its percent relief is "
                    "recorded."
                ),
                TRIAL_FIX,
            ),
        ],
        documentation=True,
    ),
    Case(
        "indication-facts-unstated-64483",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes=UNSTATED),
        [
            (
                "warning",
                "esi.active_rehab",
                2,
                (
                    "Not stated: an active rehabilitation or home exercise program (ongoing) "
                    "(an ESI must be done together with an active rehabilitation, home "
                    "exercise or functional restoration program)."
                ),
                (
                    "record evidence.conservative_therapies (physical_therapy or "
                    "home_exercise without end_date)"
                ),
            ),
            (
                "warning",
                "esi.indication",
                2,
                (
                    "Not stated: concordant imaging; radicular findings or neurogenic "
                    "claudication (ESI is covered for radiculopathy, radicular pain or "
                    "neurogenic claudication shown by history, exam and concordant imaging "
                    "(or post-laminectomy syndrome or acute herpes zoster); axial spine pain "
                    "and non-specific low back pain are not covered)."
                ),
                (
                    "record evidence.imaging_reports[].concordant_with_diagnosis, "
                    "evidence.exam.radicular_findings, evidence.exam.neurogenic_claudication"
                ),
            ),
        ],
        rules=("esi.active_rehab", "esi.contraindications", "esi.indication"),
    ),
    Case(
        "indication-facts-stated-wrong-64483",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes=STATED_WRONG),
        [
            (
                "error",
                "esi.indication",
                2,
                (
                    "ESI is covered for radiculopathy, radicular pain or neurogenic "
                    "claudication shown by history, exam and concordant imaging (or "
                    "post-laminectomy syndrome or acute herpes zoster); axial spine pain and "
                    "non-specific low back pain are not covered; the evidence states no "
                    "concordant imaging; no radicular findings and no neurogenic "
                    "claudication."
                ),
                NO_GUARANTEE,
            ),
            (
                "warning",
                "esi.active_rehab",
                2,
                (
                    "Not stated: an active rehabilitation or home exercise program (ongoing) "
                    "(an ESI must be done together with an active rehabilitation, home "
                    "exercise or functional restoration program)."
                ),
                (
                    "record evidence.conservative_therapies (physical_therapy or "
                    "home_exercise without end_date)"
                ),
            ),
            (
                "warning",
                "esi.contraindications",
                2,
                (
                    "An ESI is contraindicated with a spinal or systemic infection, a "
                    "compressive lesion of cord, conus or cauda, or suspected cancer; the "
                    "evidence states a spinal or systemic infection; a compressive lesion of "
                    "cord, conus or cauda; suspected cancer."
                ),
                NO_GUARANTEE,
            ),
        ],
        rules=("esi.active_rehab", "esi.contraindications", "esi.indication"),
    ),
    Case(
        "indication-facts-unstated-64493",
        lambda: claim([EM, line("64493", ["RT", "KX"])], evidence_changes=UNSTATED),
        [
            (
                "warning",
                "facet.indication_axial",
                2,
                (
                    "Not stated: predominantly axial pain and other causes of the pain "
                    "excluded (facet procedures are covered for predominantly axial neck or "
                    "low back pain with no other pathology explaining it)."
                ),
                "record evidence.exam.predominantly_axial, evidence.exam.other_causes_excluded",
            ),
            (
                "warning",
                "facet.no_untreated_radiculopathy",
                2,
                (
                    "Not stated: untreated radiculopathy or neurogenic claudication (facet "
                    "procedures are not covered with an untreated radiculopathy or neurogenic "
                    "claudication (except for a facet synovial cyst))."
                ),
                "record evidence.exam.untreated_radiculopathy",
            ),
        ],
        rules=(
            "facet.after_alif",
            "facet.indication_axial",
            "facet.no_biologics",
            "facet.no_untreated_radiculopathy",
        ),
    ),
    Case(
        "indication-facts-stated-wrong-64493",
        lambda: claim([EM, line("64493", ["RT", "KX"])], evidence_changes=STATED_WRONG),
        [
            (
                "error",
                "facet.after_alif",
                2,
                (
                    "Facet procedures are denied at a level after an anterior lumbar "
                    "interbody fusion; the evidence states an anterior lumbar interbody "
                    "fusion at the level."
                ),
                NO_GUARANTEE,
            ),
            (
                "error",
                "facet.indication_axial",
                2,
                (
                    "Facet procedures are covered for predominantly axial neck or low back "
                    "pain with no other pathology explaining it; the evidence states no "
                    "predominantly axial pain; no other causes of the pain excluded."
                ),
                NO_GUARANTEE,
            ),
            (
                "error",
                "facet.no_biologics",
                2,
                (
                    "Facet injectate is local anesthetic, corticosteroid, anti-inflammatory "
                    "or contrast only; biologics are not covered; the evidence states a "
                    "biologic injectate."
                ),
                NO_GUARANTEE,
            ),
            (
                "error",
                "facet.no_untreated_radiculopathy",
                2,
                (
                    "Facet procedures are not covered with an untreated radiculopathy or "
                    "neurogenic claudication (except for a facet synovial cyst); the evidence "
                    "states untreated radiculopathy or neurogenic claudication."
                ),
                NO_GUARANTEE,
            ),
        ],
        rules=(
            "facet.after_alif",
            "facet.indication_axial",
            "facet.no_biologics",
            "facet.no_untreated_radiculopathy",
        ),
    ),
    Case(
        "indication-facts-unstated-64635",
        lambda: claim([EM, line("64635", ["RT"])], evidence_changes=UNSTATED),
        [
            (
                "warning",
                "facet.rfa_thermal_only",
                2,
                (
                    "Not stated: thermal RF ablation at 80 C or more (only thermal RF "
                    "ablation is covered; chemical, low-grade thermal (< 80 C), laser and "
                    "cryo ablation are denied)."
                ),
                "record evidence.ablation (technique, temperature_c)",
            ),
        ],
        rules=("facet.rfa_thermal_only",),
    ),
    Case(
        "indication-facts-stated-wrong-64635",
        lambda: claim([EM, line("64635", ["RT"])], evidence_changes=STATED_WRONG),
        [
            (
                "error",
                "facet.rfa_thermal_only",
                2,
                (
                    "Only thermal RF ablation is covered; chemical, low-grade thermal (< 80 "
                    "C), laser and cryo ablation are denied; the evidence states an ablation "
                    "other than thermal RF at 80 C or more."
                ),
                NO_GUARANTEE,
            ),
        ],
        rules=("facet.rfa_thermal_only",),
    ),
    Case(
        "indication-facts-unstated-27096",
        lambda: claim([EM, line("27096", [])], evidence_changes=UNSTATED),
        [
            (
                "warning",
                "si.indication",
                2,
                (
                    "Not stated: pain over the SI joint below L5 and other causes of the pain "
                    "excluded; radicular findings (SI joint injections are covered for low "
                    "back pain over the SI joint below L5, with no radiculopathy and no other "
                    "obvious cause)."
                ),
                (
                    "record evidence.exam.sij_pain_location, "
                    "evidence.exam.other_causes_excluded, evidence.exam.radicular_findings"
                ),
            ),
        ],
        rules=("si.indication", "si.no_biologics", "si.psychiatric_stabilized"),
    ),
    Case(
        "indication-facts-stated-wrong-27096",
        lambda: claim([EM, line("27096", [])], evidence_changes=STATED_WRONG),
        [
            (
                "error",
                "si.indication",
                2,
                (
                    "SI joint injections are covered for low back pain over the SI joint "
                    "below L5, with no radiculopathy and no other obvious cause; the evidence "
                    "states no pain over the SI joint below L5; no other causes of the pain "
                    "excluded."
                ),
                NO_GUARANTEE,
            ),
            (
                "error",
                "si.no_biologics",
                2,
                (
                    "Biologics are not covered for SI joint injections; the evidence states a "
                    "biologic injectate."
                ),
                NO_GUARANTEE,
            ),
            (
                "error",
                "si.psychiatric_stabilized",
                2,
                (
                    "Psychiatric conditions must be stabilized before SI joint procedures; "
                    "the evidence states psychiatric conditions that are not stabilized."
                ),
                NO_GUARANTEE,
            ),
        ],
        rules=("si.indication", "si.no_biologics", "si.psychiatric_stabilized"),
    ),
    Case(
        "indication-facts-unstated-20552",
        lambda: claim([EM, line("20552", [])], evidence_changes=UNSTATED),
        [
            (
                "warning",
                "tpi.indication",
                2,
                (
                    "Not stated: focal skeletal muscle pain and a palpable nodule or "
                    "hypersensitive bundle; failed conservative care, limited joint or limb "
                    "movement or injection needed for diagnosis; a hyperirritable spot, a "
                    "taut band or referred pain (trigger point injections are covered for "
                    "focal skeletal muscle pain with a clinical trigger point (2 of "
                    "hyperirritable spot, taut band, referred pain) and a palpable nodule, "
                    "when conservative care failed, movement is limited or the injection is "
                    "needed for diagnosis)."
                ),
                (
                    "record evidence.trigger_points.focal_muscle_pain, "
                    "evidence.trigger_points.palpable_nodule, "
                    "evidence.conservative_therapies, "
                    "evidence.trigger_points.movement_limited, "
                    "evidence.trigger_points.needed_for_diagnosis, "
                    "evidence.trigger_points.hyperirritable_spot, "
                    "evidence.trigger_points.taut_band, evidence.trigger_points.referred_pain"
                ),
            ),
            (
                "warning",
                "tpi.local_anesthetic_only",
                2,
                (
                    "Not stated: local anesthetic only (trigger point injections are covered "
                    "with local anesthetic only)."
                ),
                "record evidence.injectate.local_anesthetic_only",
            ),
            (
                "warning",
                "tpi.one_muscle_region",
                2,
                (
                    "Not stated: the anatomic region of each muscle injected on line 2 "
                    "(muscles in different anatomic regions may not be injected in one "
                    "session)."
                ),
                "record evidence.lines[] with line 2 and its muscle_regions",
            ),
        ],
        rules=("tpi.indication", "tpi.local_anesthetic_only", "tpi.one_muscle_region"),
    ),
    Case(
        "indication-facts-stated-wrong-20552",
        lambda: claim([EM, line("20552", [])], evidence_changes=STATED_WRONG),
        [
            (
                "warning",
                "tpi.indication",
                2,
                (
                    "Trigger point injections are covered for focal skeletal muscle pain with "
                    "a clinical trigger point (2 of hyperirritable spot, taut band, referred "
                    "pain) and a palpable nodule, when conservative care failed, movement is "
                    "limited or the injection is needed for diagnosis; the evidence states no "
                    "focal skeletal muscle pain; no palpable nodule or hypersensitive bundle; "
                    "no failed conservative care and no limited joint or limb movement and no "
                    "injection needed for diagnosis; only 0 of 2 needed (a hyperirritable "
                    "spot, a taut band, referred pain)."
                ),
                NO_GUARANTEE,
            ),
            (
                "warning",
                "tpi.local_anesthetic_only",
                2,
                (
                    "Trigger point injections are covered with local anesthetic only; the "
                    "evidence states an injectate other than local anesthetic."
                ),
                NO_GUARANTEE,
            ),
            (
                "warning",
                "tpi.one_muscle_region",
                2,
                (
                    "Not stated: the anatomic region of each muscle injected on line 2 "
                    "(muscles in different anatomic regions may not be injected in one "
                    "session)."
                ),
                "record evidence.lines[] with line 2 and its muscle_regions",
            ),
        ],
        rules=("tpi.indication", "tpi.local_anesthetic_only", "tpi.one_muscle_region"),
    ),
    Case(
        "indication-facts-unstated-63650",
        lambda: claim([EM, line("63650", [])], evidence_changes=UNSTATED),
        [
            (
                "warning",
                "scs.hardware",
                2,
                "Not stated: the number of leads and contacts (at most 2 leads / 16 contacts).",
                "record evidence.scs.leads and evidence.scs.contacts",
            ),
            (
                "warning",
                "scs.late_resort",
                2,
                (
                    "Not stated: failed conservative care (stimulation is a late, if not "
                    "last, resort after other treatments failed or were unsuitable)."
                ),
                "record evidence.conservative_therapies",
            ),
            (
                "warning",
                "scs.screening",
                2,
                (
                    "Not stated: a multidisciplinary screening and a physical evaluation; "
                    "active substance abuse (stimulation needs a multidisciplinary screening "
                    "with a physical evaluation, and no active substance abuse)."
                ),
                (
                    "record evidence.scs.multidisciplinary_screening, "
                    "evidence.scs.physical_evaluation, evidence.scs.active_substance_abuse"
                ),
            ),
            (
                "warning",
                "scs.trials_per_region",
                2,
                (
                    "Not stated: whether line 2 (63650) is a trial or a permanent implant (at "
                    "most 2 stimulator trials per spinal region per lifetime)."
                ),
                INTENT_FIX,
            ),
        ],
        rules=("scs.hardware", "scs.late_resort", "scs.screening", "scs.trials_per_region"),
    ),
    Case(
        "indication-facts-stated-wrong-63650",
        lambda: claim([EM, line("63650", [])], evidence_changes=STATED_WRONG),
        [
            (
                "warning",
                "scs.hardware",
                2,
                "Not stated: the number of leads and contacts (at most 2 leads / 16 contacts).",
                "record evidence.scs.leads and evidence.scs.contacts",
            ),
            (
                "warning",
                "scs.late_resort",
                2,
                (
                    "Stimulation is a late, if not last, resort after other treatments failed "
                    "or were unsuitable; the evidence states no failed conservative care."
                ),
                NO_GUARANTEE,
            ),
            (
                "warning",
                "scs.screening",
                2,
                (
                    "Stimulation needs a multidisciplinary screening with a physical "
                    "evaluation, and no active substance abuse; the evidence states no "
                    "multidisciplinary screening; no physical evaluation; active substance "
                    "abuse."
                ),
                NO_GUARANTEE,
            ),
            (
                "warning",
                "scs.trials_per_region",
                2,
                (
                    "Not stated: whether line 2 (63650) is a trial or a permanent implant (at "
                    "most 2 stimulator trials per spinal region per lifetime)."
                ),
                INTENT_FIX,
            ),
        ],
        rules=("scs.hardware", "scs.late_resort", "scs.screening", "scs.trials_per_region"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_finding_is_pinned_whole(case: Case) -> None:
    result = engine.evaluate(case.make(), case.past, book())
    found = [
        (f.severity.value, f.rule_id, f.line, f.message, f.fix)
        for f in result.findings
        if (
            f.rule_id.startswith("documentation.")
            if case.documentation
            else (
                f.rule_id in case.rules
                if case.rules is not None
                else not f.rule_id.startswith("documentation.")
            )
        )
    ]
    assert found == case.expected


def test_an_element_check_exports_its_four_fields() -> None:
    """What `gateway check --json` and the packet's completeness section show of one element."""
    check = ElementCheck(
        "procedure_note", "procedure note", False, "no procedure note for 64483", silent=True
    )
    assert check.to_dict() == {
        "element": "procedure_note",
        "label": "procedure note",
        "present": False,
        "detail": "no procedure note for 64483",
    }


# ---------------------------------------------------------------- imported NCCI quarters and MCD articles
# The test quarters and the test MCD export of tests/codesets, read straight from their files (the
# import into the store is tested there); the claims are in January 2027, inside both quarters.
CODESET_FIXTURES = REPO / "tests" / "codesets" / "fixtures"
PTP_FILE = CODESET_FIXTURES / "ncci" / "ccipra-v330r0-f1-testdata.txt"
MUE_FILE = CODESET_FIXTURES / "ncci" / "MCR_MUE_PractitionerServices_Eff_01-01-2027-testdata.csv"
JAN = dt.date(2027, 1, 13)


def release(kind: CodeSetKind, start: dt.date, source: str) -> ReleaseInfo:
    return ReleaseInfo(kind, quarter_name(start), start, None, source, "0" * 64, 0, "test")


class FileNcci(NcciTables):
    """Quarters served from the fixture files instead of the database."""

    def __init__(self, ptp: bool, mue: bool) -> None:
        releases = []
        if ptp:
            releases.append(release(CodeSetKind.NCCI_PTP, dt.date(2027, 1, 1), PTP_FILE.name))
        if mue:
            releases.append(release(CodeSetKind.MUE, dt.date(2027, 1, 1), MUE_FILE.name))
        super().__init__(releases)

    def _fetch_ptp(self, release: ReleaseInfo, codes: Collection[str]) -> list[PtpEdit]:
        return [e for e in read_ptp(PTP_FILE) if e.column1 in codes and e.column2 in codes]

    def _fetch_mue(self, release: ReleaseInfo, codes: Collection[str]) -> list[MueValue]:
        return [v for v in read_mue(MUE_FILE) if v.code in codes]


def code_sets(ptp: bool = True, mue: bool = True, articles: bool = False) -> CodeSets:
    loaded: dict[str, tuple[Article, ...]] = {}
    if articles:
        loaded = {article.article: (article,) for article in read_export(CODESET_FIXTURES / "mcd")}
    return replace(default_code_sets(), ncci=FileNcci(ptp, mue), articles=loaded)


Whole = tuple[str, str, int | None, str, str, str]  # severity, rule id, line, message, fix, source


def whole(findings: Iterable[Finding], prefix: str) -> list[Whole]:
    return [
        (f.severity.value, f.rule_id, f.line, f.message, f.fix, f.source)
        for f in findings
        if f.rule_id.startswith(prefix)
    ]


PTP_SOURCE = "NCCI PTP 2027Q1 (ccipra-v330r0-f1-testdata.txt)"
MUE_SOURCE = "NCCI MUE 2027Q1 (MCR_MUE_PractitionerServices_Eff_01-01-2027-testdata.csv)"


def test_loaded_quarters_give_whole_findings_with_their_source() -> None:
    lines = [
        line("99213", ["25"], day=JAN),
        line("62323", day=JAN),
        line("64483", ["RT"], units=2, day=JAN),
    ]
    result = engine.evaluate(claim(lines, dx=["M47.816"]), History(), book(), codes=code_sets())
    assert whole(result.findings, "ncci.cms_files") == [
        (
            "error",
            "ncci.cms_files",
            3,
            (
                "64483 with 62323 on 2027-01-13 is an NCCI PTP pair (Mutually exclusive procedures (test data)); "
                "it is paid only as a distinct service (modifier indicator 1)."
            ),
            (
                "add XE, XS, XP or XU (59 only when none fits) when the record shows a separate encounter, "
                "structure, practitioner or non-overlapping service"
            ),
            PTP_SOURCE,
        ),
        (
            "error",
            "ncci.cms_files",
            3,
            "64483 is billed with 2 units on one line; the MUE is 1 (MAI 1 Line Edit).",
            "bill at most 1 unit(s) on the line",
            MUE_SOURCE,
        ),
    ]


def test_without_a_loaded_quarter_the_hand_typed_edits_apply() -> None:
    """A PTP quarter alone leaves the pack's MUE values in force, an MUE quarter alone its PTP pairs."""
    lines = [
        line("99213", ["25"], day=JAN),
        line("64772", day=JAN),
        line("64490", day=JAN),
        line("64490", day=JAN),
    ]

    def rules(codes: CodeSets) -> list[tuple[str, int | None]]:
        result = engine.evaluate(claim(lines, dx=["M47.816"]), History(), book(), codes=codes)
        return [(f.rule_id, f.line) for f in result.findings if f.rule_id.startswith("ncci.")]

    assert rules(code_sets(ptp=True, mue=False)) == [
        ("ncci.cms_files", 3),
        ("ncci.cms_files", 4),
        ("ncci.mue_mai2", 4),
    ]
    assert rules(code_sets(ptp=False, mue=True)) == [
        ("ncci.cms_files", 4),
        ("ncci.ptp_64772", 3),
        ("ncci.ptp_64772", 4),
    ]
    assert rules(code_sets(ptp=False, mue=False)) == [
        ("ncci.ptp_64772", 3),
        ("ncci.mue_mai2", 4),
        ("ncci.ptp_64772", 4),
    ]


# ---------------------------------------------------------------- rule shapes the shipped packs do not use
# Appended to the Noridian payer file of a copy of payer_configs: MCD articles, a hand-typed PTP
# pair with modifier indicator 1 and one not yet in force, an ICD-10 list for a code another list
# covers too, a level limit on codes without a spinal region, and a prior authorization in every state.
EXTRA_RULES = """
      - id: test.mcd_articles
        kind: lcd_articles
        articles: [A58403, A58993]
        status: verified
        sources: [MCD_EXPORT]
      - id: test.ptp
        kind: ptp
        pairs:
          - {column1: "62323", column2: ["64483"], ccmi: 1, effective: 2017-01-01}
          - {column1: "62323", column2: ["64484"], ccmi: 1, effective: 2027-01-01}
        status: verified
        sources: [L39462]
      - id: test.dx_two_lists
        kind: dx_coverage
        articles: [A59244, A99901]
        severity: warning
        status: unverified
        sources: [L39462]
      - id: test.levels_without_region
        kind: max_levels
        codes: ["99152"]
        max_levels: 1
        label: sedation units
        status: verified
        sources: [L39462]
      - id: test.prior_auth
        kind: prior_auth
        codes: ["27096"]
        program: a test program
        status: verified
        sources: [L39462]
"""
SECOND_LIST = """
article: A99901
title: "Billing and Coding: a second list for 27096 (test)"
mac: Noridian
lcd: L39462
status: unverified
source: "test"
groups:
  - group: 1
    cpt: ["27096"]
    codes: [M46.1]
"""


@pytest.fixture(scope="module")
def extra_book(tmp_path_factory: pytest.TempPathFactory) -> RuleBook:
    configs = tmp_path_factory.mktemp("configs") / "payer_configs"
    shutil.copytree(PAYER_CONFIGS, configs)
    payer = configs / "payers" / "medicare-noridian.yaml"
    payer.write_text(
        payer.read_text().rstrip("\n") + "\n" + EXTRA_RULES
    )  # the last version's rules end the file
    (configs / "dx" / "A99901.yaml").write_text(SECOND_LIST)
    return RuleBook(load_config(configs))


def test_the_extra_rules_leave_other_codes_alone(extra_book: RuleBook) -> None:
    result = engine.evaluate(claim([EM, line("99214")], state="AZ"), History(), extra_book)
    assert result.findings == ()


def extra(book: RuleBook, made: Claim, codes: CodeSets | None = None) -> list[Whole]:
    return whole(engine.evaluate(made, History(), book, codes=codes).findings, "test.")


def test_a_pair_with_indicator_1_is_bypassed_by_a_distinct_modifier(extra_book: RuleBook) -> None:
    made = claim([EM, line("62323"), line("64483", ["RT"]), line("64483", ["LT", "XS"])], state="AZ")
    assert extra(extra_book, made) == [
        (
            "error",
            "test.ptp",
            3,
            "64483 with 62323 on the same day is an NCCI pair; it is paid only as a distinct procedure.",
            (
                "add modifier XE, XP, XS or XU (59 only if none fits) when the documentation shows a distinct site "
                "or session"
            ),
            "L39462 v9",
        )
    ]


def test_a_pair_applies_from_its_effective_date(extra_book: RuleBook) -> None:
    """Judged by the claim's date of service: the day before the pair's effective date, and the date."""

    def on(day: dt.date) -> Claim:
        return claim(
            [line("99213", ["25"], day=day), line("62323", day=day), line("64484", ["RT"], day=day)],
            state="AZ",
        )

    assert extra(extra_book, on(dt.date(2026, 12, 31))) == []
    assert [(f[1], f[2]) for f in extra(extra_book, on(dt.date(2027, 1, 1)))] == [("test.ptp", 3)]


def test_each_icd10_list_judges_the_line(extra_book: RuleBook) -> None:
    """M53.3 is on the first list for 27096 and not on the second: the second still speaks."""
    made = claim([EM, line("27096"), line("20552")], state="AZ", dx=["M53.3"], prior_authorization="UTN1")
    assert extra(extra_book, made) == [
        (
            "warning",
            "test.dx_two_lists",
            2,
            "None of the diagnoses on line 2 (M533) is on the covered ICD-10 list of A99901 (Noridian) for 27096.",
            "point the line to a covered diagnosis if the record supports one",
            "A99901 (Noridian)",
        ),
    ]


def test_a_prior_auth_in_every_state_names_no_state(extra_book: RuleBook) -> None:
    made = claim([EM, line("27096"), line("27096", ["59"])], state="AZ", dx=["M46.1"])
    assert extra(extra_book, made) == [
        (
            "error",
            "test.prior_auth",
            2,
            (
                "27096 needs prior authorization under a test program (place of service 11); the claim has no "
                "authorization number."
            ),
            UTN_FIX,
            "L39462 v9",
        )
    ]


def test_mcd_articles_judge_each_line_by_the_version_in_force(extra_book: RuleBook) -> None:
    codes = code_sets(ptp=False, mue=False, articles=True)
    made = claim([EM, line("64493", ["RT"]), line("64483", ["RT"])], state="AZ", dx=["M54.16"])
    assert extra(extra_book, made, codes) == [
        (
            "error",
            "test.mcd_articles",
            2,
            "None of the diagnoses on line 2 (M5416) is on the covered ICD-10 list of A58403 v27 for 64493.",
            "point the line to a covered diagnosis if the record supports one",
            "A58403 v27 (MCD export)",
        ),
        (
            "error",
            "test.mcd_articles",
            3,
            (
                "Line 3 (64483) has M5416 of group 1 of A58993 v9, which must be billed with a code of group 2; "
                "none is pointed to."
            ),
            "point the line also to a group 2 code of A58993 v9 if the record supports one",
            "A58993 v9 (MCD export)",
        ),
    ]
    before = claim([EM, line("64493", ["RT"], day=dt.date(2026, 5, 20))], state="AZ", dx=["M54.16"])
    assert extra(extra_book, before, codes) == []


def test_an_article_nobody_imported_checks_nothing_and_the_next_one_still_judges(
    extra_book: RuleBook,
) -> None:
    """The rule names A58403 first; with only A58993 imported, A58993 still judges the line."""
    esi_article = [a for a in read_export(CODESET_FIXTURES / "mcd") if a.article == "A58993"]
    codes = replace(default_code_sets(), articles={"A58993": tuple(esi_article)})
    made = claim([EM, line("64493", ["RT"]), line("64483", ["RT"])], state="AZ", dx=["M54.16"])
    assert [(f[1], f[2], f[5]) for f in extra(extra_book, made, codes)] == [
        ("test.mcd_articles", 3, "A58993 v9 (MCD export)")
    ]


def test_a_level_limit_on_codes_without_a_region_names_no_region(extra_book: RuleBook) -> None:
    made = claim([EM, line("99152"), line("99152")], state="AZ")
    assert extra(extra_book, made) == [
        (
            "error",
            "test.levels_without_region",
            3,
            "2 levels of sedation units in one session; the policy allows at most 1.",
            (
                "bill at most 1 level(s) per session; split further levels into another session only if medically "
                "necessary"
            ),
            "L39462 v9",
        )
    ]


def test_psychological_clearance_is_unknown_without_an_evaluation() -> None:
    """No shipped rule names psych_cleared yet; the fact reads None, False or True as stated."""

    def cleared(psych: dict[str, Any] | None) -> bool | None:
        made = claim([EM, line("63650")], evidence_changes={"psych_evaluation": psych})
        ruleset = book().ruleset_for(made)
        assert not isinstance(ruleset, NoRuleSet)
        return FACTS["psych_cleared"].read(Facts(made, History(), ruleset.catalog, default_code_sets()))

    assert cleared(None) is None
    assert cleared({"date": days_before(3), "cleared": False}) is False
    assert cleared({"date": days_before(3), "cleared": True}) is True
