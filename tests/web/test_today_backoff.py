"""The Today page shows a clearinghouse the daemon is backing off from, and when it is unreachable."""

from __future__ import annotations

import datetime as dt

from starlette.testclient import TestClient

from gateway.store.contact_backoff import raise_unreachable_alert, record_failure
from gateway.store.db import Store
from tests.web.conftest import log_in

START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def _fail(store: Store, seconds: int) -> None:
    record_failure(store, "backupch", "timeout", "clearinghouse backupch (sftp://u@h:22): timed out",
                   START + dt.timedelta(seconds=seconds), lambda failures: dt.timedelta(seconds=60 * failures))  # fmt: skip


def test_today_shows_retrying_then_unreachable_beside_the_stopped_one(
    client: TestClient, store: Store
) -> None:
    log_in(client)
    _fail(store, 0)
    _fail(store, 60)
    page = client.get("/").text
    assert '<tr class=""><td>backupch</td>' in page
    assert (
        '<span class="badge held">retrying</span> since 2026-12-03 09:00: 2 failed contact(s) in a row, '
        "last timeout; next attempt after 2026-12-03 09:03<br><small>the daemon keeps trying; to try at the "
        "next cycle: <code>gateway clearinghouse reset backupch --reason ...</code></small>"
    ) in page
    alert_at = START + dt.timedelta(minutes=31)
    assert (
        raise_unreachable_alert(store, "backupch", alert_at, dt.timedelta(minutes=30), "daemon:test")
        is not None
    )
    page = client.get("/").text
    assert '<tr class="stopped"><td>backupch</td>' in page
    assert '<span class="badge rejected">stopped</span> since' in page  # localch: its folder is gone
    assert (
        '<span class="badge rejected">unreachable</span> since 2026-12-03 09:00: 2 failed contact(s)' in page
    )
