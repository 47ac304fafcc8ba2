"""278 005010X217 responses (BHT02 11) to the gateway's requests, decided by the auth policy.

A response repeats the request's HL tree (UMO > requester > subscriber > [dependent] > patient
event > services) with each party's NM1 only, echoes the request's trace numbers as ``TRN*2``
and its UM, dates, diagnoses, procedures and quantities, and adds the decision (``HCR``) right
after TRN/UM at the event and at every service level:

* certified: ``HCR*A1*<certification number>``;
* pended: ``HCR*A4`` and ``REF*NT`` (the reviewer's reference); the simulator certifies it
  in a second, unsolicited response ``pend_cycles`` cycles later;
* denied: ``HCR*A3**<reason>`` (HCR03 from code source 886, as the policy says).

The event decision sums up the services: all certified A1, all denied A3, any pended A4, else
A2 (certified in part).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gateway.simulator.policy import AuthPolicy
from gateway.simulator.submission import Submitted278
from gateway.x12 import envelope
from gateway.x12.writer import Element, SegmentWriter

IMPLEMENTATION = "005010X217"
FUNCTIONAL_ID = "HI"
CERTIFIED, PARTIAL, DENIED, PENDED = "A1", "A2", "A3", "A4"
# What a response keeps of each request level: NM1 for the parties, the review data for EV/SS.
_EVENT_KEEP = frozenset({"UM", "DTP", "HI", "SV1", "SV2", "SV3", "HSD", "NM1"})
_DATES_KEPT = frozenset({"AAH", "472"})


@dataclass(frozen=True)
class Decision:
    action: str
    certification: str | None = None
    reason: str | None = None
    reference: str | None = None  # REF*NT for a pended review


@dataclass
class _Level:
    code: str  # HL03
    rows: list[list[str]]
    procedure: str = ""


def _levels(request: Submitted278) -> tuple[list[str], list[_Level]]:
    bht: list[str] = []
    levels: list[_Level] = []
    for row in request.rows:
        if row[0] == "BHT":
            bht = row
        elif row[0] == "HL":
            levels.append(_Level(row[3] if len(row) > 3 else "", [row]))
        elif levels:
            levels[-1].rows.append(row)
            if row[0] in ("SV1", "SV2", "SV3") and not levels[-1].procedure:
                value = row[2 if row[0] == "SV2" else 1] if len(row) > 2 else ""
                parts = value.split(request.component)
                levels[-1].procedure = parts[1] if len(parts) > 1 else ""
    return bht, levels


def decide(procedure: str, policy: AuthPolicy, resolve_pended: bool) -> str:
    if procedure in policy.deny:
        return DENIED
    if procedure in policy.pend and not resolve_pended:
        return PENDED
    return CERTIFIED


def summary(actions: Sequence[str]) -> str:
    if not actions or all(a == CERTIFIED for a in actions):
        return CERTIFIED
    if all(a == DENIED for a in actions):
        return DENIED
    return PENDED if PENDED in actions else PARTIAL


class _Writer:
    def __init__(self, request: Submitted278, st02: str) -> None:
        self.w = SegmentWriter()
        self.component = request.component
        self.st02 = st02

    def row(self, row: Sequence[str]) -> None:
        elements: list[Element] = [
            tuple(value.split(self.component)) if self.component in value else value for value in row[1:]
        ]
        self.w.segment(row[0], *elements)

    def decision(self, decision: Decision) -> None:
        self.w.segment("HCR", decision.action, decision.certification or "", decision.reason or "")
        if decision.reference:
            self.w.segment("REF", "NT", decision.reference)

    def level(self, level: _Level, decision: Decision | None) -> None:
        self.row(level.rows[0])  # HL
        pending = decision
        for row in level.rows[1:]:
            seg_id = row[0]
            if seg_id == "NM1":
                if pending is not None:  # a level without UM/dates: the decision precedes 2010E/F
                    self.decision(pending)
                    pending = None
                self.row(row)
                continue
            if decision is None:
                continue  # party levels keep their NM1 only
            if seg_id == "TRN":
                self.w.segment("TRN", "2", *row[2:4])
                continue
            if seg_id not in _EVENT_KEEP or (seg_id == "DTP" and row[1] not in _DATES_KEPT):
                continue
            if pending is not None and seg_id != "UM":
                self.decision(pending)
                pending = None
            self.row(row)
        if pending is not None:
            self.decision(pending)


def build_278_response(
    request: Submitted278,
    policy: AuthPolicy,
    st02: str,
    when: dt.datetime,
    number: Callable[[str], str],
    resolve_pended: bool = False,
) -> tuple[str, str]:
    """One response transaction set (ST..SE) and its overall decision.

    ``number(kind)`` hands out certification ("CERT") and pended-review ("PEND") numbers.
    """
    bht, levels = _levels(request)
    procedures = [level.procedure for level in levels if level.code == "SS"]
    actions = [decide(procedure, policy, resolve_pended) for procedure in procedures]
    denial_reason = next(
        (policy.deny[p] for p, a in zip(procedures, actions, strict=True) if a == DENIED), None
    )
    overall = summary(actions)
    certification = number("CERT") if overall in (CERTIFIED, PARTIAL) else None
    pended_reference = number("PEND") if overall == PENDED else None
    out = _Writer(request, st02)
    envelope.open_transaction(out.w, "278", st02, IMPLEMENTATION)
    reference = bht[3] if len(bht) > 3 else request.control_number
    out.w.segment("BHT", "0007", "11", reference, when.strftime("%Y%m%d"), when.strftime("%H%M"), "18")
    services = iter(actions)
    for level in levels:
        if level.code == "EV":
            reason = denial_reason if overall == DENIED else None
            out.level(level, Decision(overall, certification, reason, pended_reference))
        elif level.code == "SS":
            action = next(services)
            out.level(
                level, _service_decision(action, level.procedure, policy, certification, pended_reference)
            )
        else:
            out.level(level, None)
    envelope.close_transaction(out.w, st02)
    return out.w.text(), overall


def _service_decision(
    action: str, procedure: str, policy: AuthPolicy, certification: str | None, pended: str | None
) -> Decision:
    if action == CERTIFIED:
        return Decision(CERTIFIED, certification)
    if action == DENIED:
        return Decision(DENIED, None, policy.deny.get(procedure))
    return Decision(PENDED, None, None, pended)
