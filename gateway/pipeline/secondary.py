"""Bill the next payer once a payer's 835 is recorded (secondary, then tertiary claims).

Two ways in, one sequence:
* the daemon's poll cycle calls ``queue_due`` after recording responses: every 835 claim event
  not yet looked at (a cursor in the store) whose claim names other coverage is answered with
  the next payer's claim, or with an event saying why not (crossover, denial, no coverage left);
* `gateway claims secondary PCN` calls ``bill_next_payer`` for one claim and reports refusals
  as errors (no 835 on file, already billed, crossover).
The sequence: the answered claim and its 835 detail from the store -> ``domain.cob`` makes the
next payer's claim (its adjudication in 2320/2430) -> a trial build through our checks and
pyx12 -> recorded ``received`` with a ``secondary`` link, so the daemon runs rules, routes it to
the next payer's clearinghouse and batches it like any claim.  A refusal records nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gateway.domain import cob
from gateway.domain.claim import Claim
from gateway.errors import GatewayError, InputError
from gateway.pipeline.corrections import trial_gate
from gateway.store import followups
from gateway.store.db import Store

log = logging.getLogger(__name__)
CURSOR = "secondary-claims"
ACTOR_AUTOMATIC = "daemon"


@dataclass(frozen=True)
class NextPayer:
    answered_id: int
    new_id: int
    payer_id: str
    responsibility: str


def _answer(store: Store, claim_id: int, event_id: int | None = None) -> cob.RemitAnswer | None:
    """The newest (or the given) 835 answer recorded for this row."""
    remits = followups.remit_details(store, claim_id)
    if event_id is not None:
        remits = [r for r in remits if r[0] == event_id]
    if not remits:
        return None
    _event_id, recorded, detail = remits[-1]
    return cob.answer_from_ledger(detail, recorded)


def _bill(store: Store, version: followups.ClaimVersion, answer: cob.RemitAnswer, actor: str) -> NextPayer:
    claim = Claim.model_validate_json(version.payload)
    billed = followups.followed_by(store, version.claim_id, "secondary")
    if billed is not None:
        raise InputError(
            f"claim {version.patient_control_number} (#{version.claim_id}) was already billed to its next "
            f"payer as #{billed}"
        )
    following = cob.next_payer_claim(claim, answer)
    trial_gate(
        following,
        f"the {following.subscriber.payer_responsibility.name.lower()} claim of {claim.patient_control_number}",
    )
    detail: dict[str, object] = {
        "answered_by": version.payer_id,
        "next_payer": following.payer.payer_id,
        "responsibility": following.subscriber.payer_responsibility.value,
        "paid_by_answering_payer": str(answer.paid),
    }
    new_id = followups.record_followup(store, version.claim_id, following, "secondary", actor, detail)
    return NextPayer(
        version.claim_id, new_id, following.payer.payer_id, following.subscriber.payer_responsibility.value
    )


def bill_next_payer(store: Store, pcn: str, actor: str) -> NextPayer:
    """`gateway claims secondary PCN`: the newest answered version of PCN, billed to its next payer."""
    version = followups.answered_version(store, pcn)
    answer = _answer(store, version.claim_id) if version is not None else None
    if version is None or answer is None:
        version = followups.newest_version(store, pcn)
        raise InputError(
            f"claim {pcn} (#{version.claim_id}): no 835 from payer {version.payer_id} is on file; the next "
            "payer's claim carries that payer's adjudication, so it waits for the 835"
        )
    return _bill(store, version, answer, actor)


@dataclass
class ScanReport:
    queued: int = 0
    stopped: int = 0


def queue_due(store: Store, actor: str = ACTOR_AUTOMATIC, limit: int = 500) -> ScanReport:
    """The daemon's step: answer every new 835 claim event of a claim with other coverage."""
    report = ScanReport()
    for event_id, claim_id in followups.new_remits(store, CURSOR, limit):
        version = followups.claim_version(store, claim_id)
        claim = Claim.model_validate_json(version.payload)
        answer = _answer(store, claim_id, event_id)
        if claim.other_coverage and answer is not None and cob.next_coverage(claim) is not None:
            _decide(store, version, claim, answer, actor, report)
        followups.advance_cursor(store, CURSOR, event_id)
    return report


def _decide(
    store: Store,
    version: followups.ClaimVersion,
    claim: Claim,
    answer: cob.RemitAnswer,
    actor: str,
    report: ScanReport,
) -> None:
    if answer.status_code in cob.FORWARDED:
        _stopped(store, version, "claim.crossover", {"reason": cob.crossover_reason(claim, answer),
                 "crossover_payer": answer.crossover_payer}, actor, report)  # fmt: skip
        return
    if answer.status_code not in cob.PROCESSED:
        reason = (
            f"payer {version.payer_id} denied the claim (CLP02 4): work the denial before billing the next payer"
            if answer.status_code == cob.DENIED
            else f"CLP02 {answer.status_code} is not an answer to bill the next payer on"
        )
        _stopped(store, version, "claim.next_payer_waits", {"reason": reason}, actor, report)
        return
    try:
        _bill(store, version, answer, actor)
        report.queued += 1
    except GatewayError as error:
        # The gate's findings name segments, amounts and codes, never patient data.
        detail: dict[str, object] = {"reason": str(error), "problems": getattr(error, "problems", [])[:10]}
        _stopped(store, version, "claim.next_payer_waits", detail, actor, report)


def _stopped(
    store: Store, version: followups.ClaimVersion, kind: str, detail: dict[str, object], actor: str,
    report: ScanReport,
) -> None:  # fmt: skip
    followups.record_claim_event(store, version.claim_id, kind, kind.split(".")[1], detail, actor)
    log.debug("claim row %s: next payer not billed (%s)", version.claim_id, kind)
    report.stopped += 1
