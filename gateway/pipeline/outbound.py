"""Claims to a gated 837P file in the outbound spool, recorded in the database.

Order matters for an operator's trust: control numbers are allocated (and committed) first,
the file is built and must pass our checks and pyx12, and only then is it written (0600,
atomically) and recorded together with its claims.  A file that fails the gate is never
written; its control numbers stay burned, so they are never reused.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus
from gateway.errors import ClaimsHeld, ValidationFailed
from gateway.packet import records as packet_records
from gateway.pipeline.screening import Screened, ScreenResult, screen_claims
from gateway.rules import RuleBook
from gateway.spool import write_atomic
from gateway.store import repository
from gateway.store.auths import consume
from gateway.store.control_numbers import ControlKind, allocate
from gateway.store.db import Store
from gateway.x12.build_837p import MAX_CLAIMS_PER_TRANSACTION, BuiltFile, build_837p
from gateway.x12.checks_837p import check_837p
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.gate import GateIssue
from gateway.x12.gate_pool import start_batch
from gateway.x12.reader import read_segments

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOutcome:
    path: Path | None  # None when every claim was held
    built: BuiltFile | None
    gate_seconds: float
    screened: ScreenResult


def allocate_control_numbers(store: Store, partners: TradingPartners, transactions: int) -> ControlNumbers:
    sender, receiver = partners.sender_id, partners.receiver_id
    interchange = allocate(store, sender, receiver, ControlKind.INTERCHANGE)[0]
    group = allocate(store, sender, receiver, ControlKind.GROUP)[0]
    first_transaction = allocate(store, sender, receiver, ControlKind.TRANSACTION, transactions)[0]
    return ControlNumbers(interchange, group, first_transaction)


def gate_issues(text: str) -> list[GateIssue]:
    """Our own 837P checks plus pyx12; empty means the file may leave."""
    finish_pyx12 = start_batch(text)  # a big file is walked by the pool while our checks run here
    issues = check_837p(read_segments(text.encode()))
    result = finish_pyx12()
    if result.fatal:
        issues.append(GateIssue("fatal", "pyx12", result.fatal))
    issues.extend(result.issues)
    return issues


def record_held(store: Store, held: Sequence[Screened], actor: str) -> None:
    with store.session() as session:
        for item in held:
            row = repository.upsert_claim(session, item.claim, ClaimStatus.RECEIVED)
            row.rule_pack_version = item.rules.pack_version
            repository.hold_claim(session, row, item.held_event(), "\n".join(item.reasons()), actor)


@dataclass(frozen=True)
class GatedFile:
    """A built 837P that passed our checks and pyx12; not yet written anywhere."""

    built: BuiltFile
    data: bytes
    gate_seconds: float


def build_gated(
    claims: Sequence[Claim],
    partners: TradingPartners,
    store: Store,
    where: str,
    *,
    when: dt.datetime | None = None,
) -> GatedFile:
    """Allocate control numbers, build and gate; raise ``ValidationFailed`` naming ``where``.

    Split from writing so the daemon can record a batch (and its remote name) in the same
    transaction that takes its claims, before anything is uploaded.
    """
    when = when or dt.datetime.now()
    transactions = -(-len(claims) // MAX_CLAIMS_PER_TRANSACTION)
    control = allocate_control_numbers(store, partners, transactions)
    built = build_837p(claims, partners, control, when)
    started = time.perf_counter()
    issues = gate_issues(built.text)
    gate_seconds = time.perf_counter() - started
    if issues:
        raise ValidationFailed(
            f"{where}: the built 837P failed the gate with {len(issues)} error(s); nothing was written",
            [str(issue) for issue in issues],
        )
    return GatedFile(built, built.text.encode("ascii"), gate_seconds)


def build_837p_file(
    claims: Sequence[Claim],
    partners: TradingPartners,
    store: Store,
    out_path: Path,
    *,
    when: dt.datetime | None = None,
    actor: str = "gateway",
    book: RuleBook,
    skip_held: bool = False,
) -> BuildOutcome:
    """Screen (auth + payer rules), then build, gate, write and record the ready claims.

    Held claims are recorded with their reasons.  Unless ``skip_held``, any held claim stops
    the build (``ClaimsHeld``, nothing written); with it, the others are built without them.
    """
    screened = screen_claims(claims, store, book)
    if screened.held:
        record_held(store, screened.held, actor)
        if not skip_held:
            problems = [
                f"claim {item.claim.patient_control_number}: {reason}"
                for item in screened.held
                for reason in item.reasons()
            ]
            raise ClaimsHeld(
                f"{len(screened.held)} of {len(claims)} claim(s) held by payer rules or prior authorization; "
                "nothing was built",
                problems,
            )
    if not screened.ready:
        return BuildOutcome(None, None, 0.0, screened)
    ready = [item.claim for item in screened.ready]
    gated = build_gated(ready, partners, store, str(out_path), when=when)
    built, data, control, gate_seconds = gated.built, gated.data, gated.built.control, gated.gate_seconds
    write_atomic(out_path, data)
    by_pcn = {item.claim.patient_control_number: item for item in screened.ready}
    with store.session() as session:
        links = []
        for st02, pcns in built.transaction_claims.items():
            for pcn in pcns:
                item = by_pcn[pcn]
                row = repository.upsert_claim(session, item.claim, ClaimStatus.QUEUED)
                row.rule_pack_version = item.rules.pack_version
                packet_records.record_claim(session, row.id, item.claim, book, item.rules.pack_version)
                links.append((row, st02))
                if item.auth is not None and not item.auth.held:
                    consume(session, item.auth)
        repository.record_outbound_file(
            session,
            kind="837P",
            path=str(out_path),
            data=data,
            sender_id=partners.sender_id,
            receiver_id=partners.receiver_id,
            interchange_control_number=f"{control.interchange:09d}",
            group_control_number=str(control.group),
            claims=links,
            actor=actor,
        )
    log.info("built %s: %d claim(s), ISA13 %09d", out_path.name, len(ready), control.interchange)
    return BuildOutcome(out_path, built, gate_seconds, screened)
