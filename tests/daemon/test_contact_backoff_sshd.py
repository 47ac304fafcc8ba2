"""On the real sshd: while the server is down the daemon contacts it on a doubling schedule, not
every cycle; when it is back the waiting batch goes out and the streak ends."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.daemon.config import DaemonConfig
from gateway.daemon.lifecycle import Daemon
from gateway.rules import load_rule_book
from gateway.store.batches import BatchRow
from gateway.store.contact_backoff import failure_streaks
from gateway.store.db import Store
from gateway.transport.sftp import SftpTransport
from tests.conftest import REPO
from tests.daemon.helpers import make_claims, pcns_in, write_pending
from tests.daemon.test_contact_backoff import Clock, _at
from tests.transport.sshd_peer import SshdPeer
from tests.transport.transport_helpers import make_profile


def _statuses(store: Store) -> list[str]:
    with store.session() as session:
        return [row.status for row in session.scalars(select(BatchRow).order_by(BatchRow.id))]


@pytest.mark.sshd
def test_a_stopped_server_is_contacted_on_the_backoff_schedule_and_sending_resumes_when_it_is_back(
    sshd_factory: type[SshdPeer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = sshd_factory().start()
    profile = make_profile(
        server, "backoff",
        retry={"attempts": 2, "base_delay": 0.01, "max_delay": 0.01},  # two connects per contact
        backoff={"base_delay": 10, "max_delay": 40, "jitter": 0, "alert_after_minutes": 1},
    )  # fmt: skip
    connects: list[int] = []
    real_connect = SftpTransport._connect
    clock = Clock()

    def counted_connect(self: SftpTransport) -> object:
        connects.append(clock.seconds)
        return real_connect(self)

    monkeypatch.setattr(SftpTransport, "_connect", counted_connect)
    store = Store.open(f"sqlite:///{tmp_path / 'gateway.db'}")
    daemon = Daemon(
        store, DaemonConfig(), {"testch": profile}, load_rule_book(REPO / "payer_configs"),
        tmp_path / "outbound", tmp_path / "inbound", actor="daemon:test", clock=clock, random=lambda: 0.0,
    )  # fmt: skip
    caplog.set_level(logging.INFO, logger="gateway.pipeline.backoff")

    def cycle() -> None:
        daemon.intake()
        daemon.outbound()
        daemon.poll()

    try:
        daemon.start()
        write_pending(tmp_path / "outbound", make_claims(2, "B"))
        cycle()
        assert _statuses(store) == ["sent"] and connects == [0]
        daemon.ctx.close()  # so that every contact below opens a new connection
        server.stop()

        write_pending(tmp_path / "outbound", make_claims(1, "C"))
        for second in range(5, 125, 5):  # 24 cycles of intake, outbound and poll
            clock.seconds = second
            cycle()
        # Contacts at 5, then after 10, 20, 40 (the cap) and 40 s: not at every one of the 24 cycles.
        assert connects == [0, 5, 5, 15, 15, 35, 35, 75, 75, 115, 115]
        assert _statuses(store) == ["sent", "sending"]
        streak = failure_streaks(store)["testch"]
        assert (streak.failures, streak.since, streak.kind) == (5, _at(5), "connection_refused")
        assert (streak.next_attempt_at, streak.alerted_at) == (_at(155), _at(65))

        server.start(keep_port=True)
        before = server.connections()
        for second in range(125, 165, 5):
            clock.seconds = second
            cycle()
        assert connects[11:] == [155]  # one connection for the upload and the poll that follows
        assert server.connections() == before + 1
        assert _statuses(store) == ["sent", "sent"]
        assert failure_streaks(store) == {}
        uploaded = sorted(server.server_path(profile.upload_dir).iterdir())
        assert sorted(pcns_in(uploaded)) == ["B0000000", "B0000001", "C0000000"]
    finally:
        daemon.close()
        store.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "gateway.pipeline.backoff"]
    assert messages == [
        (
            "unreachable alert: clearinghouse testch UNREACHABLE since 2026-12-03 09:00:05 UTC: 3 failed contact(s) "
            "in a row, last connection_refused; next attempt after 2026-12-03 09:01:15 UTC; failing for 1 minute(s), "
            "alert_after_minutes 1; the daemon keeps trying"
        ),
        "clearinghouse testch reachable again after 5 failed contact(s) since 2026-12-03 09:00:05 UTC",
    ]
