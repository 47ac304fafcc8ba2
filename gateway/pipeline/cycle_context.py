"""What the daemon's cycles share: limits, the health report, the parsed-claim cache, the context.

The context holds the store, the clearinghouse profiles and their open transports, the rule
book, the work locks and the ``stop`` event a signal sets; gateway.pipeline.cycles does the work.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gateway.domain.claim import Claim
from gateway.domain.evidence import ClinicalEvidence
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
    A claim is kept whole from intake until it is screened (the rules read its clinical
    evidence), with the payload itself to check it against: that is seconds, and comparing two
    strings is cheaper than hashing one.  Once queued, only what its 837P needs is kept
    (``keep_for_build``), checked against a digest of the payload, not a copy of it: the evidence
    is more than half of a parsed claim (about 22 KB whole, 12 KB without) and no 837P segment
    carries it.
    """

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        # row id -> (the payload while the claim is whole, else its digest; claim; whole: the
        # claim still has its evidence)
        self._items: dict[int, tuple[str | bytes, Claim, bool]] = {}

    @staticmethod
    def _digest(payload: str) -> bytes:
        return hashlib.blake2b(payload.encode(), digest_size=16).digest()

    def _valid(self, kept: str | bytes, payload: str) -> bool:
        return kept == payload if isinstance(kept, str) else kept == self._digest(payload)

    def _keep(self, claim_id: int, kept: str | bytes, claim: Claim, whole: bool) -> None:
        if len(self._items) >= self.capacity and claim_id not in self._items:
            self._items.clear()
        self._items[claim_id] = (kept, claim, whole)

    def put(self, claim_id: int, payload: str, claim: Claim) -> None:
        self._keep(claim_id, payload, claim, True)

    def get(self, claim_id: int, payload: str) -> Claim:
        """The whole claim (evidence included), as screening needs it."""
        cached = self._items.get(claim_id)
        if cached is not None and cached[2] and self._valid(cached[0], payload):
            return cached[1]
        claim = Claim.model_validate_json(payload)
        self._keep(claim_id, payload, claim, True)
        return claim

    def for_build(self, claim_id: int, payload: str) -> Claim:
        """The claim as the 837P build needs it: whole, or without its clinical evidence."""
        cached = self._items.get(claim_id)
        if cached is not None and self._valid(cached[0], payload):
            return cached[1]
        return self.get(claim_id, payload)

    def keep_for_build(self, claim_id: int, claim: Claim, payload: str | None = None) -> None:
        """After screening queued the claim: keep it without its evidence (``payload``: the row's
        new payload, when screening changed the claim; else the cached entry's stays valid)."""
        cached = self._items.get(claim_id)
        if payload is not None:
            digest = self._digest(payload)
        elif cached is not None:
            kept = cached[0]
            digest = self._digest(kept) if isinstance(kept, str) else kept
        else:
            return
        self._keep(claim_id, digest, claim.model_copy(update={"evidence": _NO_EVIDENCE}), False)

    def drop(self, claim_id: int) -> None:
        self._items.pop(claim_id, None)


_NO_EVIDENCE = ClinicalEvidence()


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
    """Young collections every 10,000 new containers at least (CPython's default: 700), full ones
    at most every 100 middle-generation ones (default: 10).

    A claims file's parsed claims and a screening chunk's rows live for seconds, long enough to
    reach the oldest generation, so by default every file or two set off a collection of the
    whole heap: about a third of intake's CPU on 10,000 claims.  With the default young threshold
    the decoded file and the parsed claims were still traversed by some 2,400 young and 220
    middle collections and two full ones per 10,000 claims, about 3 CPU s of intake's 18; with
    10,000 it is about 120 and 11 and none, under 2 CPU s, at the same peak memory.  Reference
    counting still frees them at once; only garbage cycles wait longer.
    """
    young, middle, oldest = gc.get_threshold()
    gc.set_threshold(max(young, 10_000), middle, max(oldest, 100))


@contextmanager
def timed(report: CycleReport) -> Iterator[CycleReport]:
    started = time.perf_counter()
    try:
        yield report
    finally:
        report.seconds = time.perf_counter() - started
