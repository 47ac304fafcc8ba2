"""The daemon's cycles: when each step of the outbound path (gateway.pipeline.outbound) runs.

* ``intake_cycle``: watched folder outbound/pending (claims JSON, gateway.pipeline.intake_folder)
  -> claims ``received`` -> ``screen_one`` (prior auth, payer rules, routing, documentation
  score) -> ``queued`` or ``held``, one chunk per transaction; file by file (a file's claims
  are screened before the next file is read).
* ``outbound_cycle``: per clearinghouse, build one batch from its queued claims -> pyx12 gate
  -> spool (0600, atomic) -> record batch + claims + their authorization units in one
  transaction; then send every
  ``spooled``/``sending`` batch: commit ``sending``, look on the server for the recorded remote
  name, upload only if it is not there, commit ``sent``.
* ``poll_cycle``: per clearinghouse, each response through ``gateway.pipeline.inbound.receive``
  (fetch -> hash once -> dedupe -> parse -> ledger -> 278 responses -> ack),
  then move batches forward from their claims' TA1/999/277CA statuses.

A step checks ``stop`` before it starts, so SIGTERM finishes the step in hand and nothing
more.  Each step is either one database transaction or one idempotent remote operation, so a
kill -9 between any two statements leaves a state the next run resumes without loss or repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.domain.claim import Claim
from gateway.domain.history import History
from gateway.domain.status import ClaimStatus
from gateway.errors import (
    ConfigError,
    GatewayError,
    PermanentTransportError,
    TemporaryTransportError,
    TransportError,
    ValidationFailed,
)
from gateway.pipeline import inbound, secondary
from gateway.pipeline.contact_backoff import contact_failed, contact_succeeded, may_contact, refresh_streaks
from gateway.pipeline.cycle_context import Context, CycleReport, timed
from gateway.pipeline.intake_folder import PENDING, take_pending_files
from gateway.pipeline.outbound import build_gated, gate_issues, route, screen_one
from gateway.pipeline.spool_copy import sendable_copy
from gateway.pipeline.stops import refresh_stops, stop_clearinghouse
from gateway.spool import write_atomic
from gateway.store import batch_ops, intake_ops, screening_ops
from gateway.store.batches import record_contact
from gateway.store.history import HistoryProvider
from gateway.store.screening_ops import ReceivedClaim, Verdict
from gateway.transport import ClearinghouseProfile, render_file_name
from gateway.x12.build_837p import build_837p
from gateway.x12.envelope import ControlNumbers, SubmitterIdentity, TradingPartners

log = logging.getLogger(__name__)
__all__ = [
    "PENDING", "Context", "CycleReport", "check_routing", "intake_cycle", "outbound_cycle", "partners_for", "poll_cycle", "route",
]  # fmt: skip


def check_routing(profiles: dict[str, ClearinghouseProfile]) -> None:
    """Every payer goes to one clearinghouse: no payer listed twice, at most one catch-all."""
    catch_all = [name for name, profile in profiles.items() if not profile.payers]
    if len(catch_all) > 1:
        raise ConfigError(
            f"clearinghouses {', '.join(catch_all)} list no payers: only one may take every other payer"
        )
    seen: dict[str, str] = {}
    for name, profile in profiles.items():
        for payer in profile.payers:
            if payer in seen:
                raise ConfigError(f"clearinghouses.{name}.payers: {payer} is already routed to {seen[payer]}")
            seen[payer] = name


# -- intake: watched folder, then auth + rules ------------------------------------------------


def intake_cycle(ctx: Context) -> CycleReport:
    with timed(CycleReport("intake")) as report:

        def screen_received() -> None:
            while not ctx.stop.is_set() and _screen_chunk(ctx, report):
                pass

        with ctx.lock("intake-folder") as got:
            if got:
                # Each file's claims are screened before the next file is read (as if each came
                # in a cycle of its own), so the claim cache holds one file's whole claims at a
                # time, not the folder's: 10,000 parsed claims are about 220 MB.
                take_pending_files(ctx, report, after_each=screen_received)
        screen_received()
    return report


class _NoHistory(HistoryProvider):
    """History of a patient with no other claim on file: empty, without a query."""

    def __init__(self) -> None:
        pass

    def for_claim(self, claim: Claim, procedure_codes: Iterable[str] | None = None) -> History:
        return History.empty()


_FIRST_VISIT = _NoHistory()


def _screen_chunk(ctx: Context, report: CycleReport) -> bool:
    """Screen up to one chunk of received claims in one transaction; False when none was left."""
    history = HistoryProvider(ctx.store)

    def decide(received: ReceivedClaim) -> Verdict:
        claim = ctx.claims.get(received.claim_id, received.payload)
        visits = history if received.returning else _FIRST_VISIT
        return screen_one(
            claim, ctx.store, ctx.book, visits, ctx.profiles, auths_on_file=received.auths_on_file
        )[1]

    decided = screening_ops.screen_received(ctx.store, ctx.limits.screen_chunk, decide, ctx.actor)
    for claim_id, verdict in decided:
        if verdict.held is not None:
            ctx.claims.drop(claim_id)  # parsed again if an operator releases it
            report.add("claims_held")
            continue
        report.add("claims_queued")
        # Changed: REF*G1 filled from an authorization on file (the row has the new payload).
        payload = verdict.claim.model_dump_json() if verdict.changed else None
        ctx.claims.keep_for_build(claim_id, verdict.claim, payload)
    return bool(decided)


# -- outbound: build one batch per clearinghouse, then send -----------------------------------


def outbound_cycle(ctx: Context, *, send: bool = True) -> CycleReport:
    with timed(CycleReport("outbound")) as report:
        refresh_stops(ctx, report)
        refresh_streaks(ctx, report)
        for name in ctx.profiles:
            if ctx.stop.is_set():
                break
            with ctx.lock(f"build:{name}") as got:
                if got:
                    _build_batch(ctx, name, report)
            if send and not ctx.stop.is_set() and name not in ctx.stopped and may_contact(ctx, name):
                _send_batches(ctx, name, report)
        # What is still waiting, for the health line (an operator's first question).
        report.counts["claims_waiting"] = batch_ops.count_claims(ctx.store, ClaimStatus.QUEUED)
        report.counts["batches_waiting"] = sum(
            len(batch_ops.batches_to_send(ctx.store, n)) for n in ctx.profiles
        )
    return report


@dataclass(frozen=True)
class Queued:
    claim_id: int
    claim: Claim


def _unique_pcns(queued: list[Queued]) -> list[Queued]:
    """One claim per PCN in a file (two billing NPIs may share one): the next cycle takes the other."""
    seen: set[str] = set()
    chosen = []
    for item in queued:
        if item.claim.patient_control_number not in seen:
            seen.add(item.claim.patient_control_number)
            chosen.append(item)
    return chosen


def partners_for(profile: ClearinghouseProfile) -> TradingPartners:
    """The envelope and 1000A/1000B identity of files for ``profile``, from its ``identity:``."""
    identity = profile.identity
    return TradingPartners(
        sender_id=identity.isa_sender_id,
        receiver_id=identity.isa_receiver_id,
        sender_qualifier=identity.isa_sender_qualifier,
        receiver_qualifier=identity.isa_receiver_qualifier,
        application_sender=identity.gs_sender_code,
        application_receiver=identity.gs_receiver_code,
        identity=SubmitterIdentity(
            submitter_id=identity.submitter_id,
            submitter_name=identity.submitter_name,
            contact_name=identity.contact_name,
            contact_phone=identity.contact_phone,
            contact_email=identity.contact_email,
            receiver_name=identity.receiver_name,
            receiver_id=identity.receiver_id,
        ),
        usage=identity.usage_indicator,
    )


def _build_batch(ctx: Context, name: str, report: CycleReport) -> None:
    profile = ctx.profiles[name]
    others = frozenset(p for other, prof in ctx.profiles.items() if other != name for p in prof.payers)
    payers = frozenset(profile.payers) if profile.payers else None
    queued = [
        Queued(claim_id, ctx.claims.for_build(claim_id, payload))
        for claim_id, payload in batch_ops.queued_claims(
            ctx.store, payers, others, ctx.limits.max_claims_per_batch
        )
    ]
    queued = _unique_pcns(queued)
    partners = partners_for(profile)
    while queued and not ctx.stop.is_set():
        when = dt.datetime.now()
        try:
            gated = build_gated(
                [q.claim for q in queued], partners, ctx.store, f"clearinghouse {name}", when=when
            )
        except GatewayError as error:
            report.errors.append(f"{name}: {error}")
            for problem in error.problems[:20]:
                log.debug("clearinghouse %s: build problem: %s", name, problem)  # may quote data: DEBUG only
            if isinstance(error, ValidationFailed):
                report.add("claims_held", _hold_gate_failures(ctx, queued, partners, when))
            return
        if len(gated.data) > ctx.limits.max_file_bytes and len(queued) > 1:
            queued = queued[: len(queued) // 2]  # too big: fewer claims (these numbers stay burned)
            continue
        report.add("gate_ms", int(gated.gate_seconds * 1000))
        control = gated.built.control
        remote_name = render_file_name(profile, control.interchange, when)
        spool = ctx.outbound / name / remote_name
        write_atomic(spool, gated.data)
        new = batch_ops.NewBatch(
            name, [q.claim_id for q in queued], [q.claim for q in queued], gated.built.transaction_claims,
            gated.data, str(spool), remote_name, partners.sender_id, partners.receiver_id, control.interchange,
            control.group,
        )  # fmt: skip
        recorded = batch_ops.record_batch(ctx.store, new, ctx.actor)
        if recorded.batch_id is None:
            spool.unlink(missing_ok=True)  # a claim was held or taken meanwhile: next cycle rebuilds
            report.add("batches_abandoned")
            if recorded.short_of_units is not None:  # its authorization ran out since screening
                intake_ops.hold_short_of_units(ctx.store, *recorded.short_of_units, ctx.actor)
                report.add("claims_held")
        else:
            report.add("batches_built")
            report.add("claims_batched", len(queued))
        return


def _hold_gate_failures(
    ctx: Context, queued: list[Queued], partners: TradingPartners, when: dt.datetime
) -> int:
    """Find the claims that fail the gate on their own and hold them, so the rest can go.

    Trial builds use placeholder control numbers (nothing is allocated or written); without
    this, one bad claim would fail its whole batch on every cycle.
    """
    trial = ControlNumbers(1, 1, 1)
    failing = []
    for item in queued:
        issues = gate_issues(build_837p([item.claim], partners, trial, when).text)
        if issues:
            failing.append((item.claim_id, [str(issue) for issue in issues]))
    intake_ops.hold_claims(ctx.store, failing, ctx.actor)
    return len(failing)


def _send_batches(ctx: Context, name: str, report: CycleReport) -> None:
    for batch_id in batch_ops.batches_to_send(ctx.store, name):
        if ctx.stop.is_set():
            return
        with ctx.lock(f"send:{batch_id}") as got:
            if not got:
                continue  # another daemon is uploading it right now
            try:
                _send_one(ctx, name, batch_id, report)
            except PermanentTransportError as error:
                batch_ops.mark_failed(ctx.store, batch_id, str(error), ctx.actor)
                stop_clearinghouse(ctx, name, error, report)
                return
            except TemporaryTransportError as error:
                contact_failed(ctx, name, error, report)  # the next contact waits (backs off)
                return  # stays 'sending': the next contact looks on the server and resumes
            except TransportError as error:
                record_contact(ctx.store, name, str(error))
                report.errors.append(f"{name}: {error}")
                return  # stays 'sending': the next cycle looks on the server and resumes


def _send_one(ctx: Context, name: str, batch_id: int, report: CycleReport) -> None:
    batch = batch_ops.begin_sending(ctx.store, batch_id, ctx.actor)
    if batch is None:
        return
    transport = ctx.transport(name)
    on_server = transport.uploaded_size(batch.remote_name)
    if on_server is None:
        local, problem = sendable_copy(ctx, name, batch)
        if local is None:
            batch_ops.mark_failed(ctx.store, batch_id, problem, ctx.actor)
            report.errors.append(f"{name}: batch {batch_id}: {problem}")
            return
        receipt = transport.send(local, batch.remote_name)
        batch_ops.mark_sent(ctx.store, batch_id, receipt.remote_path, False, ctx.actor)
        report.add("batches_sent")
    elif on_server == batch.size:
        # Uploaded by a run that died before recording it: record, do not send twice.
        batch_ops.mark_sent(ctx.store, batch_id, batch.remote_name, True, ctx.actor)
        report.add("batches_found_on_server")
    else:
        reason = f"{batch.remote_name} is on the server with {on_server} bytes, ours has {batch.size}"
        batch_ops.mark_failed(ctx.store, batch_id, reason, ctx.actor)
        report.errors.append(f"{name}: batch {batch_id}: {reason}")
        return
    contact_succeeded(ctx, name)


# -- poll: responses into the ledger, then batch statuses -------------------------------------


def poll_cycle(ctx: Context) -> CycleReport:
    with timed(CycleReport("poll")) as report:
        refresh_stops(ctx, report)
        refresh_streaks(ctx, report)
        for name in ctx.profiles:
            if ctx.stop.is_set():
                break
            with ctx.lock(f"poll:{name}") as got:
                if got and name not in ctx.stopped and may_contact(ctx, name):
                    _poll_one(ctx, name, report)
        if not ctx.stop.is_set():
            report.add("batches_moved", batch_ops.refresh_acknowledgements(ctx.store, ctx.actor))
        if not ctx.stop.is_set():
            with ctx.lock("secondary-claims") as got:
                if got:  # recorded 835s -> the next payer's claims (gateway.pipeline.secondary)
                    scan = secondary.queue_due(ctx.store, ctx.actor)
                    report.add("secondary_claims_queued", scan.queued)
    return report


def _poll_one(ctx: Context, name: str, report: CycleReport) -> None:
    transport = ctx.transport(name)
    try:
        for remote in transport.list_responses():
            if ctx.stop.is_set():
                return
            received = inbound.receive(
                ctx.store, transport, remote, ctx.inbound, max_bytes=ctx.limits.max_inbound_bytes
            )
            report.add(f"responses_{received.outcome}")
            if received.duplicate_payments:
                report.add("payments_resent", received.duplicate_payments)
            if received.resent_answers:
                report.add("answers_resent", received.resent_answers)
            if received.problem:
                report.errors.append(received.problem)
        contact_succeeded(ctx, name)
    except PermanentTransportError as error:
        stop_clearinghouse(ctx, name, error, report)
    except TemporaryTransportError as error:
        contact_failed(ctx, name, error, report)  # the next contact waits (backs off)
    except TransportError as error:
        record_contact(ctx.store, name, str(error))
        report.errors.append(f"{name}: {error}")
