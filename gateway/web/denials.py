"""The Denials page's aggregates and charts, kept in memory until the next 835 is recorded."""

from __future__ import annotations

import threading

from gateway.store import console_read
from gateway.store.db import Store
from gateway.store.ledger_read import DenialRow, denials
from gateway.web import charts


class DenialCache:
    """The Denials aggregates and charts, kept until the next 835 is recorded.

    Aggregating reads every 835 event (one JSON document per claim: seconds on 100,000 claims)
    and a chart takes matplotlib a few hundred milliseconds; both change only with a new 835, which
    ``remittance_mark`` notices with one indexed query.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mark: int | None = None
        self._rows: list[DenialRow] = []
        self._charts: dict[str, bytes] = {}

    def rows(self, store: Store) -> list[DenialRow]:
        mark = console_read.remittance_mark(store)
        with self._lock:
            if mark != self._mark:
                self._rows, self._charts, self._mark = denials(store), {}, mark
            return self._rows

    def chart(self, store: Store, name: str) -> bytes:
        rows = self.rows(store)
        with self._lock:
            if name not in self._charts:
                self._charts[name] = charts.by_carc(rows) if name == "carc" else charts.over_time(rows, name)
            return self._charts[name]
