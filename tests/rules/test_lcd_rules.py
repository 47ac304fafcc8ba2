"""The LCD limitations issue 13 added, as a table: each case pins the rule id, severity, the line the
finding points at, the message and the fix text, or that the rule stays silent.

Every example of the issue is here with its twin that states the missing fact: acute zoster and
the 4-week pain duration, a repeat ESI after a poor response, no block at the level of a
successful RF ablation, a therapeutic facet injection without the reason RF ablation cannot be
done, anesthetic relief in hours, trigger points in two anatomic regions, stimulator trials per
region and the permanent implant's site of service, WISeR by place of service, and the
ultrasound-guided facet codes under the imaging rule.  ``full(family)`` is evidence that states
every fact the family's rules decide on, so each case changes one thing.

Default payer: Medicare CGS (KY).  Trigger points run under WPS (MI, L39713 read) and spinal cord
stimulation under Noridian (CA, L35136 read), where those LCDs are verified.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from gateway.domain.claim import Claim
from gateway.domain.history import History
from gateway.rules import engine
from tests.rules.helpers import DOS, book, claim, days_before, good_evidence, line, prior


@dataclass(frozen=True)
class Pin:
    severity: str
    line: int | None
    message: str
    fix: str


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], Claim]
    rule: str
    expect: Pin | None


def mbb(days: int, relief: float) -> dict[str, Any]:
    """A diagnostic medial branch block with its relief in hours and the agent."""
    item = prior("64493", days, relief, 1, diagnostic=True)
    return {**item, "relief_duration_hours": 6, "anesthetic_agent": "bupivacaine 0.5%"}


def prior_at(code: str, days: int, relief: float, relief_days: int, **extra: Any) -> dict[str, Any]:
    return {**prior(code, days, relief, relief_days), **extra}


TWO_GOOD_MBBS = [mbb(60, 85), mbb(40, 80)]
THERAPY_PT_ENDED = {
    "kind": "physical_therapy",
    "start_date": days_before(70),
    "end_date": days_before(14),
    "response": "failed",
}
HOME_EXERCISE = {"kind": "home_exercise", "start_date": days_before(60), "response": "partial"}
CONCORDANT_MRI = {
    "modality": "MRI",
    "date": days_before(60),
    "finding": "L5-S1 right foraminal disc protrusion contacting the L5 root",
    "concordant_with_diagnosis": True,
}
ESI_EXAM = {"radicular_findings": True, "predominantly_axial": False, "other_causes_excluded": True}
FACET_EXAM = {
    "predominantly_axial": True,
    "radicular_findings": False,
    "untreated_radiculopathy": False,
    "other_causes_excluded": True,
    "facet_loading_pain": True,
}
SIJ_EXAM = {
    "sij_pain_location": True,
    "radicular_findings": False,
    "other_causes_excluded": True,
    "psychiatric_conditions_stabilized": True,
}
TRIGGER = {
    "focal_muscle_pain": True,
    "hyperirritable_spot": True,
    "taut_band": True,
    "referred_pain": True,
    "palpable_nodule": True,
    "movement_limited": True,
}
SCS = {
    "multidisciplinary_screening": True,
    "physical_evaluation": True,
    "active_substance_abuse": False,
    "leads": 2,
    "contacts": 16,
}


def trial(days: int, region: str, relief: float) -> dict[str, Any]:
    return {
        "region": region,
        "start_date": days_before(days),
        "end_date": days_before(days - 7),
        "percent_relief": relief,
        "functional_improvement": True,
    }


FULL: dict[str, dict[str, Any]] = {
    "esi": {"exam": ESI_EXAM, "imaging_reports": [CONCORDANT_MRI]},
    "facet": {
        "exam": FACET_EXAM,
        "ablation": {"technique": "thermal_rf", "temperature_c": 80},
        "rfa_contraindication": {
            "contraindicated": True,
            "reason": "pacemaker-dependent; RF generator contraindicated",
        },
    },
    "sij": {"exam": SIJ_EXAM},
    "tpi": {
        "trigger_points": TRIGGER,
        "injectate": {"local_anesthetic_only": True, "biologic": False},
        "lines": [
            {"line": 1, "muscle_regions": ["neck"], "muscles": ["upper trapezius", "levator scapulae"]}
        ],
        "imaging_guidance": None,
    },
    "scs": {
        "scs": {**SCS, "trials": []},
        "lines": [{"line": 1, "intent": "trial"}],
        "region": "thoracic",
    },
}


def full(family: str, **changes: Any) -> dict[str, Any]:
    """Evidence stating every fact the family's rules decide on, then ``changes``."""
    evidence = good_evidence()
    evidence["conservative_therapies"] = [*evidence["conservative_therapies"], HOME_EXERCISE]
    evidence.update(copy.deepcopy(FULL[family]))
    evidence.update(changes)
    return evidence


# fmt: off
CASES = [
    # ---------------- ESI: acute herpes zoster is exempt from the 4-week pain duration (L39240) -------
    Case("esi-zoster-pain-10-days-exempt", lambda: claim([line("64483", ["RT"])], dx=["B02.29"],
         evidence=full("esi", pain_onset_date=days_before(10), conservative_therapies=[])), "esi.pain_duration", None),
    Case("esi-zoster-twin-radiculopathy-pain-10-days-held", lambda: claim([line("64483", ["RT"])],
         evidence=full("esi", pain_onset_date=days_before(10))), "esi.pain_duration",
         Pin('error', 1,
             'The policy needs pain for at least 4 weeks; onset was 2026-09-06, 10 days before the service.',
             'wait until the pain has lasted long enough, or correct the onset date')),
    # ---------------- ESI: a repeat after a poor response needs a rationale and a change (L39240) ------
    Case("esi-poor-responder-change-not-stated-warns", lambda: claim([line("64483", ["RT"])], evidence=full(
         "esi", prior_procedures=[prior("64483", 20, 30, 5)])), "esi.repeat_relief",
         Pin('warning', 1,
             'Not stated: what changed since it (level, approach or medication) and the rationale for repeating it (the 64483 on 2026-08-27 gave 30% relief (below 50%); a poor-responder repeat needs a documented rationale and a change).',
             'record evidence.repeat (rationale and changes: level, approach, medication)')),
    Case("esi-poor-responder-level-changed-with-rationale-passes", lambda: claim([line("64483", ["RT"])], evidence=full(
         "esi", prior_procedures=[prior("64483", 20, 30, 5)],
         repeat={"rationale": "contrast spread stopped at L4; target L5 root", "changes": ["level"]})), "esi.repeat_relief", None),
    Case("esi-poor-responder-nothing-changed-held", lambda: claim([line("64483", ["RT"])], evidence=full(
         "esi", prior_procedures=[prior("64483", 20, 30, 5)], repeat={"rationale": "pain returned", "changes": []})),
         "esi.repeat_relief",
         Pin('error', 1,
             'A repeat ESI after a poor response must change the approach, level or medication; the 64483 on 2026-08-27 gave 30% relief (below 50%) and the evidence states that nothing changed.',
             'change the approach, level or medication, or do not bill it as covered (GA with a signed ABN)')),
    Case("esi-poor-responder-rationale-not-stated-warns", lambda: claim([line("62323")], evidence=full(
         "esi", prior_procedures=[prior("64483", 20, 30, 5)])), "esi.repeat_relief",
         Pin('warning', 1,
             'Not stated: the rationale for repeating it (the 64483 on 2026-08-27 gave 30% relief (below 50%); a poor-responder repeat needs a documented rationale and a change).',
             'record evidence.repeat (rationale and changes: level, approach, medication)')),
    # ---------------- ESI: indication, sedation, imaging code, rehab, WISeR place of service -----------
    Case("esi-axial-pain-no-radicular-findings-held", lambda: claim([line("64483", ["RT"])], evidence=full(
         "esi", exam={"radicular_findings": False, "neurogenic_claudication": False, "predominantly_axial": True})),
         "esi.indication",
         Pin('error', 1,
             'ESI is covered for radiculopathy, radicular pain or neurogenic claudication shown by history, exam and concordant imaging (or post-laminectomy syndrome or acute herpes zoster); axial spine pain and non-specific low back pain are not covered; the evidence states no radicular findings and no neurogenic claudication.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("esi-radicular-findings-not-stated-warns", lambda: claim([line("64483", ["RT"])], evidence=full("esi", exam=None)),
         "esi.indication",
         Pin('warning', 1,
             'Not stated: radicular findings or neurogenic claudication (ESI is covered for radiculopathy, radicular pain or neurogenic claudication shown by history, exam and concordant imaging (or post-laminectomy syndrome or acute herpes zoster); axial spine pain and non-specific low back pain are not covered).',
             'record evidence.exam.radicular_findings, evidence.exam.neurogenic_claudication')),
    Case("esi-neurogenic-claudication-passes", lambda: claim([line("64483", ["RT"])], evidence=full(
         "esi", exam={"radicular_findings": False, "neurogenic_claudication": True})), "esi.indication", None),
    Case("esi-no-concordant-imaging-held", lambda: claim([line("64483", ["RT"])], evidence=full(
         "esi", imaging_reports=[{"modality": "MRI", "date": days_before(60), "finding": "mild disc bulge L3-L4",
                                  "concordant_with_diagnosis": False}])), "esi.indication",
         Pin('error', 1,
             'ESI is covered for radiculopathy, radicular pain or neurogenic claudication shown by history, exam and concordant imaging (or post-laminectomy syndrome or acute herpes zoster); axial spine pain and non-specific low back pain are not covered; the evidence states no concordant imaging.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("esi-moderate-sedation-without-need-held", lambda: claim([line("64483", ["RT"]), line("99152")], state="MI",
         evidence=full("esi", sedation="moderate")), "esi.sedation",
         Pin('error', 1,
             'Moderate sedation with 64483: moderate or deep sedation, general anesthesia and MAC are not reasonable and necessary for an ESI except in documented exceptional cases (allowed: none, local or minimal; moderate, deep, general or mac only with a documented need).',
             'do not bill the sedation as covered, or record the documented need in evidence.sedation_reason')),
    Case("esi-moderate-sedation-with-documented-need-passes", lambda: claim([line("64483", ["RT"]), line("99152")], state="MI",
         evidence=full("esi", sedation="moderate", sedation_reason="severe claustrophobia; failed attempt awake")),
         "esi.sedation", None),
    Case("esi-sedation-code-without-sedation-stated-warns", lambda: claim([line("64483", ["RT"]), line("99152")], state="MI",
         evidence=full("esi")), "esi.sedation",
         Pin('warning', 2,
             'Not stated: the sedation given (line 2 bills 99152) (moderate or deep sedation, general anesthesia and MAC are not reasonable and necessary for an ESI except in documented exceptional cases).',
             'record evidence.sedation (and evidence.sedation_reason when moderate or deeper)')),
    Case("esi-local-only-passes", lambda: claim([line("64483", ["RT"])], evidence=full("esi", sedation="local")),
         "esi.sedation", None),
    Case("esi-code-without-imaging-held-by-imaging-rule", lambda: claim([line("62322")], evidence=full("esi")),
         "esi.imaging",
         Pin('error', 1,
             '62322 is the code for the procedure without imaging guidance; the policy covers fluoroscopy or ct guidance only.',
             'bill the code for the fluoroscopy or ct-guided procedure if that is what was done; otherwise do not bill it as covered (GA with a signed ABN, GZ without one)')),
    Case("esi-rehab-not-stated-warns-wps", lambda: claim([line("64483", ["RT"])], state="MI", evidence=full(
         "esi", conservative_therapies=[THERAPY_PT_ENDED])), "esi.active_rehab",
         Pin('warning', 1,
             'Not stated: an active rehabilitation or home exercise program (ongoing) (an ESI must be done together with an active rehabilitation, home exercise or functional restoration program).',
             'record evidence.conservative_therapies (physical_therapy or home_exercise without end_date)')),
    Case("esi-home-exercise-ongoing-passes-wps", lambda: claim([line("64483", ["RT"])], state="MI", evidence=full("esi")),
         "esi.active_rehab", None),
    Case("esi-wiser-texas-office-held", lambda: claim([line("64483", ["RT"])], state="TX", evidence=full("esi")),
         "esi.wiser_prior_auth_tx",
         Pin('error', 1,
             '64483 needs prior authorization under the WISeR model (traditional Medicare) (place of service 11, state TX); the claim has no authorization number.',
             'request the authorization (278) and put its number (UTN) in prior_authorization')),
    Case("esi-wiser-texas-hopd-not-held", lambda: claim([line("64483", ["RT"])], state="TX", pos="22",
         evidence=full("esi")), "esi.wiser_prior_auth_tx", None),
    Case("esi-wiser-texas-hopd-facility-claim-warns", lambda: claim([line("64483", ["RT"])], state="TX", pos="22",
         evidence=full("esi")), "esi.wiser_prior_auth_tx_facility",
         Pin('warning', 1,
             "64483 in place of service 22 needs prior authorization under the WISeR model (traditional Medicare); the authorization number (UTN) goes on the facility's claim, not on this one.",
             'make sure the facility requested the authorization; put its UTN in prior_authorization if the payer asks for it on the professional claim too')),
    Case("esi-wiser-texas-asc-facility-claim-warns", lambda: claim([line("64483", ["RT"])], state="TX", pos="24",
         evidence=full("esi")), "esi.wiser_prior_auth_tx_facility",
         Pin('warning', 1,
             "64483 in place of service 24 needs prior authorization under the WISeR model (traditional Medicare); the authorization number (UTN) goes on the facility's claim, not on this one.",
             'make sure the facility requested the authorization; put its UTN in prior_authorization if the payer asks for it on the professional claim too')),
    Case("esi-wiser-texas-office-no-facility-warning", lambda: claim([line("64483", ["RT"])], state="TX",
         evidence=full("esi")), "esi.wiser_prior_auth_tx_facility", None),
    Case("esi-infection-held-noridian", lambda: claim([line("64483", ["RT"])], state="CA", evidence=full(
         "esi", exam={"radicular_findings": True, "spinal_or_systemic_infection": True})), "esi.contraindications",
         Pin('error', 1,
             'An ESI is contraindicated with a spinal or systemic infection, a compressive lesion of cord, conus or cauda, or suspected cancer; the evidence states a spinal or systemic infection.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    # ---------------- Facet: no block at the level of a successful RF ablation (L38773) ---------------
    Case("facet-mbb-at-ablated-level-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, levels=["L4-L5"],
         prior_procedures=[prior_at("64635", 200, 70, 190, levels=["L4-L5", "L5-S1"])])), "facet.block_after_rfa",
         Pin('error', 1,
             'A facet block at L4-L5, where the 64635 on 2026-02-28 succeeded; the policy does not cover a diagnostic block at the level of a successful ablation (repeat diagnostics only 24 months after it).',
             'do not repeat the block at that level within 24 months of 2026-02-28; block another level only if the record shows a different pain source')),
    Case("facet-mbb-at-other-level-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, levels=["L3-L4"],
         prior_procedures=[prior_at("64635", 200, 70, 190, levels=["L4-L5", "L5-S1"])])), "facet.block_after_rfa", None),
    Case("facet-mbb-after-failed-ablation-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, levels=["L4-L5"],
         prior_procedures=[prior_at("64635", 200, 70, 190, levels=["L4-L5"], successful=False)])), "facet.block_after_rfa", None),
    Case("facet-mbb-exactly-2-years-after-ablation-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, levels=["L4-L5"],
         prior_procedures=[prior_at("64635", 730, 70, 300, levels=["L4-L5"])])), "facet.block_after_rfa", None),
    Case("facet-mbb-2-years-less-a-day-after-ablation-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, levels=["L4-L5"],
         prior_procedures=[prior_at("64635", 729, 70, 300, levels=["L4-L5"])])), "facet.block_after_rfa",
         Pin('error', 1,
             'A facet block at L4-L5, where the 64635 on 2024-09-17 succeeded; the policy does not cover a diagnostic block at the level of a successful ablation (repeat diagnostics only 24 months after it).',
             'do not repeat the block at that level within 24 months of 2024-09-17; block another level only if the record shows a different pain source')),
    Case("facet-mbb-ablation-levels-not-stated-warns", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, levels=["L4-L5"], prior_procedures=[prior_at("64635", 200, 70, 190)])),
         "facet.block_after_rfa",
         Pin('warning', 1,
             'Not stated: the levels of the 64635 on 2026-02-28 (evidence.prior_procedures[].levels) (A facet block is not covered at the level of a successful ablation in the last 24 months).',
             'record the levels of the 64635 on 2026-02-28 (evidence.prior_procedures[].levels)')),
    # ---------------- Facet: a therapeutic injection needs why RF ablation cannot be done (L38773) ----
    Case("facet-therapeutic-rfa-reason-not-stated-warns", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, prior_procedures=TWO_GOOD_MBBS, rfa_contraindication=None)),
         "facet.therapeutic_rfa_contraindication",
         Pin('warning', 1,
             'Not stated: why RF ablation cannot be done (a therapeutic facet injection needs the documented reason RF ablation cannot be done).',
             'record evidence.rfa_contraindication (contraindicated, reason)')),
    Case("facet-therapeutic-rfa-possible-held", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, prior_procedures=TWO_GOOD_MBBS,
         rfa_contraindication={"contraindicated": False})), "facet.therapeutic_rfa_contraindication",
         Pin('error', 1,
             'A therapeutic facet injection needs the documented reason RF ablation cannot be done; the evidence states that RF ablation can be done.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-therapeutic-rfa-contraindicated-with-reason-passes", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, prior_procedures=TWO_GOOD_MBBS)), "facet.therapeutic_rfa_contraindication", None),
    Case("facet-diagnostic-block-needs-no-rfa-reason", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, rfa_contraindication=None)), "facet.therapeutic_rfa_contraindication", None),
    # ---------------- Facet: anesthetic relief in hours, with the agent (L38773) ------------------------
    Case("facet-rfa-relief-hours-not-stated-warns", lambda: claim([line("64635", ["RT"])], evidence=full(
         "facet", prior_procedures=[prior("64493", 60, 85, 1, diagnostic=True), prior("64493", 40, 80, 1, diagnostic=True)])),
         "facet.diagnostic_relief_hours",
         Pin('warning', 1,
             "Not stated: how many hours the relief lasted and the anesthetic agent for the 64493 on 2026-08-07 (A facet procedure that relies on diagnostic blocks: an anesthetic block's relief is judged against how long its agent acts).",
             'record relief_duration_hours and anesthetic_agent in evidence.prior_procedures')),
    Case("facet-rfa-relief-hours-and-agent-stated-passes", lambda: claim([line("64635", ["RT"])], evidence=full(
         "facet", prior_procedures=TWO_GOOD_MBBS)), "facet.diagnostic_relief_hours", None),
    # ---------------- Facet: ultrasound-guided codes held by the imaging rule, like ESI --------------
    Case("facet-ultrasound-code-held-by-imaging-rule", lambda: claim([line("0216T", ["RT"])], evidence=full(
         "facet", diagnostic_block=True)), "facet.imaging",
         Pin('error', 1,
             '0216T is the code for the procedure with ultrasound guidance; the policy covers fluoroscopy or ct guidance only.',
             'bill the code for the fluoroscopy or ct-guided procedure if that is what was done; otherwise do not bill it as covered (GA with a signed ABN, GZ without one)')),
    Case("facet-fluoroscopic-twin-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True)), "facet.imaging", None),
    # ---------------- Facet: indications, technique, sedation ------------------------------------------
    Case("facet-not-axial-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, exam={**FACET_EXAM, "predominantly_axial": False})), "facet.indication_axial",
         Pin('error', 1,
             'Facet procedures are covered for predominantly axial neck or low back pain with no other pathology explaining it; the evidence states no predominantly axial pain.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-untreated-radiculopathy-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, exam={**FACET_EXAM, "untreated_radiculopathy": True})),
         "facet.no_untreated_radiculopathy",
         Pin('error', 1,
             'Facet procedures are not covered with an untreated radiculopathy or neurogenic claudication (except for a facet synovial cyst); the evidence states untreated radiculopathy or neurogenic claudication.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-untreated-radiculopathy-synovial-cyst-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, synovial_cyst=True,
         exam={**FACET_EXAM, "untreated_radiculopathy": True, "cyst_root_compression_on_imaging": True})),
         "facet.no_untreated_radiculopathy", None),
    Case("facet-cyst-without-root-compression-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, synovial_cyst=True,
         exam={**FACET_EXAM, "cyst_root_compression_on_imaging": False})), "facet.synovial_cyst_indication",
         Pin('error', 1,
             'A facet synovial cyst procedure needs imaging-confirmed nerve root compression by the cyst; the evidence states no nerve root compression by the cyst on imaging.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-cryoablation-held", lambda: claim([line("64635", ["RT"])], evidence=full(
         "facet", prior_procedures=TWO_GOOD_MBBS, ablation={"technique": "cryo"})), "facet.rfa_thermal_only",
         Pin('error', 1,
             'Only thermal RF ablation is covered; chemical, low-grade thermal (< 80 C), laser and cryo ablation are denied; the evidence states an ablation other than thermal RF at 80 C or more.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-thermal-79-c-held", lambda: claim([line("64635", ["RT"])], evidence=full(
         "facet", prior_procedures=TWO_GOOD_MBBS, ablation={"technique": "thermal_rf", "temperature_c": 79})),
         "facet.rfa_thermal_only",
         Pin('error', 1,
             'Only thermal RF ablation is covered; chemical, low-grade thermal (< 80 C), laser and cryo ablation are denied; the evidence states an ablation other than thermal RF at 80 C or more.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-thermal-80-c-passes", lambda: claim([line("64635", ["RT"])], evidence=full(
         "facet", prior_procedures=TWO_GOOD_MBBS)), "facet.rfa_thermal_only", None),
    Case("facet-injection-moderate-sedation-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, sedation="moderate", sedation_reason="anxiety")), "facet.sedation_injection",
         Pin('error', 1,
             'Moderate sedation with 64493: moderate or deep sedation, general anesthesia and MAC are not covered for facet injections (allowed: none, local or minimal).',
             'do not bill the sedation as covered')),
    Case("facet-rfa-moderate-sedation-without-need-held", lambda: claim([line("64635", ["RT"])], evidence=full(
         "facet", prior_procedures=TWO_GOOD_MBBS, sedation="moderate")), "facet.sedation_rfa",
         Pin('error', 1,
             'Moderate sedation with 64635: moderate sedation for RF ablation needs a documented need (anxiety alone is not enough) (allowed: none, local or minimal; moderate only with a documented need).',
             'do not bill the sedation as covered, or record the documented need in evidence.sedation_reason')),
    Case("facet-rfa-moderate-sedation-with-need-passes", lambda: claim([line("64635", ["RT"])], evidence=full(
         "facet", prior_procedures=TWO_GOOD_MBBS, sedation="moderate", sedation_reason="cannot lie prone for 40 minutes")),
         "facet.sedation_rfa", None),
    # ---------------- SI joint -------------------------------------------------------------------------
    Case("si-radiculopathy-held", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, exam={**SIJ_EXAM, "radicular_findings": True})), "si.indication",
         Pin('error', 1,
             'SI joint injections are covered for low back pain over the SI joint below L5, with no radiculopathy and no other obvious cause; the evidence states radicular findings.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("si-complete-exam-passes", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True)), "si.indication", None),
    Case("si-minimal-sedation-held", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, sedation="minimal")), "si.sedation",
         Pin('error', 1,
             'Minimal sedation with 27096: sedation is not reasonable and necessary for SI joint injections (allowed: none or local).',
             'do not bill the sedation as covered')),
    Case("si-therapeutic-relief-hours-not-stated-warns", lambda: claim([line("27096", ["RT"])], evidence=full(
         "sij", diagnostic_block=False, prior_procedures=[prior("27096", 30, 80, 1, diagnostic=True, region="sacroiliac")])),
         "si.diagnostic_relief_hours",
         Pin('warning', 1,
             "Not stated: how many hours the relief lasted and the anesthetic agent for the 27096 on 2026-08-17 (An SI joint injection that relies on a diagnostic injection: an anesthetic block's relief is judged against how long its agent acts).",
             'record relief_duration_hours and anesthetic_agent in evidence.prior_procedures')),
    # ---------------- Trigger points: one anatomic region per session (L39713) ------------------------
    Case("tpi-two-anatomic-regions-held", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", lines=[{"line": 1, "muscle_regions": ["neck", "low back"], "muscles": ["trapezius", "quadratus lumborum"]}])),
         "tpi.one_muscle_region",
         Pin('error', 1,
             'Trigger point injections on 2026-09-16 treat muscles in 2 anatomic regions (low back, neck); the policy does not cover multiple muscle groups in different anatomic regions in one session.',
             'inject one anatomic region per session; treat the other region on another day')),
    Case("tpi-two-lines-two-regions-held", lambda: claim([line("20552"), line("20552", day=DOS)], state="MI", evidence=full(
         "tpi", lines=[{"line": 1, "muscle_regions": ["neck"]}, {"line": 2, "muscle_regions": ["Low back"]}])),
         "tpi.one_muscle_region",
         Pin('error', 2,
             'Trigger point injections on 2026-09-16 treat muscles in 2 anatomic regions (low back, neck); the policy does not cover multiple muscle groups in different anatomic regions in one session.',
             'inject one anatomic region per session; treat the other region on another day')),
    Case("tpi-one-region-passes", lambda: claim([line("20553")], state="MI", evidence=full("tpi")), "tpi.one_muscle_region", None),
    Case("tpi-region-not-stated-warns", lambda: claim([line("20553")], state="MI", evidence=full("tpi", lines=[])),
         "tpi.one_muscle_region",
         Pin('warning', 1,
             'Not stated: the anatomic region of each muscle injected on line 1 (muscles in different anatomic regions may not be injected in one session).',
             'record evidence.lines[] with line 1 and its muscle_regions')),
    Case("tpi-one-trigger-sign-held", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", trigger_points={**TRIGGER, "taut_band": False, "referred_pain": False})), "tpi.indication",
         Pin('error', 1,
             'Trigger point injections are covered for focal skeletal muscle pain with a clinical trigger point (2 of hyperirritable spot, taut band, referred pain) and a palpable nodule, when conservative care failed, movement is limited or the injection is needed for diagnosis; the evidence states only 1 of 2 needed (a hyperirritable spot, a taut band, referred pain).',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("tpi-steroid-injectate-held", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", injectate={"local_anesthetic_only": False})), "tpi.local_anesthetic_only",
         Pin('error', 1,
             'Trigger point injections are covered with local anesthetic only; the evidence states an injectate other than local anesthetic.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    # ---------------- SCS: trials per region, site of service, intent (NCD 160.7, L35136) -------------
    Case("scs-third-trial-in-region-held", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", scs={**SCS, "trials": [trial(400, "thoracic", 20), trial(200, "thoracic", 30)]})), "scs.trials_per_region",
         Pin('error', 1,
             'This would be stimulator trial 3 in the thoracic region (earlier: 2025-08-12, 2026-02-28); the policy allows at most 2 per spinal region per lifetime.',
             'do not bill the trial as covered unless a technical limitation or a new modality applies; document which')),
    Case("scs-second-trial-in-region-passes", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", scs={**SCS, "trials": [trial(200, "thoracic", 30)]})), "scs.trials_per_region", None),
    Case("scs-trials-in-other-region-do-not-count", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", scs={**SCS, "trials": [trial(400, "cervical", 20), trial(200, "cervical", 30)]})), "scs.trials_per_region", None),
    Case("scs-trial-or-permanent-not-stated-warns", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", lines=[])), "scs.trials_per_region",
         Pin('warning', 1,
             'Not stated: whether line 1 (63650) is a trial or a permanent implant (at most 2 stimulator trials per spinal region per lifetime).',
             'record evidence.lines[] with line 1 and intent trial or permanent')),
    Case("scs-permanent-array-in-office-held", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", lines=[{"line": 1, "intent": "permanent"}], scs={**SCS, "trials": [trial(30, "thoracic", 60)]})),
         "scs.permanent_site_of_service",
         Pin('error', 1,
             '63650 on line 1 is a permanent implant in place of service 11: a permanent stimulator is implanted in an ASC or a hospital, not in the office.',
             'perform it in place of service 19, 21, 22 or 24, or correct the place of service')),
    Case("scs-permanent-array-in-asc-passes", lambda: claim([line("63650", units=2, pos="24")], state="CA", evidence=full(
         "scs", lines=[{"line": 1, "intent": "permanent"}], scs={**SCS, "trials": [trial(30, "thoracic", 60)]})),
         "scs.permanent_site_of_service", None),
    Case("scs-generator-in-office-held", lambda: claim([line("63685")], state="CA", evidence=full(
         "scs", lines=[], scs={**SCS, "trials": [trial(30, "thoracic", 60)]})), "scs.permanent_site_of_service",
         Pin('error', 1,
             '63685 on line 1 is a permanent implant in place of service 11: a permanent stimulator is implanted in an ASC or a hospital, not in the office.',
             'perform it in place of service 19, 21, 22 or 24, or correct the place of service')),
    Case("scs-trial-in-office-passes", lambda: claim([line("63650", units=2)], state="CA", evidence=full("scs")),
         "scs.permanent_site_of_service", None),
    Case("scs-permanent-intent-not-stated-warns", lambda: claim([line("63650", units=2, pos="24")], state="CA",
         evidence=full("scs", lines=[])), "scs.trial_before_permanent",
         Pin('warning', 1,
             'Not stated: whether line 1 (63650) is a trial or a permanent implant (a permanent implant needs a successful trial first).',
             'record evidence.lines[] with line 1 and intent trial or permanent')),
    Case("scs-permanent-array-after-good-trial-passes", lambda: claim([line("63650", units=2, pos="24")], state="CA",
         evidence=full("scs", lines=[{"line": 1, "intent": "permanent"}], scs={**SCS, "trials": [trial(30, "thoracic", 60)]})),
         "scs.trial_before_permanent", None),
    Case("scs-permanent-after-analgesic-reduction-passes", lambda: claim([line("63685", pos="24")], state="CA", evidence=full(
         "scs", lines=[], scs={**SCS, "trials": [{**trial(30, "thoracic", 30), "analgesic_reduction_percent": 50}]})),
         "scs.trial_before_permanent", None),
    Case("scs-permanent-after-trial-without-function-held", lambda: claim([line("63685", pos="24")], state="CA", evidence=full(
         "scs", lines=[], scs={**SCS, "trials": [{**trial(30, "thoracic", 70), "functional_improvement": False}]})),
         "scs.trial_before_permanent",
         Pin('error', 1,
             'A permanent stimulator needs functional improvement in the trial; the trial that ended 2026-08-24 shows none.',
             'do not implant as covered; record the functional improvement if there was one')),
    Case("scs-generator-replacement-needs-no-trial", lambda: claim([line("63685", pos="24")], state="CA", evidence=full(
         "scs", lines=[{"line": 1, "intent": "replacement"}], scs={**SCS, "replacement_reason": "battery_depletion"})),
         "scs.trial_before_permanent", None),
    Case("scs-three-leads-held", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", scs={**SCS, "leads": 3, "contacts": 24})), "scs.hardware",
         Pin('error', 1,
             'The stimulator uses 3 leads (limit 2) and 24 contacts (limit 16); the policy covers at most 2 leads / 16 contacts.',
             'bill only the covered hardware, or correct evidence.scs')),
    Case("scs-two-leads-sixteen-contacts-passes", lambda: claim([line("63650", units=2)], state="CA", evidence=full("scs")),
         "scs.hardware", None),
    Case("scs-active-substance-abuse-held", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", scs={**SCS, "active_substance_abuse": True})), "scs.screening",
         Pin('error', 1,
             'Stimulation needs a multidisciplinary screening with a physical evaluation, and no active substance abuse; the evidence states active substance abuse.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    # ---------------- Twins: the same rules silent when the evidence states the fact ------------------
    Case("esi-fluoroscopic-code-twin-passes", lambda: claim([line("62323")], evidence=full("esi")), "esi.imaging", None),
    Case("esi-no-contraindication-stated-is-silent", lambda: claim([line("64483", ["RT"])], state="CA",
         evidence=full("esi")), "esi.contraindications", None),
    Case("facet-axial-pain-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True)), "facet.indication_axial", None),
    Case("facet-cyst-with-root-compression-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, synovial_cyst=True,
         exam={**FACET_EXAM, "cyst_root_compression_on_imaging": True})), "facet.synovial_cyst_indication", None),
    Case("facet-injection-local-anesthesia-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, sedation="local")), "facet.sedation_injection", None),
    Case("si-local-anesthesia-passes", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, sedation="local")), "si.sedation", None),
    Case("si-therapeutic-relief-hours-stated-passes", lambda: claim([line("27096", ["RT"])], evidence=full(
         "sij", diagnostic_block=False, prior_procedures=[{**prior("27096", 30, 80, 1, diagnostic=True, region="sacroiliac"),
         "relief_duration_hours": 8, "anesthetic_agent": "bupivacaine 0.5%"}])), "si.diagnostic_relief_hours", None),
    Case("tpi-two-trigger-signs-passes", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", trigger_points={**TRIGGER, "referred_pain": False})), "tpi.indication", None),
    Case("tpi-trigger-findings-not-stated-warns", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", trigger_points=None)), "tpi.indication",
         Pin('warning', 1,
             'Not stated: focal skeletal muscle pain and a palpable nodule or hypersensitive bundle; a hyperirritable spot, a taut band or referred pain (trigger point injections are covered for focal skeletal muscle pain with a clinical trigger point (2 of hyperirritable spot, taut band, referred pain) and a palpable nodule, when conservative care failed, movement is limited or the injection is needed for diagnosis).',
             'record evidence.trigger_points.focal_muscle_pain, evidence.trigger_points.palpable_nodule, evidence.trigger_points.hyperirritable_spot, evidence.trigger_points.taut_band, evidence.trigger_points.referred_pain')),
    Case("tpi-local-anesthetic-passes", lambda: claim([line("20553")], state="MI", evidence=full("tpi")),
         "tpi.local_anesthetic_only", None),
    Case("scs-screened-no-substance-abuse-passes", lambda: claim([line("63650", units=2)], state="CA",
         evidence=full("scs")), "scs.screening", None),
    Case("scs-screening-not-stated-warns", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", scs={"trials": []})), "scs.screening",
         Pin('warning', 1,
             'Not stated: a multidisciplinary screening and a physical evaluation; active substance abuse (stimulation needs a multidisciplinary screening with a physical evaluation, and no active substance abuse).',
             'record evidence.scs.multidisciplinary_screening, evidence.scs.physical_evaluation, evidence.scs.active_substance_abuse')),
    # ---------------- Beyond 12 months (L39240; SIJ L39383 applies the ESI criteria) -------------------
    Case("esi-beyond-12-months-not-stated-warns", lambda: claim([line("64483", ["RT"])], state="CA", evidence=full(
         "esi", prior_procedures=[prior("64483", 400, 70, 120), prior("64483", 120, 70, 100)])), "esi.beyond_12_months",
         Pin('warning', 1,
             'Not stated: a severe functional or vocational disability, the rationale for continuing (high surgical risk, surgery declined, or recurrence relieved >= 3 months) and that the primary care physician was notified (ESI continued beyond 12 months is generally not reasonable and necessary; it needs a severe functional or vocational disability, a documented rationale and the primary care physician notified).',
             'record evidence.continuation.severe_disability, evidence.continuation.rationale, evidence.continuation.pcp_notified')),
    Case("esi-beyond-12-months-pcp-not-notified-held", lambda: claim([line("64483", ["RT"])], state="CA", evidence=full(
         "esi", prior_procedures=[prior("64483", 400, 70, 120), prior("64483", 120, 70, 100)],
         continuation={"severe_disability": True, "rationale": "declines surgery", "pcp_notified": False})),
         "esi.beyond_12_months",
         Pin('error', 1,
             'ESI continued beyond 12 months is generally not reasonable and necessary; it needs a severe functional or vocational disability, a documented rationale and the primary care physician notified; the evidence states that the primary care physician was not notified.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("esi-beyond-12-months-criteria-stated-passes", lambda: claim([line("64483", ["RT"])], state="CA", evidence=full(
         "esi", prior_procedures=[prior("64483", 400, 70, 120), prior("64483", 120, 70, 100)],
         continuation={"severe_disability": True, "rationale": "high surgical risk (EF 25%)", "pcp_notified": True})),
         "esi.beyond_12_months", None),
    Case("esi-series-within-12-months-passes", lambda: claim([line("64483", ["RT"])], state="CA", evidence=full(
         "esi", prior_procedures=[prior("64483", 365, 70, 120), prior("64483", 120, 70, 100)])), "esi.beyond_12_months", None),
    Case("si-beyond-12-months-not-stated-warns", lambda: claim([line("27096", ["RT"])], evidence=full(
         "sij", diagnostic_block=False, prior_procedures=[
             {**prior("27096", 400, 80, 1, diagnostic=True, region="sacroiliac"), "relief_duration_hours": 8,
              "anesthetic_agent": "bupivacaine 0.5%"},
             prior("27096", 120, 60, 100, diagnostic=False, region="sacroiliac")])), "si.beyond_12_months",
         Pin('warning', 1,
             'Not stated: a severe functional or vocational disability, the rationale for continuing (high surgical risk, surgery declined, or recurrence relieved >= 3 months) and that the primary care physician was notified (SI joint injections beyond 12 months follow the ESI criteria: a severe functional or vocational disability, a documented rationale and the primary care physician notified).',
             'record evidence.continuation.severe_disability, evidence.continuation.rationale, evidence.continuation.pcp_notified')),
    Case("si-within-12-months-passes", lambda: claim([line("27096", ["RT"])], evidence=full(
         "sij", diagnostic_block=False, prior_procedures=[
             {**prior("27096", 200, 80, 1, diagnostic=True, region="sacroiliac"), "relief_duration_hours": 8,
              "anesthetic_agent": "bupivacaine 0.5%"}])), "si.beyond_12_months", None),
    # ---------------- Facet: centralized pain, ALIF, biologics, synovial cyst repeat -------------------
    Case("facet-therapeutic-fibromyalgia-held", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, prior_procedures=TWO_GOOD_MBBS,
         exam={**FACET_EXAM, "fibromyalgia_or_centralized_pain": True})), "facet.therapeutic_not_centralized",
         Pin('error', 1,
             'Therapeutic facet injections are not covered for fibromyalgia or centralized pain; the evidence states fibromyalgia or centralized pain.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-therapeutic-no-fibromyalgia-stated-is-silent", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, prior_procedures=TWO_GOOD_MBBS)), "facet.therapeutic_not_centralized", None),
    Case("facet-after-alif-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, exam={**FACET_EXAM, "prior_alif_at_level": True})), "facet.after_alif",
         Pin('error', 1,
             'Facet procedures are denied at a level after an anterior lumbar interbody fusion; the evidence states an anterior lumbar interbody fusion at the level.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-no-alif-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, exam={**FACET_EXAM, "prior_alif_at_level": False})), "facet.after_alif", None),
    Case("facet-biologic-injectate-held", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, injectate={"biologic": True})), "facet.no_biologics",
         Pin('error', 1,
             'Facet injectate is local anesthetic, corticosteroid, anti-inflammatory or contrast only; biologics are not covered; the evidence states a biologic injectate.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-no-biologic-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True, injectate={"biologic": False})), "facet.no_biologics", None),
    Case("facet-cyst-repeat-after-good-relief-passes", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, synovial_cyst=True, levels=["L4-L5"], prior_procedures=[
             *TWO_GOOD_MBBS, prior_at("64493", 120, 60, 100, levels=["L4-L5"], synovial_cyst=True)],
         exam={**FACET_EXAM, "cyst_root_compression_on_imaging": True})), "facet.cyst_repeat", None),
    Case("facet-cyst-repeat-after-40-percent-held", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, synovial_cyst=True, levels=["L4-L5"], prior_procedures=[
             *TWO_GOOD_MBBS, prior_at("64493", 120, 40, 100, levels=["L4-L5"], synovial_cyst=True)],
         exam={**FACET_EXAM, "cyst_root_compression_on_imaging": True})), "facet.cyst_repeat",
         Pin('error', 1,
             'A repeat synovial cyst procedure needs 50% improvement for 3 months after the one on 2026-05-19; it gave 40% for 100 days.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-cyst-third-procedure-held", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, synovial_cyst=True, levels=["L4-L5"], prior_procedures=[
             *TWO_GOOD_MBBS, prior_at("64493", 300, 60, 100, levels=["L4-L5"], synovial_cyst=True),
             prior_at("64493", 120, 60, 100, levels=["L4-L5"], synovial_cyst=True)],
         exam={**FACET_EXAM, "cyst_root_compression_on_imaging": True})), "facet.cyst_repeat",
         Pin('error', 1,
             'The synovial cyst at L4-L5 was already treated 2 times (2025-11-20, 2026-05-19); the policy allows 1 repeat(s) per cyst.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("facet-cyst-repeat-levels-not-stated-warns", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, synovial_cyst=True, levels=["L4-L5"], prior_procedures=[
             *TWO_GOOD_MBBS, prior_at("64493", 120, 60, 100, synovial_cyst=True)],
         exam={**FACET_EXAM, "cyst_root_compression_on_imaging": True})), "facet.cyst_repeat",
         Pin('warning', 1,
             'Not stated: the levels of this cyst procedure and of the earlier one(s) (a facet synovial cyst may be treated again at most 1 time(s)).',
             'record evidence.levels and the levels of each earlier cyst procedure in evidence.prior_procedures')),
    # ---------------- SI joint: biologics, psychiatric conditions ---------------------------------------
    Case("si-biologic-injectate-held", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, injectate={"biologic": True})), "si.no_biologics",
         Pin('error', 1,
             'Biologics are not covered for SI joint injections; the evidence states a biologic injectate.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("si-no-biologic-passes", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, injectate={"biologic": False})), "si.no_biologics", None),
    Case("si-psychiatric-not-stabilized-held", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, exam={**SIJ_EXAM, "psychiatric_conditions_stabilized": False})),
         "si.psychiatric_stabilized",
         Pin('error', 1,
             'Psychiatric conditions must be stabilized before SI joint procedures; the evidence states psychiatric conditions that are not stabilized.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("si-psychiatric-stabilized-passes", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True)), "si.psychiatric_stabilized", None),
    Case("si-rfa-with-facet-rfa-same-session-warns", lambda: claim([line("64625", ["RT", "GZ"]), line("64635", ["RT"])],
         evidence=full("facet", prior_procedures=TWO_GOOD_MBBS)), "si.rfa_with_facet_rfa",
         Pin('warning', 2,
             '64635 is billed in the same session as 64625: 64625 is not reportable with 64635 in the same session (CPT instruction, per the memo).',
             'do the procedures in separate sessions, or remove the line')),
    Case("si-rfa-alone-no-pair-warning", lambda: claim([line("64625", ["RT", "GZ"])], evidence=full("sij")),
         "si.rfa_with_facet_rfa", None),
    # ---------------- Trigger points: functional improvement from the previous TPI (L39713) ------------
    Case("tpi-repeat-50-percent-function-passes", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", prior_procedures=[{**prior("20553", 60, 60, 50, region="other"), "functional_improvement_percent": 50}])),
         "tpi.repeat_function", None),
    Case("tpi-repeat-49-percent-function-held", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", prior_procedures=[{**prior("20553", 60, 60, 50, region="other"), "functional_improvement_percent": 49}])),
         "tpi.repeat_function",
         Pin('error', 1,
             'A repeat trigger point injection needs at least 50% functional improvement from the previous one; the 20553 on 2026-07-18 gave 49%.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("tpi-repeat-function-not-stated-warns", lambda: claim([line("20553")], state="MI", evidence=full(
         "tpi", prior_procedures=[prior("20553", 60, 60, 50, region="other")])), "tpi.repeat_function",
         Pin('warning', 1,
             'Not stated: the functional improvement the 20553 on 2026-07-18 gave (A repeat trigger point injection needs at least 50% functional improvement from the previous one).',
             'record functional_improvement_percent in evidence.prior_procedures')),
    # ---------------- SCS: late resort ---------------------------------------------------------------------
    Case("scs-conservative-care-improving-held", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", conservative_therapies=[{"kind": "physical_therapy", "start_date": days_before(200),
                                         "response": "improved"}])), "scs.late_resort",
         Pin('error', 1,
             'Stimulation is a late, if not last, resort after other treatments failed or were unsuitable; the evidence states no failed conservative care.',
             'do not bill it as covered (GA with a signed ABN, GZ without one); correct the evidence if it is wrong')),
    Case("scs-no-treatment-history-stated-warns", lambda: claim([line("63650", units=2)], state="CA", evidence=full(
         "scs", conservative_therapies=[])), "scs.late_resort",
         Pin('warning', 1,
             'Not stated: failed conservative care (stimulation is a late, if not last, resort after other treatments failed or were unsuitable).',
             'record evidence.conservative_therapies')),
    Case("scs-failed-treatments-passes", lambda: claim([line("63650", units=2)], state="CA", evidence=full("scs")),
         "scs.late_resort", None),
    # ---------------- Alabama Medicaid: facet prior authorization in all settings ------------------------
    Case("alabama-medicaid-facet-without-pa-held", lambda: claim([line("64493", ["KX", "RT"])], state="AL", filing="MC",
         evidence=full("facet", diagnostic_block=True)), "alabama_medicaid.facet_prior_auth",
         Pin('error', 1,
             '64493 needs prior authorization under Alabama Medicaid prior authorization for facet procedures (all settings) (place of service 11); the claim has no authorization number.',
             'request the authorization (278) and put its number (UTN) in prior_authorization')),
    Case("alabama-medicaid-facet-with-pa-passes", lambda: claim([line("64493", ["KX", "RT"])], state="AL", filing="MC",
         prior_authorization="ALPA12345", evidence=full("facet", diagnostic_block=True)), "alabama_medicaid.facet_prior_auth", None),
    # ---------------- Rules the matrix found without a test -----------------------------------------------
    Case("esi-two-units-of-64483-warns", lambda: claim([line("64483", ["RT"], units=2)], evidence=full("esi")), "esi.units",
         Pin('warning', 1,
             '64483 adds up to 2 units on 2026-09-16; the unit limit per day is 1.',
             'bill at most 1 unit(s) of 64483 per day')),
    Case("esi-one-unit-passes", lambda: claim([line("64483", ["RT"])], evidence=full("esi")), "esi.units", None),
    Case("facet-cervical-and-lumbar-one-session-held", lambda: claim([line("64493", ["KX", "RT"]), line("64490", ["KX", "RT"])],
         evidence=full("facet", diagnostic_block=True)), "facet.one_region",
         Pin('error', 2,
             'One session on 2026-09-16 treats more than one spinal region (lumbar/sacral and cervical/thoracic); the policy allows one region per session.',
             'bill one region per session; treat the other region on another day')),
    Case("facet-one-region-passes", lambda: claim([line("64493", ["KX", "RT"]), line("64494", ["KX", "RT"])],
         evidence=full("facet", diagnostic_block=True)), "facet.one_region", None),
    Case("facet-two-units-on-one-line-warns", lambda: claim([line("64493", ["KX"], units=2)],
         evidence=full("facet", diagnostic_block=True)), "facet.units",
         Pin('warning', 1,
             '64493 is billed with 2 units on one line; the unit limit is 1.',
             'bill at most 1 unit(s) on the line')),
    Case("facet-one-unit-passes", lambda: claim([line("64493", ["KX", "50"])], evidence=full("facet", diagnostic_block=True)),
         "facet.units", None),
    Case("facet-intra-facet-implant-warns", lambda: claim([line("0221T")], evidence=full("facet")), "facet.intra_facet_implant",
         Pin('warning', 1,
             '0221T is an intra-facet implant, which the LCD denies.',
             'remove the line; if it is still performed, add GA with a signed ABN (GZ without one)')),
    Case("facet-no-implant-code-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full(
         "facet", diagnostic_block=True)), "facet.intra_facet_implant", None),
    Case("si-pain-two-months-held", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, pain_onset_date=days_before(60))), "si.pain_duration",
         Pin('error', 1,
             'The policy needs pain for at least 3 months; onset was 2026-07-18, 60 days before the service.',
             'wait until the pain has lasted long enough, or correct the onset date')),
    Case("si-pain-long-enough-passes", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True)), "si.pain_duration", None),
    Case("si-ultrasound-held", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, imaging_guidance="ultrasound")), "si.imaging",
         Pin('error', 1,
             '27096 was done with ultrasound guidance; the policy covers fluoroscopy or ct (ultrasound only with a documented contrast allergy or pregnancy).',
             'use fluoroscopy or ct guidance, or document the contrast allergy or pregnancy')),
    Case("si-ultrasound-with-contrast-allergy-passes", lambda: claim([line("27096", ["RT", "KX"])], evidence=full(
         "sij", diagnostic_block=True, imaging_guidance="ultrasound", contrast_contraindicated=True)), "si.imaging", None),
    Case("si-therapeutic-repeat-40-percent-held", lambda: claim([line("27096", ["RT"])], evidence=full(
         "sij", diagnostic_block=False, prior_procedures=[
             {**prior("27096", 200, 80, 1, diagnostic=True, region="sacroiliac"), "relief_duration_hours": 8,
              "anesthetic_agent": "bupivacaine 0.5%"},
             prior("27096", 100, 40, 100, diagnostic=False, region="sacroiliac")])), "si.therapeutic_repeat",
         Pin('error', 1,
             'A repeat therapeutic SI joint injection needs at least 50% relief from the 27096 on 2026-06-08; it gave 40%.',
             'do not bill it as covered (GA with a signed ABN); record the correct relief if it was higher')),
    Case("si-therapeutic-repeat-50-percent-3-months-passes", lambda: claim([line("27096", ["RT"])], evidence=full(
         "sij", diagnostic_block=False, prior_procedures=[
             {**prior("27096", 200, 80, 1, diagnostic=True, region="sacroiliac"), "relief_duration_hours": 8,
              "anesthetic_agent": "bupivacaine 0.5%"},
             prior("27096", 100, 50, 90, diagnostic=False, region="sacroiliac")])), "si.therapeutic_repeat", None),
    Case("tpi-with-facet-block-same-session-held", lambda: claim([line("20553"), line("64493", ["KX", "RT"])], state="MI",
         evidence=full("tpi")), "tpi.same_session_blocks",
         Pin('error', 2,
             '64493 is billed in the same session as 20553: no ESI, sympathetic or facet block in the same session as trigger point injections.',
             'do the procedures in separate sessions, or remove the line')),
    Case("tpi-alone-passes", lambda: claim([line("20553")], state="MI", evidence=full("tpi")), "tpi.same_session_blocks", None),
    Case("ncci-26-on-facet-code-warns", lambda: claim([line("64493", ["KX", "RT", "26"])], evidence=full(
         "facet", diagnostic_block=True)), "ncci.no_pc_tc",
         Pin('warning', 1,
             'Modifier 26 on 64493: the code has PC/TC indicator 0 (imaging is part of the procedure).',
             'remove modifier 26')),
    Case("ncci-no-26-passes", lambda: claim([line("64493", ["KX", "RT"])], evidence=full("facet", diagnostic_block=True)),
         "ncci.no_pc_tc", None),
    Case("ncci-mue-64493-two-units-warns", lambda: claim([line("64493", ["KX", "RT"]), line("64493", ["KX", "LT"])],
         evidence=full("facet", diagnostic_block=True)), "ncci.mue_mai2",
         Pin('warning', 2,
             '64493 adds up to 2 units on 2026-09-16; the MUE (MAI 2) per day is 1.',
             'bill at most 1 unit(s) of 64493 per day')),
    Case("ncci-mue-64493-one-unit-bilateral-passes", lambda: claim([line("64493", ["KX", "50"])], evidence=full(
         "facet", diagnostic_block=True)), "ncci.mue_mai2", None),
    Case("facet-5th-therapeutic-session-held", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, prior_procedures=[
             *TWO_GOOD_MBBS, *[prior_at("64493", days, 60, 100, diagnostic=False) for days in (330, 240, 150, 30)]])),
         "facet.therapeutic_frequency",
         Pin('error', 1,
             'This would be therapeutic facet injection session 5 in the lumbar/sacral region within 365 days (earlier: 2025-10-21, 2026-01-19, 2026-04-19, 2026-08-17); the limit is 4.',
             'a session is covered again from 2026-10-22 (when the one of 2025-10-21 leaves the window); until then do not bill it as covered; with a signed ABN add modifier GA')),
    Case("facet-4th-therapeutic-session-passes", lambda: claim([line("64493", ["RT"])], evidence=full(
         "facet", diagnostic_block=False, prior_procedures=[
             *TWO_GOOD_MBBS, *[prior_at("64493", days, 60, 100, diagnostic=False) for days in (240, 150, 30)]])),
         "facet.therapeutic_frequency", None),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_lcd_rule_case(case: Case) -> None:
    result = engine.evaluate(case.make(), History(), book())
    fired = [finding for finding in result.findings if finding.rule_id == case.rule]
    summary = [(f.rule_id, f.severity.value, f.message) for f in result.findings]
    if case.expect is None:
        assert not fired, summary
        return
    assert len(fired) == 1, summary
    [found] = fired
    assert (found.severity.value, found.line, found.message, found.fix) == (
        case.expect.severity,
        case.expect.line,
        case.expect.message,
        case.expect.fix,
    )
    assert result.held is (case.expect.severity == "error") or result.held
    # A fact the evidence leaves unknown is a documentation warning, never a hold.
    if found.message.startswith("Not stated: "):
        assert (found.severity.value, found.category.value) == ("warning", "documentation")
    else:
        assert found.category.value in {"coverage", "prior_auth", "coding"}


def test_table_has_both_outcomes_for_every_rule() -> None:
    """Each rule in the table is shown firing and silent (the twin that states the fact)."""
    outcomes: dict[str, set[bool]] = {}
    for case in CASES:
        outcomes.setdefault(case.rule, set()).add(case.expect is not None)
    one_sided = sorted(rule for rule, seen in outcomes.items() if seen != {True, False})
    assert not one_sided
    assert len({case.id for case in CASES}) == len(CASES)
    assert DOS.isoformat() == "2026-09-16"


def test_full_evidence_passes_every_new_rule() -> None:
    """The baselines the table changes one fact of are silent on every rule the table pins."""
    pinned = {case.rule for case in CASES}
    clean = [
        claim([line("64483", ["RT"])], evidence=full("esi")),
        claim([line("64493", ["KX", "RT"])], evidence=full("facet", diagnostic_block=True)),
        claim([line("64635", ["RT"])], evidence=full("facet", prior_procedures=TWO_GOOD_MBBS)),
        claim([line("27096", ["RT", "KX"])], evidence=full("sij", diagnostic_block=True)),
        claim([line("20553")], state="MI", evidence=full("tpi")),
        claim([line("63650", units=2)], state="CA", evidence=full("scs")),
    ]
    for item in clean:
        result = engine.evaluate(item, History(), book())
        noisy = [(f.rule_id, f.message) for f in result.findings if f.rule_id in pinned]
        assert not noisy
        assert not result.held


# What the documentation rules still ask of the baselines (they state the coverage facts, not every
# element a reviewer looks for): pinned per family, so the matrix's documentation rows have tests.
DOCUMENTATION: list[tuple[Callable[[], Claim], list[str]]] = [
    (
        lambda: claim([line("64483", ["RT"])], evidence=full("esi")),
        [
            "documentation.esi_procedure_note.procedure_note",
            "documentation.esi_record.functional_impact",
            "documentation.esi_record.pain_scale_baseline",
            "documentation.esi_record.physical_therapy_details",
        ],
    ),
    (
        lambda: claim([line("64493", ["KX", "RT"])], evidence=full("facet", diagnostic_block=True)),
        [
            "documentation.facet_procedure_note.procedure_note",
            "documentation.facet_record.functional_impact",
            "documentation.facet_record.pain_scale_baseline",
            "documentation.facet_record.physical_therapy_details",
        ],
    ),
    (
        lambda: claim([line("27096", ["RT", "KX"])], evidence=full("sij", diagnostic_block=True)),
        [
            "documentation.si_procedure_note.procedure_note",
            "documentation.si_record.functional_impact",
            "documentation.si_record.pain_scale_baseline",
            "documentation.si_record.physical_therapy_details",
        ],
    ),
    (
        lambda: claim([line("20553")], state="MI", evidence=full("tpi")),
        [
            "documentation.tpi_procedure_note.procedure_note",
            "documentation.tpi_record.functional_impact",
            "documentation.tpi_record.pain_scale_baseline",
        ],
    ),
    (
        lambda: claim([line("63685", pos="24")], state="CA", evidence=full("scs", lines=[])),
        [
            "documentation.scs_permanent.stimulator_trial",
            "documentation.scs_procedure_note.procedure_note",
            "documentation.scs_record.functional_impact",
            "documentation.scs_record.pain_scale_baseline",
            "documentation.scs_record.physical_therapy_details",
        ],
    ),
    (
        lambda: claim(
            [line("63685", pos="24")],
            state="CA",
            evidence=full("scs", lines=[], scs={**SCS, "trials": [trial(30, "thoracic", 60)]}),
        ),
        [
            "documentation.scs_procedure_note.procedure_note",
            "documentation.scs_record.functional_impact",
            "documentation.scs_record.pain_scale_baseline",
            "documentation.scs_record.physical_therapy_details",
        ],
    ),
]


@pytest.mark.parametrize("index", range(len(DOCUMENTATION)))
def test_documentation_rules_on_the_baselines(index: int) -> None:
    make, expected = DOCUMENTATION[index]
    result = engine.evaluate(make(), History(), book())
    found = [f for f in result.findings if f.rule_id.startswith("documentation.")]
    assert [f.rule_id for f in found] == expected
    assert {(f.severity.value, f.category.value, f.line) for f in found} == {("warning", "documentation", 1)}
