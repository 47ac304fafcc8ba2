"""Worklist rows from recorded 835 answers (pure: the store and the rule book are passed in).

A row is one claim line with at least one adjustment that is not routine (payer_configs/
denials.yaml ``routine``: contractual, deductible, coinsurance ...), or the claim itself when
the payer denied at claim level only.  Its main CARC is the largest such adjustment; the CARC's
category gives the next action and the rule kinds that would have caught it, and the payer's
limits give the days left to file a corrected claim and to appeal.  An action whose deadline
has passed becomes "write off".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from gateway.domain.claim import AdjustmentAmount, Claim
from gateway.domain.cob import RemitAnswer
from gateway.inbound import codes
from gateway.worklist.config import DenialConfig, Limit, PayerLimits

UNCATEGORISED, REVIEW = "uncategorised", "review"
APPEAL_ACTIONS = frozenset({"appeal with the documentation packet"})
FILING_ACTIONS = frozenset({"correct and resubmit"})


@dataclass(frozen=True)
class Answered:
    """One recorded 835 claim answer and the claim it answers (None when never sent by us)."""

    patient_control_number: str
    claim_id: int | None
    claim: Claim | None
    answer: RemitAnswer


@dataclass(frozen=True)
class RuleRef:
    rule_id: str
    source: str
    status: str
    fires: (
        bool  # True: it fires on the claim as sent (it would have held or warned); False: it checks the code
    )


@dataclass(frozen=True)
class Deadline:
    name: str
    due: str
    days_left: int
    source: str
    verified: bool


@dataclass(frozen=True)
class WorklistRow:
    patient_control_number: str
    claim_id: int | None
    payer: str
    line: int | None  # the 835 service line (1-based); None for a claim-level denial
    procedure: str
    service_date: str
    charge: str
    paid: str
    denied: str
    carcs: tuple[dict[str, str], ...]
    rarcs: tuple[dict[str, str], ...]
    category: str
    rule: RuleRef | None
    filing: Deadline | None
    appeal: Deadline | None
    next_action: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["carcs"], data["rarcs"] = list(self.carcs), list(self.rarcs)
        return data


RuleFinder = Callable[[Claim, str, frozenset[str]], RuleRef | None]
LimitsFinder = Callable[[Claim | None], PayerLimits | None]


def _deadline(
    limit: Limit | None, limits: PayerLimits, anchor_day: dt.date | None, today: dt.date
) -> Deadline | None:
    if limit is None or anchor_day is None:
        return None
    due = anchor_day + dt.timedelta(days=limit.days)
    return Deadline(limit.name, due.isoformat(), (due - today).days, limits.source, limits.verified)


def _service_date(claim: Claim | None, procedure: str, taken: set[int]) -> dt.date | None:
    if claim is None:
        return None
    for number, line in enumerate(claim.service_lines):
        if number not in taken and line.procedure_code == procedure:
            taken.add(number)
            return line.service_date
    return claim.first_service_date


def worklist_rows(
    answered: list[Answered],
    config: DenialConfig,
    today: dt.date,
    find_rule: RuleFinder,
    find_limits: LimitsFinder,
) -> list[WorklistRow]:
    rows: list[WorklistRow] = []
    for item in answered:
        answer = item.answer
        taken: set[int] = set()
        made = 0
        for number, line in enumerate(answer.lines, start=1):
            denials = _denials(line.adjustments, config)
            if not denials:
                continue
            day = _service_date(item.claim, line.procedure, taken)
            rows.append(_row(item, config, today, find_rule, find_limits, number, line.procedure, day,
                             line.charge, line.paid, denials, line.remarks + answer.remarks))  # fmt: skip
            made += 1
        denials = _denials(answer.adjustments, config)
        if denials and (made == 0 or not answer.lines):
            day = item.claim.first_service_date if item.claim is not None else None
            procedure = item.claim.service_lines[0].procedure_code if item.claim is not None else ""
            rows.append(_row(item, config, today, find_rule, find_limits, None, procedure, day,
                             answer.charge, answer.paid, denials, answer.remarks))  # fmt: skip
    return sorted(rows, key=lambda r: (_urgency(r), r.patient_control_number, r.line or 0))


def _urgency(row: WorklistRow) -> int:
    days = [d.days_left for d in (row.filing, row.appeal) if d is not None]
    return min(days) if days else 10**6


def _denials(adjustments: tuple[AdjustmentAmount, ...], config: DenialConfig) -> list[AdjustmentAmount]:
    return [a for a in adjustments if a.reason not in config.routine and a.amount != 0]


def _row(
    item: Answered,
    config: DenialConfig,
    today: dt.date,
    find_rule: RuleFinder,
    find_limits: LimitsFinder,
    line: int | None,
    procedure: str,
    service_day: dt.date | None,
    charge: Decimal,
    paid: Decimal,
    denials: list[AdjustmentAmount],
    remarks: tuple[str, ...],
) -> WorklistRow:
    main = max(denials, key=lambda a: a.amount)
    category_name = config.category_of(main.reason)
    category = config.categories.get(category_name) if category_name else None
    action = category.next_action if category is not None else REVIEW
    rule = None
    kinds = config.rule_kinds(main.reason, category) if category is not None else frozenset()
    if kinds and item.claim is not None and procedure:
        rule = find_rule(item.claim, procedure, kinds)
    limits = find_limits(item.claim)
    filing = appeal = None
    if limits is not None:
        anchors = {"service_date": service_day, "remittance": item.answer.payment_date}
        filing = _deadline(
            limits.filing, limits, anchors[limits.filing.anchor] if limits.filing else None, today
        )
        appeal = _deadline(
            limits.appeal, limits, anchors[limits.appeal.anchor] if limits.appeal else None, today
        )
    if action in FILING_ACTIONS and filing is not None and filing.days_left < 0:
        action = "write off"
    if action in APPEAL_ACTIONS and appeal is not None and appeal.days_left < 0:
        action = "write off"
    return WorklistRow(
        patient_control_number=item.patient_control_number,
        claim_id=item.claim_id,
        payer=item.answer.payer_name or item.answer.payer_id,
        line=line,
        procedure=procedure,
        service_date=service_day.isoformat() if service_day else "",
        charge=str(charge),
        paid=str(paid),
        denied=str(sum((a.amount for a in denials), Decimal(0))),
        carcs=tuple(
            {
                "group": a.group,
                "reason": a.reason,
                "text": codes.describe_carc(a.reason),
                "amount": str(a.amount),
            }
            for a in denials
        ),
        rarcs=tuple({"code": code, "text": codes.describe_rarc(code)} for code in dict.fromkeys(remarks)),
        category=category_name or UNCATEGORISED,
        rule=rule,
        filing=filing,
        appeal=appeal,
        next_action=action,
    )
