"""Rule findings pinned whole: severity, rule id, the line it points at, message and fix.

Every claim here has more than one line and the ruled line is not the first (an E/M visit with
modifier 25 comes first and no rule touches it), so a finding that pointed at the wrong line, or
a message that lost its numbers, fails. Date comparisons are tested on the same day as the
service (a trial ending on the DOS, a psych evaluation on it, a therapy starting on it) and one
day either side. Documentation-completeness findings are left to tests/documentation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from gateway.domain.claim import Claim
from gateway.domain.history import History
from gateway.rules import engine
from gateway.rules.kinds.clinical import months_before
from tests.rules.helpers import DOS, book, claim, days_before, good_evidence, history, line, prior

EM = line("99213", ["25"])
Pinned = tuple[str, str, int | None, str, str]  # severity, rule id, line, message, fix


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], Claim]
    expected: list[Pinned]
    past: History = field(default_factory=History)


def therapy(start: int, end: int | None = None, response: str = "failed") -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": "physical_therapy",
        "start_date": days_before(start),
        "response": response,
    }
    if end is not None:
        item["end_date"] = days_before(end)
    return item


def trial(end: int, relief: float = 60) -> dict[str, Any]:
    """Evidence with one finished stimulator trial (the screening facts of the baseline kept)."""
    record = {
        "region": "thoracic",
        "start_date": days_before(end + 7),
        "end_date": days_before(end),
        "percent_relief": relief,
        "functional_improvement": True,
    }
    return {"scs": {**good_evidence()["scs"], "trials": [record]}}


# An exercise program that goes on at the DOS (the ESI LCD asks for one) but improves, so it does
# not count as failed conservative care: the conservative-care cases keep their day counts.
ONGOING_EXERCISE = {"kind": "home_exercise", "start_date": days_before(1), "response": "improved"}
TRIAL_LINE = {"lines": [{"line": 2, "intent": "trial"}]}


CT_MESSAGE = (
    "The policy needs 4 weeks of failed conservative care (pharmacotherapy, physical therapy, "
    "chiropractic, cognitive behavioral or home exercise) before this procedure; the evidence shows {}."
)
CT_FIX = "document 4 weeks of conservative care (or that it was not tolerated)"
UNITS_FIX = "bill at most {n} unit(s) of {code} per day"

CASES = [
    # ------------------------------------------------------------ conservative care (4 weeks)
    Case(
        "therapy-starting-on-the-dos-counts-zero-days",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"conservative_therapies": [therapy(0)]}),
        [("error", "esi.conservative_care", 2, CT_MESSAGE.format("0 days"), CT_FIX)],
    ),
    Case(
        "therapy-starting-the-day-after-the-dos-is-not-counted",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"conservative_therapies": [therapy(-1)]}
        ),
        [("error", "esi.conservative_care", 2, CT_MESSAGE.format("0 days"), CT_FIX)],
    ),
    Case(
        "therapy-27-days-is-short",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"conservative_therapies": [therapy(27)]}
        ),
        [("error", "esi.conservative_care", 2, CT_MESSAGE.format("27 days"), CT_FIX)],
    ),
    Case(
        "therapy-28-days-ending-on-the-dos-is-enough",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"conservative_therapies": [therapy(28, end=0), ONGOING_EXERCISE]},
        ),
        [],
    ),
    Case(
        "therapy-ending-before-it-reaches-4-weeks",
        lambda: claim(
            [EM, line("64483", ["RT"])],
            evidence_changes={"conservative_therapies": [therapy(40, end=13), ONGOING_EXERCISE]},
        ),
        [("error", "esi.conservative_care", 2, CT_MESSAGE.format("27 days"), CT_FIX)],
    ),
    # ------------------------------------------------------------ pain duration
    Case(
        "pain-onset-on-the-dos",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"pain_onset_date": days_before(0)}),
        [
            (
                "error",
                "esi.pain_duration",
                2,
                "The policy needs pain for at least 4 weeks; onset was 2026-09-16, 0 days before the service.",
                "wait until the pain has lasted long enough, or correct the onset date",
            )
        ],
    ),
    Case(
        "pain-27-days",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"pain_onset_date": days_before(27)}),
        [
            (
                "error",
                "esi.pain_duration",
                2,
                "The policy needs pain for at least 4 weeks; onset was 2026-08-20, 27 days before the service.",
                "wait until the pain has lasted long enough, or correct the onset date",
            )
        ],
    ),
    Case(
        "pain-exactly-4-weeks",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"pain_onset_date": days_before(28)}),
        [],
    ),
    Case(
        "facet-pain-3-calendar-months-to-the-day",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={"pain_onset_date": "2026-06-16", "diagnostic_block": True},
        ),
        [],
    ),
    Case(
        "facet-pain-one-day-short-of-3-months",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={"pain_onset_date": "2026-06-17", "diagnostic_block": True},
        ),
        [
            (
                "error",
                "facet.pain_duration",
                2,
                "The policy needs pain for at least 3 months; onset was 2026-06-17, 91 days before the service.",
                "wait until the pain has lasted long enough, or correct the onset date",
            )
        ],
    ),
    # ------------------------------------------------------------ imaging guidance
    Case(
        "esi-without-imaging",
        lambda: claim([EM, line("64483", ["RT"])], evidence_changes={"imaging_guidance": None}),
        [
            (
                "error",
                "esi.imaging",
                2,
                "64483 must be done under imaging guidance (fluoroscopy or ct); none is recorded.",
                "record evidence.imaging_guidance",
            )
        ],
    ),
    Case(
        "trigger-point-under-fluoroscopy",
        lambda: claim(
            [EM, line("20552")], evidence_changes={"lines": [{"line": 2, "muscle_regions": ["neck"]}]}
        ),
        [
            (
                "warning",
                "tpi.no_guidance",
                2,
                "20552 was done with fluoroscopy guidance; the policy covers it without imaging guidance.",
                (
                    "do not bill the guidance for this procedure (it is not covered), or correct "
                    "evidence.imaging_guidance"
                ),
            )
        ],
    ),
    # ------------------------------------------------------------ SI joint provocative tests
    Case(
        "si-two-provocative-tests",
        lambda: claim(
            [EM, line("27096", ["RT"])],
            evidence_changes={"provocative_tests_positive": 2, "diagnostic_block": True},
        ),
        [
            (
                "error",
                "si.provocative_tests",
                2,
                "The policy needs at least 3 positive provocative tests; 2 recorded.",
                (
                    "record evidence.provocative_tests_positive (FABER, Gaenslen, thigh thrust, compression, "
                    "distraction, Yeoman)"
                ),
            )
        ],
    ),
    # ------------------------------------------------------------ SCS: psych evaluation and trial
    Case(
        "psych-evaluation-on-the-dos-counts",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"psych_evaluation": {"date": days_before(0), "cleared": True}, **TRIAL_LINE},
        ),
        [],
    ),
    Case(
        "psych-evaluation-the-day-after-does-not",
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
                    "Spinal cord stimulation needs a psychological evaluation before the trial or implant; "
                    "none is recorded."
                ),
                "record evidence.psych_evaluation (date and whether the patient was cleared)",
            )
        ],
    ),
    Case(
        "psych-evaluation-not-cleared",
        lambda: claim(
            [EM, line("63650")],
            evidence_changes={"psych_evaluation": {"date": days_before(3), "cleared": False}, **TRIAL_LINE},
        ),
        [
            (
                "error",
                "scs.psych_evaluation",
                2,
                "The psychological evaluation on 2026-09-13 did not clear the patient for stimulation.",
                "do not bill the stimulator as covered until the patient is cleared",
            )
        ],
    ),
    Case(
        "trial-ending-on-the-dos-is-finished",
        lambda: claim([EM, line("63685", pos="24")], evidence_changes=trial(0)),
        [],
    ),
    Case(
        "trial-ending-the-day-after-is-not",
        lambda: claim([EM, line("63685", pos="24")], evidence_changes=trial(-1)),
        [
            (
                "error",
                "scs.trial_before_permanent",
                2,
                "A permanent stimulator needs a completed trial first; no finished trial is recorded.",
                "record the trial in evidence.scs.trials (region, dates, percent relief)",
            )
        ],
    ),
    Case(
        "trial-relief-49-percent",
        lambda: claim([EM, line("63685", pos="24")], evidence_changes=trial(3, relief=49)),
        [
            (
                "error",
                "scs.trial_before_permanent",
                2,
                (
                    "A permanent stimulator needs at least 50% relief in the trial (or 50% less analgesics); "
                    "the trial gave 49% relief."
                ),
                "do not implant as covered; record the correct trial result if it was higher",
            )
        ],
    ),
    Case(
        "trial-relief-50-percent",
        lambda: claim([EM, line("63685", pos="24")], evidence_changes=trial(3, relief=50)),
        [],
    ),
    # ------------------------------------------------------------ coding: units, levels, modifiers
    Case(
        "esi-two-units-on-the-second-line",
        lambda: claim([EM, line("64483", ["RT"], units=2)]),
        [
            (
                "warning",
                "esi.units",
                2,
                "64483 adds up to 2 units on 2026-09-16; the unit limit per day is 1.",
                UNITS_FIX.format(n=1, code="64483"),
            )
        ],
    ),
    Case(
        "esi-three-tf-levels-points-at-the-third",
        lambda: claim([EM, line("64483", ["RT"]), line("64484", ["RT"]), line("64484", ["RT"])]),
        [
            (
                "error",
                "esi.tf_levels",
                4,
                (
                    "3 levels of transforaminal ESI in the lumbar/sacral region in one session; the policy allows "
                    "at most 2."
                ),
                (
                    "bill at most 2 level(s) per session; split further levels into another session only if "
                    "medically necessary"
                ),
            ),
            (
                "warning",
                "esi.units",
                4,
                "64484 adds up to 2 units on 2026-09-16; the unit limit per day is 1.",
                UNITS_FIX.format(n=1, code="64484"),
            ),
        ],
    ),
    Case(
        "bilateral-interlaminar-esi",
        lambda: claim([EM, line("62323", ["50"])]),
        [
            (
                "error",
                "esi.il_bilateral",
                2,
                (
                    "62323 is billed bilateral (modifier 50): bilateral interlaminar/caudal ESI is not reasonable "
                    "and necessary."
                ),
                "bill one side only (RT or LT) and document the side treated",
            )
        ],
    ),
    Case(
        "transforaminal-without-a-side",
        lambda: claim([EM, line("64483")]),
        [
            (
                "warning",
                "esi.tf_side",
                2,
                "64483 needs modifier RT, LT or 50: a transforaminal injection is on one side (RT/LT) or both (50).",
                "add modifier RT, LT or 50",
            )
        ],
    ),
    Case(
        "si-joint-rf-ablation",
        lambda: claim([EM, line("64625", ["RT"])]),
        [
            (
                "error",
                "si.rfa_not_covered",
                2,
                "64625 is SI joint radiofrequency ablation, which is not reasonable and necessary.",
                "remove the line; if it is still performed, add GA with a signed ABN (GZ without one)",
            )
        ],
    ),
    Case(
        "scs-three-leads",
        lambda: claim([EM, line("63650", units=3)], evidence_changes=TRIAL_LINE),
        [
            (
                "warning",
                "scs.leads",
                2,
                "63650 adds up to 3 units on 2026-09-16; the unit limit per day is 2.",
                UNITS_FIX.format(n=2, code="63650"),
            )
        ],
    ),
    # ------------------------------------------------------------ frequency and prior auth
    Case(
        "fifth-esi-in-365-days",
        lambda: claim([EM, line("64483", ["RT"])]),
        [
            (
                "error",
                "esi.frequency",
                2,
                (
                    "This would be ESI session 5 in the lumbar/sacral region within 365 days (earlier: 2025-11-20, "
                    "2026-02-28, 2026-06-08, 2026-08-17); the limit is 4."
                ),
                (
                    "a session is covered again from 2026-11-21 (when the one of 2025-11-20 leaves the window); "
                    "until then do not bill it as covered; with a signed ABN add modifier GA"
                ),
            ),
            (
                "error",
                "esi.repeat_relief",
                2,
                "A repeat ESI depends on the relief the 64483 on 2026-08-17 gave, and it is not recorded.",
                "record the percent relief and how long it lasted in evidence.prior_procedures",
            ),
        ],
        history(("64483", 300), ("64483", 200), ("62323", 100), ("64483", 30)),
    ),
    Case(
        "wiser-prior-auth-in-texas",
        lambda: claim([EM, line("64483", ["RT"])], state="TX"),
        [
            (
                "error",
                "esi.wiser_prior_auth_tx",
                2,
                (
                    "64483 needs prior authorization under the WISeR model (traditional Medicare) (place of "
                    "service 11, state TX); the claim has no authorization number."
                ),
                "request the authorization (278) and put its number (UTN) in prior_authorization",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_finding_is_pinned_whole(case: Case) -> None:
    result = engine.evaluate(case.make(), case.past, book())
    found = [
        (f.severity.value, f.rule_id, f.line, f.message, f.fix)
        for f in result.findings
        if not f.rule_id.startswith("documentation.")
    ]
    assert found == case.expected


def test_the_e_m_line_alone_draws_no_finding() -> None:
    """The first line of every case above is neutral, so a finding on line 1 is a wrong pointer."""
    result = engine.evaluate(claim([EM]), History(), book())
    assert result.findings == ()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),  # from the 31st into a 28-day month
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),  # ... into a leap February
        (dt.date(2024, 2, 29), 12, dt.date(2023, 2, 28)),  # from a leap day to a common year
        (dt.date(2028, 2, 29), 48, dt.date(2024, 2, 29)),  # leap day to leap day
        (dt.date(2026, 5, 31), 1, dt.date(2026, 4, 30)),  # 31st into a 30-day month
        (dt.date(2026, 1, 31), 1, dt.date(2025, 12, 31)),  # across the year
        (dt.date(2026, 12, 31), 6, dt.date(2026, 6, 30)),
        (dt.date(2026, 9, 16), 3, dt.date(2026, 6, 16)),  # the usual case: same day of month
        (dt.date(2026, 9, 16), 0, dt.date(2026, 9, 16)),
        (dt.date(2026, 3, 1), 1, dt.date(2026, 2, 1)),
    ],
)
def test_months_before_clamps_to_the_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert months_before(day, months) == expected


def test_every_case_date_is_relative_to_the_fixed_dos() -> None:
    assert dt.date(2026, 9, 16) == DOS
    assert days_before(0) == "2026-09-16" and days_before(-1) == "2026-09-17"


# Interval and relief boundaries, each pinned for the one rule it tests (other rules' findings on
# these claims are the business of their own cases).
ONE_RULE_CASES: list[tuple[str, Callable[[], Claim], History, str, list[Pinned]]] = [
    (
        "commercial-esi-29-days-after-the-last",
        lambda: claim([EM, line("64483", ["RT"])], state="MA", filing="BL"),
        history(("64483", 29)),
        "bcbsma.esi_interval",
        [
            (
                "error",
                "bcbsma.esi_interval",
                2,
                "An ESI only 29 days after the one on 2026-08-18; the policy needs at least 30 days.",
                "schedule it on or after 2026-09-17",
            )
        ],
    ),
    (
        "commercial-esi-30-days-after-the-last",
        lambda: claim([EM, line("64483", ["RT"])], state="MA", filing="BL"),
        history(("64483", 30)),
        "bcbsma.esi_interval",
        [],
    ),
    (
        "second-diagnostic-facet-block-13-days-after-the-first",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "prior_procedures": [prior("64493", 13, 85, 1, True)],
            },
        ),
        History(),
        "facet.second_diagnostic_interval",
        [
            (
                "error",
                "facet.second_diagnostic_interval",
                2,
                (
                    "A second diagnostic facet block only 13 days after the one on 2026-09-03; the policy needs "
                    "at least 14 days."
                ),
                "schedule it on or after 2026-09-17",
            )
        ],
    ),
    (
        "second-diagnostic-facet-block-14-days-after-the-first",
        lambda: claim(
            [EM, line("64493", ["RT", "KX"])],
            evidence_changes={
                "diagnostic_block": True,
                "prior_procedures": [prior("64493", 14, 85, 1, True)],
            },
        ),
        History(),
        "facet.second_diagnostic_interval",
        [],
    ),
    (
        "poor-responder-repeat-13-days-later-is-held",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"prior_procedures": [prior("64483", 13, 40, 10)]}
        ),
        history(("64483", 13)),
        "esi.repeat_relief",
        [
            (
                "error",
                "esi.repeat_relief",
                2,
                (
                    "A repeat ESI needs at least 50% relief from the 64483 on 2026-09-03; it gave 40% (a "
                    "poor-responder repeat needs at least 14 days)."
                ),
                "do not bill it as covered (GA with a signed ABN); record the correct relief if it was higher",
            )
        ],
    ),
    (
        "relief-lasting-60-days-is-short-of-3-months",
        lambda: claim(
            [EM, line("64483", ["RT"])], evidence_changes={"prior_procedures": [prior("64483", 120, 60, 60)]}
        ),
        history(("64483", 120)),
        "esi.repeat_relief",
        [
            (
                "error",
                "esi.repeat_relief",
                2,
                (
                    "A repeat ESI needs the relief from the 64483 on 2026-05-19 to last at least 3 months (90 days); "
                    "it was 60 days."
                ),
                "wait until the relief criterion is met",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("make", "past", "rule_id", "expected"),
    [case[1:] for case in ONE_RULE_CASES],
    ids=[case[0] for case in ONE_RULE_CASES],
)
def test_interval_and_relief_boundaries(
    make: Callable[[], Claim], past: History, rule_id: str, expected: list[Pinned]
) -> None:
    result = engine.evaluate(make(), past, book())
    found = [
        (f.severity.value, f.rule_id, f.line, f.message, f.fix)
        for f in result.findings
        if f.rule_id == rule_id
    ]
    assert found == expected


def test_poor_responder_repeat_after_14_days_is_not_held_by_the_relief_rule() -> None:
    """At exactly 14 days the poor-responder path applies: never the 'needs 50% relief' hold."""
    made = claim(
        [EM, line("64483", ["RT"])], evidence_changes={"prior_procedures": [prior("64483", 14, 40, 10)]}
    )
    result = engine.evaluate(made, history(("64483", 14)), book())
    found = [f for f in result.findings if f.rule_id == "esi.repeat_relief"]
    assert [(f.severity.value, f.line) for f in found] == [("warning", 2)]
    assert "needs at least 50% relief" not in found[0].message
