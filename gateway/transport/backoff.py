"""How long to leave a clearinghouse alone after failed contacts, across cycles and restarts.

tenacity (``retry``) retries within one operation; this is the wait between operations.  After
the n-th consecutive temporary failure (refused, timeout, DNS, connection closed) the next
contact waits ``min(max_delay, base_delay * 2**(n-1))`` seconds, up to ``jitter`` of it
shorter (so several gateways behind one clearinghouse do not reconnect in lockstep; never
longer, so ``max_delay`` is a real cap).  The first success ends the streak.  A streak longer
than ``alert_after_minutes`` raises one operator alert.  The streak itself lives in the
database (``gateway.store.contact_backoff``) so restarts, cron runs and other daemons keep it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

_MAX_DOUBLINGS = 60  # 2**60 times any base is past every cap; keeps the float finite


@dataclass(frozen=True)
class ContactBackoff:
    base_delay: float = 60.0
    max_delay: float = 1800.0
    jitter: float = 0.1
    alert_after_minutes: float = 30.0

    def delay(self, failures: int, random: Callable[[], float]) -> dt.timedelta:
        """The wait after ``failures`` consecutive failures (1 or more); ``random`` gives [0, 1)."""
        doublings = min(max(failures, 1) - 1, _MAX_DOUBLINGS)
        full = min(self.max_delay, self.base_delay * 2**doublings)
        return dt.timedelta(seconds=full * (1 - self.jitter * random()))

    @property
    def alert_after(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.alert_after_minutes)
