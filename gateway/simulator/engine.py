"""One simulator cycle: answer what is due, then everything uploaded since the last cycle.

The simulator talks to its folders through a ``Transport`` turned around (``mirrored``): what
the gateway calls its upload folder is where the simulator lists and fetches, and what the
gateway calls its response folder is where the simulator sends.  So a local folder pair and an
SFTP account are served by the same code, with the same guarantees (complete files only,
in-flight ``*.tmp`` uploads ignored, responses appear by rename).

A cycle:

1. pended 278 reviews that are due are certified (a second 278 response),
2. accepted claims that are due are adjudicated into 835s (one interchange per trading
   partner, one 835 per payer and payee),
3. each upload is screened (TA1), acknowledged (999) and answered (277CA, 278 response),
4. responses are written to the work folder and listed in the state's outbox, the state is
   saved, then they are sent (each leaves the outbox once the transport confirms it), and
   only then are the uploads removed.

So a crash never loses or doubles anything: unsent responses are sent by the next cycle, and
an upload already answered (the state keeps its name and hash until it is removed) is only
removed, not answered again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from gateway.simulator import acks, auth_response, claim_status, remittance
from gateway.simulator.adjudication import PaidClaim, adjudicate
from gateway.simulator.policy import SimulatorPolicy
from gateway.simulator.screening import Screened, screen
from gateway.simulator.state import PendingClaim, PendingReview, SimulatorState, load_state, save_state
from gateway.simulator.submission import Parties, Submitted278, read_278, read_837
from gateway.spool import write_atomic
from gateway.transport.base import RemoteFile, Transport

log = logging.getLogger(__name__)
CLEARINGHOUSE_NAME = "SIMULATED CLEARINGHOUSE"
REQUEST_PURPOSE = "13"


@dataclass
class CycleReport:
    """What one cycle did, by file and by claim, for the CLI's progress lines and the tests."""

    cycle: int
    received: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return not self.received and not self.sent


class Simulator:
    def __init__(
        self,
        transport: Transport,
        work_dir: Path,
        policy: SimulatorPolicy,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        self.transport = transport
        self.work_dir = work_dir
        self.policy = policy
        self.clock = clock

    def run_cycle(self) -> CycleReport:
        state = load_state(self.work_dir)
        state.cycle += 1
        report = CycleReport(state.cycle)
        when = self.clock().replace(microsecond=0)
        outputs: list[tuple[str, str]] = []
        outputs += self._due_reviews(state, when, report)
        outputs += self._due_remittances(state, when, report)
        handled: list[RemoteFile] = []
        for remote in self.transport.list_responses():  # mirrored: the gateway's uploads
            landed = self.transport.fetch(remote, self.work_dir / "received")
            handled.append(remote)
            if state.answered.get(remote.name) == landed.sha256:
                continue  # answered by a cycle that stopped before removing it
            report.received.append(remote.name)
            outputs += self._answer(landed.local_path.read_bytes(), remote.name, state, when, report)
            state.answered[remote.name] = landed.sha256
        for name, text in outputs:
            write_atomic(self.work_dir / "sent" / name, text.encode("ascii"))
            state.outbox.append(name)
        save_state(self.work_dir, state)
        while state.outbox:
            name = state.outbox[0]
            self.transport.send(self.work_dir / "sent" / name, name)
            report.sent.append(name)
            state.outbox.pop(0)
            save_state(self.work_dir, state)
        for remote in handled:
            self.transport.ack(remote)
            state.answered.pop(remote.name, None)
        save_state(self.work_dir, state)
        return report

    # --- uploads ---------------------------------------------------------------------------

    def _answer(
        self, data: bytes, name: str, state: SimulatorState, when: dt.datetime, report: CycleReport
    ) -> list[tuple[str, str]]:
        stem = name.removesuffix(".x12")
        counters = _counters(state)
        seen = set(state.accepted_interchanges)
        screened = screen(data, self.policy.clearinghouse_id, seen)
        if screened.rejection is not None:
            ta1 = acks.ta1_segment(
                screened.isa13, screened.isa_date, screened.isa_time, "R", screened.rejection
            )
            report.events.append(
                f"{name}: interchange rejected, TA1 {screened.rejection} ({screened.reason})"
            )
            log.info("simulator: %s rejected with TA1 %s", name, screened.rejection)
            return [(f"{stem}.ta1.x12", acks.interchange(screened.parties, counters, when, "", "", [], ta1))]
        state.remember_interchange(f"{screened.sender_key}:{screened.isa13}")
        assert screened.gate is not None
        ack = acks.rebuild_999(screened.gate.ack_999 or "", counters)
        if self._front_end_edit(screened, state):
            ack = acks.front_end_rejection(screened.segments, counters)
            report.events.append(f"{name}: rejected by the front-end edit (policy reject_first_batches)")
        ta1 = (
            acks.ta1_segment(screened.isa13, screened.isa_date, screened.isa_time, "A", "000")
            if screened.ack_requested
            else ""
        )
        out: list[tuple[str, str]] = []
        if ack.bodies or ta1:
            text = acks.interchange(
                screened.parties, counters, when, acks.ACK_FUNCTIONAL_ID, acks.ACK_VERSION, ack.bodies, ta1
            )
            out.append((f"{stem}.999.x12", text))
        for (group, control), code in sorted(ack.verdicts.items()):
            report.events.append(f"{name}: transaction {control} of group {group}: 999 {code}")
        out += self._claim_statuses(screened, ack, name, stem, state, when, report)
        out += self._auth_responses(screened, ack, name, stem, state, when, report)
        return out

    def _front_end_edit(self, screened: Screened, state: SimulatorState) -> bool:
        """True for the first ``reject_first_batches`` uploads that carry 837 transactions."""
        if not any(seg.id == "ST" and seg[1] == "837" for seg in screened.segments):
            return False
        if state.counters.get("front_end_rejections", 0) >= self.policy.reject_first_batches:
            return False
        state.next("front_end_rejections")
        return True

    def _claim_statuses(
        self,
        screened: Screened,
        ack: acks.Ack999,
        name: str,
        stem: str,
        state: SimulatorState,
        when: dt.datetime,
        report: CycleReport,
    ) -> list[tuple[str, str]]:
        bodies = []
        due = state.cycle + self.policy.remit_delay_cycles
        for transaction in read_837(screened.segments):
            if not ack.accepted(transaction.group_control_number, transaction.control_number):
                continue
            verdicts = claim_status.judge(transaction, self.policy, lambda: _claim_number(state, when))
            clearinghouse = (CLEARINGHOUSE_NAME, screened.parties.sender_id)
            bodies.append(
                claim_status.build_277ca(
                    transaction,
                    verdicts,
                    f"{state.next('transaction'):04d}",
                    clearinghouse,
                    when,
                    when.date(),
                )
            )
            for verdict in verdicts:
                pcn = verdict.claim.patient_control_number
                if verdict.rejection is not None:
                    rule = verdict.rejection
                    report.events.append(
                        f"{name}: claim {pcn}: 277CA {rule.category}:{rule.status}:{rule.entity}"
                    )
                    continue
                assert verdict.payer_claim_number is not None
                state.pending_claims.append(
                    PendingClaim(
                        claim=verdict.claim,
                        payer_claim_number=verdict.payer_claim_number,
                        parties=screened.parties,
                        due_cycle=due,
                    )
                )
                report.events.append(f"{name}: claim {pcn}: 277CA A2:20, 835 due in cycle {due}")
        if not bodies:
            return []
        text = acks.interchange(
            screened.parties,
            _counters(state),
            when,
            claim_status.FUNCTIONAL_ID,
            claim_status.IMPLEMENTATION,
            bodies,
        )
        return [(f"{stem}.277ca.x12", text)]

    def _auth_responses(
        self,
        screened: Screened,
        ack: acks.Ack999,
        name: str,
        stem: str,
        state: SimulatorState,
        when: dt.datetime,
        report: CycleReport,
    ) -> list[tuple[str, str]]:
        bodies = []
        for request in read_278(screened.segments):
            accepted = ack.accepted(request.group_control_number, request.control_number)
            if not accepted or request.purpose != REQUEST_PURPOSE:
                continue
            body, decision = self._review(request, state, when, resolve_pended=False)
            bodies.append(body)
            report.events.append(f"{name}: 278 {request.control_number}: {decision}")
            if decision == auth_response.PENDED and self.policy.auth.pend_cycles:
                due = state.cycle + self.policy.auth.pend_cycles
                state.pending_reviews.append(
                    PendingReview(request=request, parties=screened.parties, due_cycle=due)
                )
        if not bodies:
            return []
        text = acks.interchange(
            screened.parties, _counters(state), when, auth_response.FUNCTIONAL_ID,
            auth_response.IMPLEMENTATION, bodies,
        )  # fmt: skip
        return [(f"{stem}.278.x12", text)]

    def _review(
        self, request: Submitted278, state: SimulatorState, when: dt.datetime, resolve_pended: bool
    ) -> tuple[str, str]:
        def number(kind: str) -> str:
            return f"{kind}{when:%y%m%d}{state.next(kind):05d}"

        st02 = f"{state.next('transaction'):04d}"
        return auth_response.build_278_response(
            request, self.policy.auth, st02, when, number, resolve_pended=resolve_pended
        )

    # --- what is due -------------------------------------------------------------------------

    def _due_reviews(
        self, state: SimulatorState, when: dt.datetime, report: CycleReport
    ) -> list[tuple[str, str]]:
        due = [review for review in state.pending_reviews if review.due_cycle <= state.cycle]
        state.pending_reviews = [review for review in state.pending_reviews if review.due_cycle > state.cycle]
        by_parties: dict[str, tuple[Parties, list[str]]] = {}
        for review in due:
            body, decision = self._review(review.request, state, when, resolve_pended=True)
            by_parties.setdefault(review.parties.model_dump_json(), (review.parties, []))[1].append(body)
            report.events.append(f"278 {review.request.control_number}: pended review decided: {decision}")
        out: list[tuple[str, str]] = []
        for parties, bodies in by_parties.values():
            text = acks.interchange(
                parties,
                _counters(state),
                when,
                auth_response.FUNCTIONAL_ID,
                auth_response.IMPLEMENTATION,
                bodies,
            )
            out.append((f"auth_{state.cycle:04d}_{len(out) + 1}.278.x12", text))
        return out

    def _due_remittances(
        self, state: SimulatorState, when: dt.datetime, report: CycleReport
    ) -> list[tuple[str, str]]:
        due = [pending for pending in state.pending_claims if pending.due_cycle <= state.cycle]
        state.pending_claims = [
            pending for pending in state.pending_claims if pending.due_cycle > state.cycle
        ]
        partners: dict[str, tuple[Parties, dict[tuple[str, str], list[PaidClaim]]]] = {}
        for pending in due:
            paid = self._adjudicate(pending, state)
            claim = pending.claim
            groups = partners.setdefault(pending.parties.model_dump_json(), (pending.parties, {}))[1]
            groups.setdefault((claim.payer_id, claim.provider_npi), []).append(paid)
            outcome = "denied" if paid.denied else f"paid {remittance.money(paid.paid)}"
            reasons = sorted({f"{a.group}-{a.reason}" for line in paid.lines for a in line.adjustments}
                             | {f"{a.group}-{a.reason}" for a in paid.adjustments})  # fmt: skip
            report.events.append(
                f"claim {claim.patient_control_number}: 835 {outcome} ({', '.join(reasons)})"
            )
        out: list[tuple[str, str]] = []
        for parties, groups in partners.values():
            bodies = [self._remit(claims, state, when) for claims in groups.values()]
            text = acks.interchange(
                parties, _counters(state), when, remittance.FUNCTIONAL_ID, remittance.IMPLEMENTATION, bodies
            )
            out.append((f"era_{state.cycle:04d}_{len(out) + 1}.835.x12", text))
        return out

    def _adjudicate(self, pending: PendingClaim, state: SimulatorState) -> PaidClaim:
        claim = pending.claim
        key = state.subscriber_key(claim.payer_id, claim.member_id)
        met = state.deductible_met.get(key, Decimal(0))
        left = max(Decimal(0), self.policy.adjudication.deductible - met)
        paid, used = adjudicate(claim, pending.payer_claim_number, self.policy, left)
        if used:
            state.deductible_met[key] = met + used
        return paid

    def _remit(self, claims: list[PaidClaim], state: SimulatorState, when: dt.datetime) -> str:
        state.remittances += 1
        every = self.policy.provider_adjustment_every
        adjustments = []
        if every and state.remittances % every == 0:
            paid_total = sum((claim.paid for claim in claims), Decimal(0))
            reference = f"RECOUP{state.remittances:05d}"
            adjustments.append(
                remittance.provider_adjustment(self.policy.provider_adjustment, paid_total, reference)
            )
        trace = f"EFT{when:%y%m%d}{state.remittances:06d}"
        st02 = f"{state.next('transaction'):04d}"
        return remittance.build_835(claims, adjustments, st02, trace, self.policy.payer_tax_id, when)


def _counters(state: SimulatorState) -> acks.ControlSource:
    return acks.ControlSource(
        interchange=lambda: state.next("interchange"),
        group=lambda: state.next("group"),
        transaction=lambda: state.next("transaction"),
    )


def _claim_number(state: SimulatorState, when: dt.datetime) -> str:
    """A payer claim control number (REF*1K, CLP07): Julian date and a running number."""
    return f"{when:%y%j}{state.next('claim'):08d}"
