"""What the daemon's cycles share: limits, the health report, the parsed-claim cache, the context.

The context holds the store, the clearinghouse profiles and their open transports, the rule
book, the work locks and the ``stop`` event a signal sets; gateway.pipeline.cycles does the work.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gateway.domain.claim import Claim
from gateway.rules import RuleBook
from gateway.store.batches import WorkLocks
from gateway.store.contact_backoff import FailureStreak
from gateway.store.db import Store
from gateway.transport import ClearinghouseProfile, Transport


@dataclass(frozen=True)
class Limits:
    max_claims_per_batch: int = 5000
    max_file_bytes: int = 64 * 1024 * 1024
    screen_chunk: int = 500
    max_inbound_bytes: int = 64 * 1024 * 1024  # a response above it is not fetched


@dataclass
class CycleReport:
    """What one cycle did: the daemon's health line."""

    cycle: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + amount

    def as_dict(self) -> dict[str, object]:
        return {
            "cycle": self.cycle,
            **self.counts,
            "errors": len(self.errors),
            "seconds": round(self.seconds, 3),
        }


class ClaimCache:
    """Parsed claims by row id, valid while the row's payload is unchanged (saves re-validation).

    The database stays the queue: a miss (another daemon's claim, a restart) parses the payload.
    """

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._items: dict[int, tuple[str, Claim]] = {}

    def put(self, claim_id: int, payload: str, claim: Claim) -> None:
        if len(self._items) >= self.capacity:
            self._items.clear()
        self._items[claim_id] = (payload, claim)

    def get(self, claim_id: int, payload: str) -> Claim:
        cached = self._items.get(claim_id)
        if cached is not None and cached[0] == payload:
            return cached[1]
        claim = Claim.model_validate_json(payload)
        self.put(claim_id, payload, claim)
        return claim


@dataclass
class Context:
    store: Store
    outbound: Path
    inbound: Path
    profiles: dict[str, ClearinghouseProfile]
    book: RuleBook
    open_transport: Callable[[ClearinghouseProfile], Transport]
    actor: str = "daemon"
    limits: Limits = Limits()
    stop: threading.Event = field(default_factory=threading.Event)
    transports: dict[str, Transport] = field(default_factory=dict)
    claims: ClaimCache = field(default_factory=ClaimCache)
    # Clearinghouses that failed permanently (host key, auth, permission): not contacted again
    # until an operator resets them; read from the database each cycle (gateway.pipeline.stops).
    stopped: dict[str, str] = field(default_factory=dict)
    locks: WorkLocks | None = None
    # Clearinghouses whose last contacts failed, read each cycle (gateway.pipeline.contact_backoff);
    # ``now`` (aware) and ``random`` are injected so tests pin the waits.
    failing: dict[str, FailureStreak] = field(default_factory=dict)
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    random: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        if self.locks is None:
            self.locks = WorkLocks(self.store)

    def transport(self, name: str) -> Transport:
        if name not in self.transports:
            self.transports[name] = self.open_transport(self.profiles[name])
        return self.transports[name]

    @contextmanager
    def lock(self, name: str) -> Iterator[bool]:
        assert self.locks is not None
        with self.locks.hold(name) as got:
            yield got

    def close(self) -> None:
        for transport in self.transports.values():
            transport.close()
        self.transports.clear()


def collect_less_often() -> None:
    """Full garbage collections at most every 100 middle-generation ones (CPython's default: 10).

    A claims file's parsed claims and a screening chunk's rows live for seconds, long enough to
    reach the oldest generation, so by default every file or two set off a collection of the
    whole heap: about a third of intake's CPU on 10,000 claims.  Reference counting still frees
    them at once; only garbage cycles that reach the oldest generation wait longer.
    """
    young, middle, oldest = gc.get_threshold()
    gc.set_threshold(young, middle, max(oldest, 100))


@contextmanager
def timed(report: CycleReport) -> Iterator[CycleReport]:
    started = time.perf_counter()
    try:
        yield report
    finally:
        report.seconds = time.perf_counter() - started
