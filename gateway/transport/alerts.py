"""Operator alerts for permanent transport failures, and the latch that stops a clearinghouse.

A permanent failure (host key mismatch, rejected key, permission denied, no common algorithm)
is reported once: logged at ERROR and handed to an ``AlertHook`` (the daemon wires the ledger in
here).  The transport then refuses work for that clearinghouse until an operator calls
``reset()``, so a wrong key is tried once, not in a loop that gets the account locked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gateway.errors import PermanentTransportError

log = logging.getLogger("gateway.transport")


@dataclass(frozen=True)
class TransportAlert:
    """One operator alert; ``kind`` is a stable slug for the ledger and for filtering."""

    clearinghouse: str
    kind: str
    message: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


AlertHook = Callable[[TransportAlert], None]


def log_only(alert: TransportAlert) -> None:
    """Default hook: the ERROR log line written by ``PermanentLatch.trip`` is the whole alert."""


class PermanentLatch:
    """Remembers the first permanent failure of one clearinghouse until ``reset()``."""

    def __init__(self, clearinghouse: str, hook: AlertHook = log_only) -> None:
        self.clearinghouse = clearinghouse
        self._hook = hook
        self.tripped: PermanentTransportError | None = None

    def check(self) -> None:
        """Raise the remembered failure again, without touching the network."""
        if self.tripped is not None:
            raise PermanentTransportError(f"{self.tripped} (stopped until reset)")

    def trip(self, error: PermanentTransportError, kind: str) -> None:
        self.tripped = error
        alert = TransportAlert(self.clearinghouse, kind, str(error))
        log.error("transport alert [%s] %s", kind, alert.message)
        try:
            self._hook(alert)
        except Exception:  # an alert sink must never hide the failure it reports
            log.exception("alert hook failed for clearinghouse %s", self.clearinghouse)

    def reset(self) -> None:
        self.tripped = None
