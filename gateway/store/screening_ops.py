"""Screening verdicts into the database: received -> queued or held, with the documentation score.

The pipeline decides (prior authorization, payer rules, routing: gateway.pipeline.outbound);
this module records a decision the same way for the daemon (a chunk of received claims, one
transaction, rows another daemon screens are skipped) and for an operator's ``gateway build
837p`` (its claims received, screened and taken into its own batch in one transaction).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus, Held
from gateway.store import batch_ops, documentation, intake_ops, repository
from gateway.store.auths import patients_with_auths
from gateway.store.db import Store
from gateway.store.schema import ClaimRow

if TYPE_CHECKING:
    from gateway.packet.completeness import Completeness


@dataclass(frozen=True)
class ReceivedClaim:
    """A claim waiting for screening, as the pipeline sees it."""

    claim_id: int
    payload: str
    # The patient has claims under other PCNs, so a history query can find something.
    returning: bool
    # The patient has an authorization on file, so an authorization query can find something.
    auths_on_file: bool = True


@dataclass(frozen=True)
class Verdict:
    """What screening decided for one claim."""

    pack_version: str
    claim: Claim  # as screened: REF*G1 filled when an authorization on file covers it
    changed: bool = False  # ``claim`` differs from the stored payload (store it)
    held: Held | None = None
    reason: str = ""  # the reason lines an operator reads, when held
    clearinghouse: str | None = None  # where the claim goes (None: an operator's own build)
    documentation: Completeness | None = None


def apply_verdict(session: Session, row: ClaimRow, verdict: Verdict, actor: str) -> bool:
    """Record one verdict on a received claim; True when the claim is now queued.

    The claim.queued events are left to the caller, which writes them in bulk.
    """
    row.rule_pack_version = verdict.pack_version
    if verdict.documentation is not None:
        documentation.record_claim_score(
            session, row.id, row.patient_control_number, verdict.documentation, verdict.pack_version
        )
    if verdict.held is not None:
        repository.hold_claim(session, row, verdict.held, verdict.reason, actor)
        return False
    if verdict.changed:
        row.payload = verdict.claim.model_dump_json()
    repository.move_claim(row, ClaimStatus.QUEUED)
    return True


def _queued_events(session: Session, queued: dict[str | None, list[int]], actor: str) -> None:
    for clearinghouse, ids in queued.items():
        detail: dict[str, object] = {"clearinghouse": clearinghouse} if clearinghouse else {}
        intake_ops.add_events(session, "claim.queued", ClaimStatus.QUEUED, ids, actor, detail)


def _queue_in_bulk(session: Session, rows: Sequence[tuple[ClaimRow, Verdict]]) -> None:
    """``apply_verdict`` for claims screening queued, as bulk statements (a chunk's worth).

    The same columns as ``apply_verdict`` writes, without a unit-of-work flush of each row and
    score object (a fifth of the daemon's screening CPU).  Received -> queued is always a move
    ``move_claim`` allows.
    """
    now = dt.datetime.now(dt.UTC)
    moves: dict[bool, list[dict[str, object]]] = {False: [], True: []}
    scores = []
    for row, verdict in rows:
        values: dict[str, object] = {"id": row.id, "rule_pack_version": verdict.pack_version}
        if verdict.changed:
            values["payload"] = verdict.claim.model_dump_json()
        moves[verdict.changed].append(values)
        if verdict.documentation is not None:
            scores.append(
                documentation.claim_score_columns(
                    row.id, row.patient_control_number, verdict.documentation, verdict.pack_version
                )
            )
    queued = {"status": ClaimStatus.QUEUED, "status_reason": None, "hold_kind": None, "updated_at": now}
    for group in moves.values():
        if group:
            session.execute(update(ClaimRow), [{**values, **queued} for values in group])
    if scores:
        session.execute(insert(documentation.DocumentationRecordRow), scores)


def screen_received(
    store: Store, limit: int, decide: Callable[[ReceivedClaim], Verdict], actor: str
) -> list[tuple[int, Verdict]]:
    """Screen up to ``limit`` received claims in one transaction; (claim id, verdict) for each."""
    with store.session() as session:
        rows = intake_ops.received_claims(session, limit)
        returning = intake_ops.patients_with_other_claims(session, rows)
        with_auths = patients_with_auths(session, [row.patient_key for row in rows])
        queued: dict[str | None, list[int]] = {}
        to_queue: list[tuple[ClaimRow, Verdict]] = []
        decided = []
        for row in rows:
            known = (row.patient_key, row.patient_control_number) in returning
            verdict = decide(ReceivedClaim(row.id, row.payload, known, row.patient_key in with_auths))
            if verdict.held is not None:
                apply_verdict(session, row, verdict, actor)
            else:
                to_queue.append((row, verdict))
                queued.setdefault(verdict.clearinghouse, []).append(row.id)
            decided.append((row.id, verdict))
        _queue_in_bulk(session, to_queue)
        _queued_events(session, queued, actor)
    return decided


class BuildRefused(Exception):
    """An operator's build cannot be recorded as it was built (nothing was recorded)."""


def record_operator_build(
    store: Store,
    verdicts: Sequence[Verdict],
    file_name: str,
    new: batch_ops.NewBatch | None,
    actor: str,
) -> int | None:
    """An operator's build in one transaction: the claims received, screened, and the ready ones
    taken into ``new`` (a batch of its own, resting at built); the batch id, None without one.

    ``new.claim_ids`` is filled here from the rows just stored.  Raises ``BuildRefused`` when a
    claim cannot go as built (an earlier version waits in an unsent batch; another claim took the
    last units of its authorization): nothing is recorded then.
    """
    with store.session() as session:
        stored = intake_ops.receive(session, [verdict.claim for verdict in verdicts], file_name, actor)
        queued: dict[str | None, list[int]] = {}
        ready: list[tuple[int, Claim]] = []
        for item, verdict in zip(stored, verdicts, strict=True):
            row = session.get(ClaimRow, item.claim_id)
            assert row is not None
            if row.status is not ClaimStatus.RECEIVED:
                pcn = verdict.claim.patient_control_number
                raise BuildRefused(f"claim {pcn}: {row.status_reason}")
            if apply_verdict(session, row, verdict, actor):
                queued.setdefault(None, []).append(row.id)
                ready.append((row.id, verdict.claim))
        _queued_events(session, queued, actor)
        if new is None or not ready:
            return None
        by_pcn = {claim.patient_control_number: (claim_id, claim) for claim_id, claim in ready}
        order = [by_pcn[pcn] for pcns in new.transaction_claims.values() for pcn in pcns]
        taken = dataclasses.replace(new, claim_ids=[i for i, _ in order], claims=[c for _, c in order])
        try:
            return batch_ops.record_batch_in(session, taken, actor)
        except batch_ops.UnitsGone as gone:
            raise BuildRefused(str(gone)) from None
