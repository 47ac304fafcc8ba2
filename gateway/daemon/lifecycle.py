"""The daemon process: start-up checks, the three jobs, signals, health lines, clean exit.

SIGTERM and SIGINT set ``stop``: the step in hand (one transaction, or one upload) finishes,
the scheduler drains, connections close, exit 0.  SIGKILL is survivable by design (see
gateway.pipeline.cycles).  On SQLite one daemon holds an exclusive lock file next to the
database; several daemons need PostgreSQL, where they share work through advisory locks.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import random
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import IO

from gateway.daemon.config import DaemonConfig
from gateway.daemon.scheduler import Job, run_jobs
from gateway.domain.status import ClaimStatus
from gateway.errors import ConfigError, StoreError
from gateway.pipeline import cycles
from gateway.pipeline.cycle_context import Context, CycleReport, Limits, collect_less_often
from gateway.pipeline.spool_copy import remove_orphans
from gateway.rules import RuleBook
from gateway.store import batch_ops, repository
from gateway.store.batches import ensure_contact_rows
from gateway.store.db import Store
from gateway.transport import ClearinghouseProfile, Transport, TransportAlert, open_transport
from gateway.x12.gate_pool import shared_pool

log = logging.getLogger("gateway.daemon")


def default_actor() -> str:
    return f"daemon:{socket.gethostname()}:{os.getpid()}"


class Daemon:
    def __init__(
        self,
        store: Store,
        config: DaemonConfig,
        profiles: dict[str, ClearinghouseProfile],
        book: RuleBook,
        outbound: Path,
        inbound: Path,
        *,
        actor: str | None = None,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
        random: Callable[[], float] = random.random,
    ) -> None:
        if not profiles:
            raise ConfigError("no clearinghouses are configured: the daemon has nowhere to send")
        cycles.check_routing(profiles)
        collect_less_often()
        self.store = store
        self.config = config
        self.clock = clock
        self.ctx = Context(
            store=store,
            outbound=outbound,
            inbound=inbound,
            profiles=profiles,
            book=book,
            open_transport=self._open_transport,
            actor=actor or default_actor(),
            limits=Limits(
                config.max_claims_per_batch,
                config.max_file_bytes,
                config.screen_chunk,
                config.max_inbound_bytes,
            ),
            # One clock for quiet hours (local time) and contact backoff (UTC; a naive time is local).
            now=lambda: clock().astimezone(dt.UTC),
            random=random,
        )
        self.stop = self.ctx.stop
        self._lock_file: IO[str] | None = None

    # -- wiring --------------------------------------------------------------------------------

    def _open_transport(self, profile: ClearinghouseProfile) -> Transport:
        return open_transport(profile, alert=self._alert)

    def _alert(self, alert: TransportAlert) -> None:
        """Permanent transport failures become ledger events an operator sees in status."""
        repository.record_event_now(
            self.store, "clearinghouse.alert", status=alert.kind,
            detail={"clearinghouse": alert.clearinghouse, "message": alert.message}, actor=self.ctx.actor,
        )  # fmt: skip

    def _single_instance_on_sqlite(self) -> None:
        url = self.store.engine.url
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return
        handle = Path(f"{url.database}.daemon.lock").open("a")  # noqa: SIM115 - held for the process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StoreError(
                f"{url.database}: another daemon uses this SQLite database; several daemons need PostgreSQL"
            ) from None
        self._lock_file = handle

    # -- jobs ----------------------------------------------------------------------------------

    def _guarded(self, name: str, cycle: Callable[[], CycleReport | None]) -> Callable[[], None]:
        def run() -> None:
            if self.stop.is_set():
                return
            try:
                report = cycle()
            except Exception as error:  # a failed cycle must not end the daemon; the next one retries
                log.error("cycle %s failed: %s: %s", name, type(error).__name__, error,
                          exc_info=log.isEnabledFor(logging.DEBUG))  # fmt: skip
                report = CycleReport(name, errors=[f"{type(error).__name__}: {error}"])
            if report is not None:
                self.health(report)

        return run

    def health(self, report: CycleReport) -> None:
        fields = report.as_dict()
        text = " ".join(f"{key}={value}" for key, value in fields.items())
        level = logging.WARNING if report.errors else logging.INFO
        log.log(level, "health %s", text, extra={"health": fields})
        for error in report.errors[:10]:
            log.warning("cycle %s: %s", report.cycle, error)

    def intake(self) -> CycleReport:
        return cycles.intake_cycle(self.ctx)

    def outbound(self) -> CycleReport:
        return cycles.outbound_cycle(self.ctx, send=not self.config.is_quiet(self.clock()))

    def poll(self) -> CycleReport | None:
        if self.config.is_quiet(self.clock()):
            return None
        return cycles.poll_cycle(self.ctx)

    # -- running -------------------------------------------------------------------------------

    def start(self) -> None:
        self._single_instance_on_sqlite()
        ensure_contact_rows(self.store, list(self.ctx.profiles))
        remove_orphans(self.ctx)  # files of builds killed before they were recorded
        log.info("daemon %s started: %d clearinghouse(s)", self.ctx.actor, len(self.ctx.profiles))

    def run_forever(self) -> None:
        self.start()
        self._install_signals()
        # The gate's worker processes load pyx12's maps once, now, not when the first big batch waits.
        threading.Thread(target=shared_pool().warm, name="gate-pool-warm", daemon=True).start()
        jobs = [
            Job("intake", self.config.intake_interval, self._guarded("intake", self.intake)),
            Job("outbound", self.config.outbound_interval, self._guarded("outbound", self.outbound)),
            Job("poll", self.config.poll_interval, self._guarded("poll", self.poll)),
        ]
        try:
            run_jobs(jobs, self.stop)
        finally:
            self.close()
            log.info("daemon %s stopped cleanly", self.ctx.actor)

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        """Run intake, outbound and poll in turn until a round changes nothing; rounds run."""
        self.start()
        rounds = 0
        try:
            while rounds < max_rounds and not self.stop.is_set():
                rounds += 1
                reports = [self.intake(), self.outbound(), self.poll()]
                for report in reports:
                    if report is not None:
                        self.health(report)
                if any(r.counts.get(k) for r in reports if r is not None for k in _PROGRESS):
                    continue
                if self._nothing_waiting() or any(r.errors for r in reports if r is not None):
                    break
                if any(r.counts.get("clearinghouses_backing_off") for r in reports if r is not None):
                    break  # what waits is for a clearinghouse we must leave alone for now
                self.stop.wait(0.2)  # another daemon holds the work right now: look again shortly
        finally:
            self.close()
        return rounds

    def _nothing_waiting(self) -> bool:
        waiting = sum(
            batch_ops.count_claims(self.store, status)
            for status in (ClaimStatus.RECEIVED, ClaimStatus.QUEUED)
        )
        sendable = sum(len(batch_ops.batches_to_send(self.store, name)) for name in self.ctx.profiles)
        pending = any((self.ctx.outbound / cycles.PENDING).glob("*.json"))
        return waiting == 0 and sendable == 0 and not pending

    def _install_signals(self) -> None:
        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %s: finishing the current step, then stopping", signal.Signals(signum).name)
            self.stop.set()

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, handle)
            signal.signal(signal.SIGINT, handle)

    def close(self) -> None:
        self.ctx.close()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


_PROGRESS = (
    "claims_received", "claims_queued", "claims_held", "batches_built", "batches_sent",
    "batches_found_on_server", "responses_recorded", "batches_moved", "batches_abandoned",
)  # fmt: skip
