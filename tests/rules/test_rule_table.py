"""Table-driven rule cases written from the LCD text (payer_rules.md): allowed and denied, with the
boundaries the policies draw (exactly 4 weeks, 79% vs 80% relief, the 5th ESI in 12 months ...).

Each case builds one claim (a clean baseline plus one change), evaluates it against the shipped
payer_configs/ and checks what ONE rule said: ``error`` (held), ``warning``, or None (silent).
Default payer: Medicare CGS (state KY), where the ESI, facet and SIJ LCDs were read (verified).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from gateway.domain.claim import Claim
from gateway.domain.history import History
from gateway.rules import engine
from tests.rules.helpers import DOS, PAYER_CONFIGS, book, claim, days_before, history, line, prior


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], Claim]
    rule: str
    expect: str | None
    past: History = field(default_factory=History)
    status: str | None = None


MBB = {"diagnostic_block": True}
THERAPEUTIC = {"diagnostic_block": False}
TWO_GOOD_MBBS = [prior("64493", 60, 85, 1, diagnostic=True), prior("64493", 40, 80, 1, diagnostic=True)]
ESI4 = history(("64483", 300), ("64483", 200), ("62323", 100), ("64483", 30))


def ct(days: int, kind: str = "physical_therapy", response: str = "failed") -> dict[str, object]:
    """Conservative care that started ``days`` before DOS and still goes on."""
    return {"conservative_therapies": [{"kind": kind, "start_date": days_before(days), "response": response}]}


# fmt: off
CASES = [
    # ---------------- ESI: frequency (<= 4 sessions per region per rolling 12 months) -----------
    Case("esi-4th-session-allowed", lambda: claim([line("64483", ["RT"])]), "esi.frequency", None,
         history(("64483", 300), ("64483", 200), ("64483", 100))),
    Case("esi-5th-session-in-12-months-held", lambda: claim([line("64483", ["RT"])]), "esi.frequency", "error",
         ESI4, "verified"),
    Case("esi-oldest-exactly-365-days-counts", lambda: claim([line("64483", ["RT"])]), "esi.frequency", "error",
         history(("64483", 365), ("64483", 200), ("64483", 100), ("64483", 30))),
    Case("esi-oldest-366-days-drops-out", lambda: claim([line("64483", ["RT"])]), "esi.frequency", None,
         history(("64483", 366), ("64483", 200), ("64483", 100), ("64483", 30))),
    Case("esi-other-region-not-counted", lambda: claim([line("64483", ["RT"])]), "esi.frequency", None,
         history(("64479", 300), ("64479", 200), ("64479", 100), ("64479", 30))),
    Case("esi-all-approaches-count-together", lambda: claim([line("62323")]), "esi.frequency", "error", ESI4),
    Case("esi-same-day-lines-are-one-session", lambda: claim([line("64483", ["RT"])]), "esi.frequency", None,
         history(("64483", 200), ("64484", 200), ("64483", 100), ("64484", 100), ("64483", 30))),
    Case("esi-claim-with-two-sessions-counts-both", lambda: claim(
        [line("64483", ["RT"], day=DOS - dt.timedelta(days=20)), line("64483", ["RT"])]), "esi.frequency", "error",
         history(("64483", 300), ("64483", 200), ("64483", 100))),
    Case("esi-5th-evidence-priors-count", lambda: claim(
        [line("64483", ["RT"])], evidence_changes={"prior_procedures": [
            prior("64483", d, 80, 120) for d in (320, 230, 140, 50)]}), "esi.frequency", "error"),
    Case("esi-5th-under-novitas-is-derived-warning", lambda: claim([line("64483", ["RT"])], state="TX",
         prior_authorization="UTN1"), "esi.frequency", "warning", ESI4, "derived"),
    Case("esi-5th-under-noridian-held", lambda: claim([line("64483", ["RT"])], state="CA"), "esi.frequency",
         "error", ESI4, "verified"),
    # ---------------- ESI: bilateral interlaminar, levels, region --------------------------------
    Case("esi-bilateral-interlaminar-50-held", lambda: claim([line("62323", ["50"])]), "esi.il_bilateral", "error"),
    Case("esi-interlaminar-rt-and-lt-held", lambda: claim([line("62323", ["RT"]), line("62323", ["LT"])]),
         "esi.il_bilateral", "error"),
    Case("esi-interlaminar-bilateral-in-evidence-held", lambda: claim(
        [line("62323")], evidence_changes={"laterality": "bilateral"}), "esi.il_bilateral", "error"),
    Case("esi-interlaminar-one-side-allowed", lambda: claim([line("62323")]), "esi.il_bilateral", None),
    Case("esi-bilateral-transforaminal-allowed", lambda: claim([line("64483", ["50"])]), "esi.il_bilateral", None),
    Case("esi-tf-two-levels-allowed", lambda: claim([line("64483", ["RT"]), line("64484", ["RT"])]),
         "esi.tf_levels", None),
    Case("esi-tf-three-levels-held", lambda: claim([line("64483", ["RT"]), line("64484", ["RT"], units=2)]),
         "esi.tf_levels", "error"),
    Case("esi-tf-bilateral-two-levels-allowed", lambda: claim([line("64483", ["50"]), line("64484", ["50"])]),
         "esi.tf_levels", None),
    Case("esi-tf-two-levels-each-side-allowed", lambda: claim(
        [line("64483", ["RT"]), line("64484", ["RT"]), line("64483", ["LT"]), line("64484", ["LT"])]),
         "esi.tf_levels", None),
    Case("esi-il-two-levels-held", lambda: claim([line("62323", units=2)]), "esi.il_levels", "error"),
    Case("esi-il-two-levels-documented-held", lambda: claim(
        [line("62323")], evidence_changes={"levels": ["L4-L5", "L5-S1"]}), "esi.il_levels", "error"),
    Case("esi-two-regions-one-session-held", lambda: claim([line("64483", ["RT"]), line("64479", ["RT"])]),
         "esi.one_region", "error"),
    # ---------------- ESI: conservative care (4 weeks), pain duration, imaging ------------------
    Case("esi-conservative-exactly-4-weeks-allowed", lambda: claim([line("64483", ["RT"])], evidence_changes=ct(28)),
         "esi.conservative_care", None),
    Case("esi-conservative-27-days-held", lambda: claim([line("64483", ["RT"])], evidence_changes=ct(27)),
         "esi.conservative_care", "error"),
    Case("esi-activity-modification-does-not-count", lambda: claim(
        [line("64483", ["RT"])], evidence_changes=ct(60, "activity_modification")), "esi.conservative_care", "error"),
    Case("esi-conservative-not-tolerated-allowed", lambda: claim(
        [line("64483", ["RT"])], evidence_changes=ct(5, response="not_tolerated")), "esi.conservative_care", None),
    Case("esi-improving-care-is-not-failed-care", lambda: claim(
        [line("64483", ["RT"])], evidence_changes=ct(60, response="improved")), "esi.conservative_care", "error"),
    Case("esi-overlapping-therapies-count-once", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "conservative_therapies": [
            {"kind": "physical_therapy", "start_date": days_before(20), "response": "failed"},
            {"kind": "pharmacotherapy", "start_date": days_before(20), "response": "failed"}]}),
         "esi.conservative_care", "error"),
    Case("esi-acute-zoster-exempt", lambda: claim([line("64483", ["RT"])], dx=["B02.29"],
         evidence_changes={"conservative_therapies": []}), "esi.conservative_care", None),
    Case("esi-pain-27-days-held", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "pain_onset_date": days_before(27)}), "esi.pain_duration", "error"),
    Case("esi-pain-exactly-4-weeks-allowed", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "pain_onset_date": days_before(28)}), "esi.pain_duration", None),
    Case("esi-no-guidance-recorded-held", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "imaging_guidance": None}), "esi.imaging", "error"),
    Case("esi-ultrasound-held", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "imaging_guidance": "ultrasound"}), "esi.imaging", "error"),
    Case("esi-ultrasound-with-contrast-allergy-allowed", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "imaging_guidance": "ultrasound", "contrast_contraindicated": True}), "esi.imaging", None),
    Case("esi-ct-allowed", lambda: claim([line("64483", ["RT"])], evidence_changes={"imaging_guidance": "ct"}),
         "esi.imaging", None),
    Case("esi-code-without-imaging-warns", lambda: claim([line("62322")]), "esi.no_imaging_codes", "warning",
         status="derived"),
    # ---------------- ESI: repeat relief (>= 50% for >= 3 months) -------------------------------
    Case("esi-repeat-50-percent-90-days-allowed", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64483", 120, 50, 90)]}), "esi.repeat_relief", None),
    Case("esi-repeat-49-percent-nothing-changed-held", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64483", 120, 49, 100)], "repeat": {"rationale": "flare", "changes": []}}),
         "esi.repeat_relief", "error"),
    Case("esi-repeat-49-percent-change-not-stated-warns", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64483", 120, 49, 100)]}), "esi.repeat_relief", "warning"),
    Case("esi-repeat-relief-89-days-held", lambda: claim([line("64483", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64483", 120, 70, 89)]}), "esi.repeat_relief", "error"),
    Case("esi-repeat-outcome-unknown-held", lambda: claim([line("64483", ["RT"])]), "esi.repeat_relief", "error",
         history(("64483", 120))),
    Case("esi-poor-responder-other-approach-warns", lambda: claim([line("62323")], evidence_changes={
        "prior_procedures": [prior("64483", 20, 20, 10)]}), "esi.repeat_relief", "warning"),
    Case("esi-poor-responder-too-soon-held", lambda: claim([line("62323")], evidence_changes={
        "prior_procedures": [prior("64483", 13, 20, 10)]}), "esi.repeat_relief", "error"),
    # ---------------- ESI: same session, modifiers, WISeR ---------------------------------------
    Case("esi-with-facet-same-session-held", lambda: claim([line("64483", ["RT"]), line("64493", ["RT"])]),
         "esi.same_session_blocks", "error"),
    Case("esi-with-facet-synovial-cyst-allowed", lambda: claim([line("64483", ["RT"]), line("64493", ["RT"])],
         evidence_changes={"synovial_cyst": True}), "esi.same_session_blocks", None),
    Case("esi-with-trigger-points-held", lambda: claim([line("64483", ["RT"]), line("20552")]),
         "esi.same_session_blocks", "error"),
    Case("esi-tf-without-side-warns", lambda: claim([line("64483")]), "esi.tf_side", "warning"),
    Case("esi-diagnostic-snrb-without-kx-warns", lambda: claim([line("64483", ["RT"])], evidence_changes=MBB),
         "esi.kx_diagnostic_snrb", "warning", status="unverified"),
    Case("esi-wiser-texas-without-pa-held", lambda: claim([line("64483", ["RT"])], state="TX"),
         "esi.wiser_prior_auth_tx", "error", status="verified"),
    Case("esi-wiser-texas-with-pa-allowed", lambda: claim([line("64483", ["RT"])], state="TX",
         prior_authorization="A1B2C3UTN"), "esi.wiser_prior_auth_tx", None),
    Case("esi-wiser-ohio-warns-unverified", lambda: claim([line("64483", ["RT"])], state="OH"),
         "esi.wiser_prior_auth_other_states", "warning", status="unverified"),
    Case("esi-wiser-kentucky-not-a-wiser-state", lambda: claim([line("64483", ["RT"])]),
         "esi.wiser_prior_auth_other_states", None),
    # ---------------- Facet: levels, non-covered codes ------------------------------------------
    Case("facet-3rd-level-code-held", lambda: claim([line("64493", ["KX", "50"]), line("64495", ["50"])],
         evidence_changes=MBB), "facet.three_four_levels", "error"),
    Case("facet-3rd-level-with-abn-warns", lambda: claim([line("64495", ["GA"])], evidence_changes=MBB),
         "facet.three_four_levels", "warning"),
    Case("facet-3rd-level-noridian-derived-warns", lambda: claim([line("64495")], state="CA",
         evidence_changes=MBB), "facet.three_four_levels", "warning", status="derived"),
    Case("facet-two-levels-allowed", lambda: claim([line("64493", ["KX", "50"]), line("64494", ["KX", "50"])],
         evidence_changes=MBB), "facet.injection_levels", None),
    Case("facet-three-units-held", lambda: claim([line("64493", ["KX"]), line("64494", ["KX"], units=2)],
         evidence_changes=MBB), "facet.injection_levels", "error"),
    Case("facet-ultrasound-guided-code-warns", lambda: claim([line("0216T")]), "facet.ultrasound_guided",
         "warning"),
    # ---------------- Facet: diagnostic blocks (>= 80%, >= 2 weeks apart), frequency -------------
    Case("facet-second-mbb-80-percent-allowed", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "prior_procedures": [prior("64493", 20, 80, 1, diagnostic=True)]}),
         "facet.second_diagnostic_relief", None),
    Case("facet-second-mbb-79-percent-held", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "prior_procedures": [prior("64493", 20, 79, 1, diagnostic=True)]}),
         "facet.second_diagnostic_relief", "error"),
    Case("facet-second-mbb-14-days-allowed", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "prior_procedures": [prior("64493", 14, 90, 1, diagnostic=True)]}),
         "facet.second_diagnostic_interval", None),
    Case("facet-second-mbb-13-days-held", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "prior_procedures": [prior("64493", 13, 90, 1, diagnostic=True)]}),
         "facet.second_diagnostic_interval", "error"),
    Case("facet-5th-diagnostic-session-held", lambda: claim([line("64493", ["KX"])], evidence_changes=MBB),
         "facet.diagnostic_frequency", "error",
         history(("64493", 300, ["KX"]), ("64493", 250, ["KX"]), ("64493", 100, ["KX"]), ("64493", 50, ["KX"]))),
    Case("facet-therapeutic-sessions-not-diagnostic", lambda: claim([line("64493", ["KX"])], evidence_changes=MBB),
         "facet.diagnostic_frequency", None,
         history(("64493", 300), ("64493", 250), ("64493", 100), ("64493", 50))),
    Case("facet-diagnostic-kx-present-no-warning", lambda: claim([line("64493", ["KX"])], evidence_changes=MBB),
         "facet.kx_diagnostic", None),
    # ---------------- Facet: RFA (2 MBBs >= 80%; repeat >= 50% for >= 6 months; <= 2 / 12 months)
    Case("facet-rfa-after-two-good-mbbs-allowed", lambda: claim([line("64635", ["RT"])], evidence_changes={
        "prior_procedures": TWO_GOOD_MBBS}), "facet.rfa_initial", None),
    Case("facet-rfa-two-level-mbb-is-one-session-held", lambda: claim([line("64635", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64493", 40, 90, 1, diagnostic=True), prior("64494", 40, 90, 1, diagnostic=True)]}),
         "facet.rfa_initial", "error"),
    Case("facet-rfa-stored-add-on-line-uses-session-outcome", lambda: claim([line("64635", ["RT"])],
         evidence_changes={"prior_procedures": TWO_GOOD_MBBS}), "facet.rfa_initial", None,
         history(("64493", 60, ["KX"]), ("64494", 60, ["KX"]), ("64493", 40, ["KX"]), ("64494", 40, ["KX"]))),
    Case("facet-rfa-after-one-mbb-held", lambda: claim([line("64635", ["RT"])], evidence_changes={
        "prior_procedures": TWO_GOOD_MBBS[:1]}), "facet.rfa_initial", "error"),
    Case("facet-rfa-second-mbb-79-percent-held", lambda: claim([line("64635", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64493", 60, 85, 1, diagnostic=True), prior("64493", 40, 79, 1, diagnostic=True)]}),
         "facet.rfa_initial", "error"),
    Case("facet-repeat-rfa-50-percent-180-days-allowed", lambda: claim([line("64635", ["RT"])], evidence_changes={
        "prior_procedures": [*TWO_GOOD_MBBS, prior("64635", 240, 50, 180)]}), "facet.rfa_repeat", None),
    Case("facet-repeat-rfa-179-days-held", lambda: claim([line("64635", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64635", 240, 70, 179)]}), "facet.rfa_repeat", "error"),
    Case("facet-repeat-rfa-49-percent-held", lambda: claim([line("64635", ["RT"])], evidence_changes={
        "prior_procedures": [prior("64635", 240, 49, 200)]}), "facet.rfa_repeat", "error"),
    Case("facet-3rd-rfa-in-12-months-held", lambda: claim([line("64635", ["LT"])]), "facet.rfa_frequency",
         "error", history(("64635", 250, ["RT"]), ("64635", 20, ["LT"]))),
    # ---------------- Facet: therapeutic, pain duration, conservative care, imaging, OPD PA -------
    Case("facet-therapeutic-after-two-mbbs-allowed", lambda: claim([line("64493")], evidence_changes={
        **THERAPEUTIC, "prior_procedures": TWO_GOOD_MBBS}), "facet.therapeutic_initial", None),
    Case("facet-therapeutic-without-mbbs-held", lambda: claim([line("64493")], evidence_changes=THERAPEUTIC),
         "facet.therapeutic_initial", "error"),
    Case("facet-therapeutic-repeat-45-percent-held", lambda: claim([line("64493")], evidence_changes={
        **THERAPEUTIC, "prior_procedures": [*TWO_GOOD_MBBS, prior("64493", 20, 45, 100, diagnostic=False)]}),
         "facet.therapeutic_repeat", "error"),
    Case("facet-pain-exactly-3-months-allowed", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "pain_onset_date": "2026-06-16"}), "facet.pain_duration", None),
    Case("facet-pain-3-months-less-a-day-held", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "pain_onset_date": "2026-06-17"}), "facet.pain_duration", "error"),
    Case("facet-no-conservative-care-held", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "conservative_therapies": []}), "facet.conservative_care", "error"),
    Case("facet-ultrasound-guidance-held", lambda: claim([line("64493", ["KX"])], evidence_changes={
        **MBB, "imaging_guidance": "ultrasound", "contrast_contraindicated": True}), "facet.imaging", "error"),
    Case("facet-hopd-without-pa-warns", lambda: claim([line("64493", ["KX"])], pos="22", evidence_changes=MBB),
         "facet.opd_prior_auth", "warning", status="verified"),
    Case("facet-office-no-opd-pa", lambda: claim([line("64493", ["KX"])], evidence_changes=MBB),
         "facet.opd_prior_auth", None),
    # ---------------- NCCI / modifiers ------------------------------------------------------------
    Case("ncci-50-with-rt-held", lambda: claim([line("64493", ["50", "RT", "KX"])], evidence_changes=MBB),
         "ncci.bilateral_with_sides", "error"),
    Case("ncci-64772-bundles-facet-warns", lambda: claim([line("64772"), line("64493", ["KX"])],
         evidence_changes=MBB), "ncci.ptp_64772", "warning", status="unverified"),
    Case("ncci-59-prefers-x-modifier-warns", lambda: claim([line("20552", ["59"])], state="MI"),
         "ncci.prefer_x_modifiers", "warning"),
    Case("ncci-mue-64636-5-units-warns", lambda: claim([line("64635", ["RT"]), line("64636", ["RT"], units=5)],
         evidence_changes={"prior_procedures": TWO_GOOD_MBBS}), "ncci.mue_mai3", "warning"),
    # ---------------- SI joint --------------------------------------------------------------------
    Case("si-rfa-64625-held", lambda: claim([line("64625", ["RT"])]), "si.rfa_not_covered", "error"),
    Case("si-rfa-64625-with-gz-warns", lambda: claim([line("64625", ["RT", "GZ"])]), "si.rfa_not_covered", "warning"),
    Case("si-therapeutic-after-75-percent-allowed", lambda: claim([line("27096", ["RT"])], evidence_changes={
        **THERAPEUTIC, "prior_procedures": [prior("27096", 30, 75, 1, diagnostic=True, region="sacroiliac")]}),
         "si.therapeutic_needs_diagnostic", None),
    Case("si-therapeutic-after-74-percent-held", lambda: claim([line("27096", ["RT"])], evidence_changes={
        **THERAPEUTIC, "prior_procedures": [prior("27096", 30, 74, 1, diagnostic=True, region="sacroiliac")]}),
         "si.therapeutic_needs_diagnostic", "error"),
    Case("si-3rd-diagnostic-held", lambda: claim([line("27096", ["RT"])], evidence_changes=MBB),
         "si.diagnostic_sessions", "error", history(("27096", 600, ["KX"]), ("27096", 30, ["KX"]))),
    Case("si-2nd-diagnostic-allowed", lambda: claim([line("27096", ["RT"])], evidence_changes=MBB),
         "si.diagnostic_sessions", None, history(("27096", 30, ["KX"]))),
    Case("si-5th-therapeutic-in-12-months-held", lambda: claim([line("27096", ["LT"])], evidence_changes={
        **THERAPEUTIC}), "si.therapeutic_frequency", "error",
         history(("27096", 300), ("27096", 200), ("27096", 120), ("27096", 60))),
    Case("si-two-provocative-tests-held", lambda: claim([line("27096", ["RT"])], evidence_changes={
        **MBB, "provocative_tests_positive": 2}), "si.provocative_tests", "error"),
    Case("si-three-provocative-tests-allowed", lambda: claim([line("27096", ["RT"])], evidence_changes={
        **MBB, "provocative_tests_positive": 3}), "si.provocative_tests", None),
    Case("si-with-esi-same-session-held", lambda: claim([line("27096", ["RT"]), line("62323")],
         evidence_changes=MBB), "si.same_session_blocks", "error"),
    Case("si-conservative-3-weeks-held", lambda: claim([line("27096", ["RT"])], evidence_changes={
        **MBB, **ct(21)}), "si.conservative_care", "error"),
    # ---------------- Trigger points (WPS: L39713 read) ---------------------------------------------
    Case("tpi-4th-in-12-months-held", lambda: claim([line("20552")], state="MI"), "tpi.frequency", "error",
         history(("20552", 300), ("20553", 200), ("20552", 100))),
    Case("tpi-3rd-in-12-months-allowed", lambda: claim([line("20552")], state="MI"), "tpi.frequency", None,
         history(("20552", 200), ("20552", 100))),
    Case("tpi-repeat-50-percent-6-weeks-allowed", lambda: claim([line("20552")], state="MI", evidence_changes={
        "prior_procedures": [prior("20552", 60, 50, 42, region="other")]}), "tpi.repeat_relief", None),
    Case("tpi-repeat-41-days-held", lambda: claim([line("20552")], state="MI", evidence_changes={
        "prior_procedures": [prior("20552", 60, 60, 41, region="other")]}), "tpi.repeat_relief", "error"),
    Case("tpi-fluoroscopy-held", lambda: claim([line("20552")], state="MI"), "tpi.no_guidance", "error"),
    Case("tpi-without-guidance-allowed", lambda: claim([line("20552")], state="MI", evidence_changes={
        "imaging_guidance": None}), "tpi.no_guidance", None),
    Case("tpi-under-cgs-no-lcd-read-warns", lambda: claim([line("20552")]), "tpi.frequency", "warning",
         history(("20552", 300), ("20553", 200), ("20552", 100)), "unverified"),
    # ---------------- Spinal cord stimulation (NCD 160.7, national) ---------------------------------
    Case("scs-trial-with-psych-clearance-allowed", lambda: claim([line("63650", units=2)]), "scs.psych_evaluation",
         None),
    Case("scs-trial-without-psych-held", lambda: claim([line("63650", units=2)], evidence_changes={
        "psych_evaluation": None}), "scs.psych_evaluation", "error"),
    Case("scs-psych-not-cleared-held", lambda: claim([line("63650")], evidence_changes={
        "psych_evaluation": {"date": days_before(10), "cleared": False}}), "scs.psych_evaluation", "error"),
    Case("scs-permanent-after-50-percent-trial-allowed", lambda: claim([line("63685")], evidence_changes={
        "scs": {"trials": [{"region": "thoracic", "start_date": days_before(40), "end_date": days_before(33),
                            "percent_relief": 50, "functional_improvement": True}]}}),
         "scs.trial_before_permanent", None),
    Case("scs-permanent-after-old-style-trial-function-not-stated-warns", lambda: claim([line("63685")],
         evidence_changes={"stimulator_trial": {"start_date": days_before(40), "end_date": days_before(33),
                                                "percent_relief": 50}}), "scs.trial_before_permanent", "warning"),
    Case("scs-permanent-after-49-percent-trial-held", lambda: claim([line("63685")], evidence_changes={
        "stimulator_trial": {"start_date": days_before(40), "end_date": days_before(33), "percent_relief": 49}}),
         "scs.trial_before_permanent", "error"),
    Case("scs-permanent-without-trial-held", lambda: claim([line("63685")]), "scs.trial_before_permanent", "error"),
    Case("scs-three-leads-noridian-derived-warns", lambda: claim([line("63650", units=3)], state="CA"), "scs.leads",
         "warning", status="derived"),
    Case("scs-three-leads-cgs-unverified-warns", lambda: claim([line("63650", units=3)]), "scs.leads", "warning",
         status="unverified"),
    Case("scs-hopd-trial-without-pa-warns", lambda: claim([line("63650")], pos="22"), "scs.opd_prior_auth",
         "warning"),
    Case("scs-paddle-in-texas-without-wiser-pa-held", lambda: claim([line("63655")], state="TX"),
         "scs.wiser_prior_auth_tx", "error"),
    # ---------------- Commercial example: BCBS Massachusetts policy 690 -----------------------------
    Case("bcbsma-esi-29-days-apart-held", lambda: claim([line("64483", ["RT"])], state="MA", filing="BL"),
         "bcbsma.esi_interval", "error", history(("64483", 29))),
    Case("bcbsma-esi-30-days-apart-allowed", lambda: claim([line("64483", ["RT"])], state="MA", filing="BL"),
         "bcbsma.esi_interval", None, history(("64483", 30))),
    Case("bcbsma-7th-esi-in-12-months-held", lambda: claim([line("64483", ["RT"])], state="MA", filing="BL"),
         "bcbsma.esi_frequency", "error", history(*[("64479" if i % 2 else "64483", 40 + 50 * i) for i in range(6)])),
    Case("bcbsma-without-physical-therapy-held", lambda: claim([line("64483", ["RT"])], state="MA", filing="BL",
         evidence_changes=ct(60, "pharmacotherapy")), "bcbsma.esi_physical_therapy", "error"),
    Case("medicare-rule-not-applied-to-bcbsma", lambda: claim([line("64483", ["RT"])], state="MA", filing="BL"),
         "esi.frequency", None, ESI4),
    # ---------------- Routing, versions, ICD-10 coverage (secondary lists: warnings only) ------------
    Case("first-coast-not-checked-warns", lambda: claim([line("64483", ["RT"])], state="FL"),
         "routing.not_checked", "warning"),
    Case("noridian-facet-dx-not-listed-warns", lambda: claim([line("64493", ["KX"])], state="CA", dx=["M54.50"],
         evidence_changes=MBB), "noridian.dx_facet", "warning", status="unverified"),
    Case("noridian-facet-dx-listed-allowed", lambda: claim([line("64493", ["KX"])], state="CA", dx=["M47.816"],
         evidence_changes=MBB), "noridian.dx_facet", None),
    Case("noridian-cyst-dx-not-for-ablation-warns", lambda: claim([line("64635", ["RT"])], state="CA",
         dx=["M53.86"], evidence_changes={"prior_procedures": TWO_GOOD_MBBS}), "noridian.dx_facet", "warning"),
    Case("noridian-tpi-dx-not-listed-warns", lambda: claim([line("20552")], state="AZ", dx=["M54.50"],
         evidence_changes={"imaging_guidance": None}), "noridian.dx_sij_tpi", "warning"),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rule_case(case: Case) -> None:
    result = engine.evaluate(case.make(), case.past, book())
    fired = [finding for finding in result.findings if finding.rule_id == case.rule]
    summary = [(f.rule_id, f.severity.value, f.message) for f in result.findings]
    if case.expect is None:
        assert not fired, summary
        return
    assert fired, f"{case.rule} did not fire; findings: {summary}"
    assert {finding.severity.value for finding in fired} == {case.expect}, summary
    if case.status is not None:
        assert {finding.status.value for finding in fired} == {case.status}
    if case.expect == "error":
        assert result.held
    claim_lines = len(case.make().service_lines)
    known = set(book().config.sources) | {path.stem for path in (PAYER_CONFIGS / "dx").glob("*.yaml")}
    for finding in fired:
        # A source cites documents of payer_configs/sources.yaml or dx/ ("L39015 v16", "L36920
        # (harmonized; number read in L39240 v15)", "A58403 v27 (Noridian)") or names the config
        # file that decided (routing.yaml); the line points into the claim; the texts are sentences.
        words = set(re.findall(r"[A-Z0-9_.]+", finding.source))
        assert words & known or finding.source.startswith("payer_configs/"), finding.source
        assert finding.line is None or 1 <= finding.line <= claim_lines, finding.line
        assert finding.message.endswith((".", ")")) and len(finding.message) > 30, finding.message
        assert finding.fix[:1].islower() and len(finding.fix) > 10, finding.fix


def test_case_table_is_large_and_covers_both_outcomes() -> None:
    assert len(CASES) >= 60
    assert {case.expect for case in CASES} == {None, "error", "warning"}
    assert len({case.id for case in CASES}) == len(CASES)


def test_clean_baselines_are_not_held() -> None:
    """The baseline claims the table starts from pass every rule (so each case tests one change)."""
    clean = [
        claim([line("64483", ["RT"]), line("64484", ["RT"])]),
        claim([line("64493", ["KX", "50"]), line("64494", ["KX", "50"])], evidence_changes=MBB),
        claim(
            [line("64635", ["RT"]), line("64636", ["RT"])],
            evidence_changes={"prior_procedures": TWO_GOOD_MBBS},
        ),
        claim([line("27096", ["RT", "KX"])], evidence_changes=MBB),
        claim([line("20552")], state="MI", evidence_changes={"imaging_guidance": None}),
        claim([line("63650", units=2)]),
    ]
    for item in clean:
        result = engine.evaluate(item, History(), book())
        assert not result.held, [(f.rule_id, f.message) for f in result.findings]
        assert result.pack_version.startswith("medicare-")
    assert DOS.isoformat() == "2026-09-16"
