"""The one outbound path: screen -> batch -> build -> gate -> spool -> record (-> send).

Used by the daemon (gateway.pipeline.cycles: screening a chunk of received claims, then one
batch per clearinghouse per cycle, then sending), by ``gateway build 837p`` (the same steps for
the claims of one file, recorded as a batch of its own that rests at ``built``, made by an
operator) and by ``gateway demo`` (which runs the daemon's cycles).  The steps:

* screen (``screen_one``): prior authorization, payer rules, routing, documentation score;
  recorded by gateway.store.screening_ops as queued or held (``hold_claim``);
* build + gate (``build_gated``): control numbers are allocated (and committed) first, the file
  is built and must pass our checks and pyx12; a file that fails is never written and its
  control numbers stay burned, so they are never reused;
* spool: written 0600, atomically;
* record (gateway.store.batch_ops.record_batch_in): the claims queued -> built by a conditional
  UPDATE, their prior-authorization units taken by another, file and batch, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.domain.batch import BatchStatus
from gateway.domain.claim import Claim
from gateway.domain.status import Held, HoldKind
from gateway.errors import ClaimsHeld, ValidationFailed
from gateway.packet.completeness import review
from gateway.pipeline.screening import Screened, ScreenResult, screen_claim
from gateway.rules import RuleBook
from gateway.spool import write_atomic
from gateway.store.batch_ops import NewBatch
from gateway.store.control_numbers import ControlKind, allocate
from gateway.store.db import Store
from gateway.store.history import HistoryProvider
from gateway.store.screening_ops import BuildRefused, Verdict, record_operator_build
from gateway.transport import ClearinghouseProfile
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


# -- screen ------------------------------------------------------------------------------------


def route(payer_id: str, profiles: Mapping[str, ClearinghouseProfile]) -> str | None:
    """The clearinghouse that takes ``payer_id``: one that lists it, else one that lists none."""
    for name, profile in profiles.items():
        if payer_id in profile.payers:
            return name
    return next((name for name, profile in profiles.items() if not profile.payers), None)


def screen_one(
    claim: Claim,
    store: Store,
    book: RuleBook,
    history: HistoryProvider,
    profiles: Mapping[str, ClearinghouseProfile] | None,
    *,
    auths_on_file: bool = True,
) -> tuple[Screened, Verdict]:
    """Screen one claim: prior authorization, payer rules, then its clearinghouse (when routed).

    ``profiles`` None is an operator's own build: no clearinghouse takes the file.
    """
    screened = screen_claim(claim, store, book, history, auths_on_file=auths_on_file)
    completeness, _ = review(screened.claim, book, facts=screened.facts)
    held = screened.held_event() if screened.held else None
    reason = "\n".join(screened.reasons())
    clearinghouse = None
    if held is None and profiles is not None:
        clearinghouse = route(claim.payer.payer_id, profiles)
        if clearinghouse is None:
            held = Held(HoldKind.ROUTING, pack_version=screened.rules.pack_version)
            reason = f"no clearinghouse in the config takes payer id {claim.payer.payer_id}"
    changed = screened.claim is not claim
    verdict = Verdict(
        screened.rules.pack_version, screened.claim, changed, held, reason, clearinghouse, completeness
    )
    return screened, verdict


# -- an operator's build: gateway build 837p --------------------------------------------------


def build_837p_file(
    claims: Sequence[Claim],
    partners: TradingPartners,
    store: Store,
    out_path: Path,
    *,
    when: dt.datetime | None = None,
    actor: str = "operator",
    book: RuleBook,
    skip_held: bool = False,
) -> BuildOutcome:
    """Screen, then build, gate, write and record the ready claims as a batch of their own.

    Held claims are recorded with their reasons.  Unless ``skip_held``, any held claim stops
    the build (``ClaimsHeld``, nothing written; only the held claims are recorded, so no daemon
    sends the others); with it, the others are built without them.  The batch rests at
    ``built``: the file is at ``out_path`` and no daemon sends it (``gateway batches cancel``
    puts its claims on hold and gives their authorization units back).
    """
    history = HistoryProvider(store)
    screened, verdicts = ScreenResult(), []
    for claim in claims:
        item, verdict = screen_one(claim, store, book, history, None)
        (screened.held if item.held else screened.ready).append(item)
        verdicts.append(verdict)
    name = out_path.name
    if screened.held and not skip_held:
        record_operator_build(store, [v for v in verdicts if v.held is not None], name, None, actor)
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
        record_operator_build(store, verdicts, name, None, actor)
        return BuildOutcome(None, None, 0.0, screened)
    ready = [item.claim for item in screened.ready]
    gated = build_gated(ready, partners, store, str(out_path), when=when)
    control = gated.built.control
    write_atomic(out_path, gated.data)
    new = NewBatch(
        "", [], [], gated.built.transaction_claims, gated.data, str(out_path), name, partners.sender_id,
        partners.receiver_id, control.interchange, control.group, resting=BatchStatus.BUILT,
    )  # fmt: skip
    try:
        record_operator_build(store, verdicts, name, new, actor)
    except BuildRefused as refused:
        out_path.unlink(missing_ok=True)
        raise ClaimsHeld(
            f"{out_path}: not recorded, the file was removed: {refused}", [str(refused)]
        ) from None
    log.info("built %s: %d claim(s), ISA13 %09d", name, len(ready), control.interchange)
    return BuildOutcome(out_path, gated.built, gated.gate_seconds, screened)
