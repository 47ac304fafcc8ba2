"""Backing off from a clearinghouse that keeps failing: pinned waits, one alert, kept across restarts.

The daemon's clock and random source are injected, so every wait is an exact number; the
clearinghouse is a stand-in transport that refuses connections while it is "down".  The same
tests run on SQLite and PostgreSQL (``any_store``); the real-sshd test is in
test_contact_backoff_sshd.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from gateway.cli.main import _register, cli
from gateway.daemon.config import DaemonConfig
from gateway.daemon.lifecycle import Daemon
from gateway.errors import TemporaryTransportError
from gateway.rules import load_rule_book
from gateway.store import console_read, operator_ops
from gateway.store.contact_backoff import FailureStreak, failure_streaks
from gateway.store.db import Store
from gateway.store.schema import EventRow
from gateway.transport import ClearinghouseProfile, InboundFile, ProbeReport, Receipt, RemoteFile
from tests.conftest import REPO
from tests.daemon.helpers import local_profile

START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
BACKOFF = {"base_delay": 10, "max_delay": 80, "jitter": 0.2, "alert_after_minutes": 2}
BACKOFF_LOGGER = "gateway.pipeline.backoff"


class Clock:
    """The daemon's clock: ``START`` plus ``seconds``, moved by the test."""

    def __init__(self) -> None:
        self.seconds = 0

    def __call__(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.seconds)


class FlakyClearinghouse:
    """A transport whose server refuses connections while ``down``; remembers when it was tried."""

    def __init__(self, name: str, clock: Clock) -> None:
        self.name = name
        self.clock = clock
        self.down = True
        self.attempts: list[int] = []

    def _contact(self) -> None:
        self.attempts.append(self.clock.seconds)
        if self.down:
            refused = TemporaryTransportError(
                f"clearinghouse {self.name} (sftp://u@ch:22): [Errno 111] Connection refused"
            )
            refused.kind = "connection_refused"
            raise refused

    def list_responses(self) -> list[RemoteFile]:
        self._contact()
        return []

    def send(self, local: Path, remote_name: str) -> Receipt:
        raise AssertionError("nothing is sent in these tests")

    def uploaded_size(self, remote_name: str) -> int | None:
        raise AssertionError("nothing is sent in these tests")

    def fetch(self, remote: RemoteFile, inbound_dir: Path) -> InboundFile:
        raise AssertionError("no response waits")

    def ack(self, remote: RemoteFile) -> None:
        raise AssertionError("no response waits")

    def probe(self) -> ProbeReport:
        raise AssertionError("not probed")

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def _daemon(store: Store, home: Path, profile: ClearinghouseProfile, server: FlakyClearinghouse) -> Daemon:
    daemon = Daemon(
        store, DaemonConfig(), {profile.name: profile}, load_rule_book(REPO / "payer_configs"),
        home / "outbound", home / "inbound", actor="daemon:test", clock=server.clock, random=lambda: 0.5,
    )  # fmt: skip
    daemon.ctx.open_transport = lambda _profile: server
    daemon.start()
    return daemon


def _poll_each_second(daemon: Daemon, clock: Clock, until: int) -> dict[int, dict[str, object]]:
    """Run the poll cycle once a second up to ``until`` (inclusive); health fields by second."""
    health = {}
    while clock.seconds <= until:
        report = daemon.poll()
        assert report is not None
        health[clock.seconds] = report.as_dict()
        clock.seconds += 1
    return health


def _streak(store: Store, name: str) -> FailureStreak:
    return failure_streaks(store)[name]


def _at(seconds: int) -> dt.datetime:
    return START + dt.timedelta(seconds=seconds)


def test_waits_double_to_the_cap_one_alert_at_the_threshold_and_the_streak_survives_a_restart(
    any_store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = f"flaky-{uuid.uuid4().hex[:8]}"  # work locks on PostgreSQL are shared with other runs
    clock = Clock()
    server = FlakyClearinghouse(name, clock)
    profile = local_profile(tmp_path, name, backoff=BACKOFF)
    url = any_store.engine.url.render_as_string(hide_password=False)
    caplog.set_level(logging.INFO, logger=BACKOFF_LOGGER)

    daemon = _daemon(any_store, tmp_path, profile, server)
    health = _poll_each_second(daemon, clock, until=140)
    daemon.close()
    # Waits after failure n (jitter 0.2, random 0.5: 90 % of each): 9, 18, 36, 72, then the cap 72.
    assert server.attempts == [0, 9, 27, 63, 135]
    streak = _streak(any_store, name)
    assert (streak.failures, streak.since, streak.next_attempt_at) == (5, START, _at(135 + 72))
    assert (streak.kind, streak.alerted_at) == ("connection_refused", _at(120))
    assert [second for second, fields in health.items() if fields["errors"]] == [0, 9, 27, 63, 135]
    assert health[1]["clearinghouses_backing_off"] == 1 and health[9]["clearinghouses_backing_off"] == 0
    assert [s for s, fields in health.items() if fields["clearinghouses_unreachable"]] == list(
        range(120, 141)
    )

    with Store.open(url) as restarted_store:  # a restart: a new process, the same database
        restarted = _daemon(restarted_store, tmp_path, profile, server)
        _poll_each_second(restarted, clock, until=230)
        assert server.attempts == [0, 9, 27, 63, 135, 207]
        assert _streak(restarted_store, name).next_attempt_at == _at(207 + 72)
        server.down = False  # the clearinghouse is back
        clock.seconds = 278
        _poll_each_second(restarted, clock, until=280)
        restarted.close()
        assert server.attempts == [0, 9, 27, 63, 135, 207, 279, 280]  # then every cycle again
        assert failure_streaks(restarted_store) == {}

    errors = [
        r.getMessage() for r in caplog.records if r.name == BACKOFF_LOGGER and r.levelno == logging.ERROR
    ]
    assert errors == [
        (
            f"unreachable alert: clearinghouse {name} UNREACHABLE since 2026-12-03 09:00:00 UTC: 4 failed "
            "contact(s) in a row, last connection_refused; next attempt after 2026-12-03 09:02:15 UTC; "
            "failing for 2 minute(s), alert_after_minutes 2; the daemon keeps trying"
        )
    ]
    warnings = [
        r.getMessage() for r in caplog.records if r.name == BACKOFF_LOGGER and r.levelno == logging.WARNING
    ]
    assert warnings == [
        f"clearinghouse {name} reachable again after 6 failed contact(s) since 2026-12-03 09:00:00 UTC"
    ]
    with any_store.session() as session:
        events = [
            (row.kind, row.status, json.loads(row.detail or "{}"))
            for row in session.scalars(select(EventRow).where(EventRow.kind.like("clearinghouse.%")))
        ]
    assert events == [
        ("clearinghouse.alert", "unreachable",
         {"clearinghouse": name, "failures": 4, "since": "2026-12-03T09:00:00+00:00", "kind": "connection_refused"}),
        ("clearinghouse.reachable", "reachable",
         {"clearinghouse": name, "failures": 6, "since": "2026-12-03T09:00:00+00:00"}),
    ]  # fmt: skip


def test_a_short_outage_ends_without_an_alert_and_the_next_outage_starts_from_the_base(
    sqlite_store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    server = FlakyClearinghouse("shortch", clock)
    daemon = _daemon(sqlite_store, tmp_path, local_profile(tmp_path, "shortch", backoff=BACKOFF), server)
    caplog.set_level(logging.INFO, logger=BACKOFF_LOGGER)
    _poll_each_second(daemon, clock, until=20)
    server.down = False
    _poll_each_second(daemon, clock, until=30)
    server.down = True
    _poll_each_second(daemon, clock, until=60)
    daemon.close()
    assert server.attempts == [0, 9, 27, 28, 29, 30, 31, 40, 58]  # 27: due, and it worked
    streak = _streak(sqlite_store, "shortch")
    assert (streak.failures, streak.since, streak.next_attempt_at) == (3, _at(31), _at(58 + 36))
    assert [r.getMessage() for r in caplog.records if r.name == BACKOFF_LOGGER] == [
        "clearinghouse shortch reachable again after 2 failed contact(s)"
    ]


def test_status_text_json_and_the_today_page_show_the_streak_and_the_alert(tmp_path: Path) -> None:
    home = tmp_path
    store = Store.open(f"sqlite:///{home / 'gateway.db'}")
    clock = Clock()
    server = FlakyClearinghouse("acme", clock)
    daemon = _daemon(store, home, local_profile(home, "acme", backoff=BACKOFF), server)
    _poll_each_second(daemon, clock, until=70)
    daemon.close()
    [health] = console_read.today(store).clearinghouses
    assert health.streak is not None and (health.streak.failures, health.unreachable) == (4, False)
    clock.seconds = 125
    daemon = _daemon(store, home, local_profile(home, "acme", backoff=BACKOFF), server)
    daemon.poll()
    daemon.close()
    [health] = console_read.today(store).clearinghouses
    assert health.unreachable and health.streak is not None and health.streak.alerted_at == _at(125)
    [contact] = operator_ops.status(store).contacts
    assert contact.streak == health.streak
    store.close()

    (home / "gateway.yaml").write_text(
        "clearinghouses:\n  acme:\n    connection: {transport: local, upload_dir: up, response_dir: down}\n"
        "    identity: {isa_sender_id: C, isa_receiver_id: A, gs_sender_code: CC, gs_receiver_code: AA, "
        "submitter_id: C1, submitter_name: S, contact_name: N, contact_phone: '5035550142', "
        "receiver_name: R, receiver_id: A1}\n"
    )
    _register()
    env = {"GATEWAY_HOME": str(home), "GATEWAY_DB_URL": f"sqlite:///{home / 'gateway.db'}"}
    run = CliRunner()
    text = run.invoke(cli, ["status"], env=env, catch_exceptions=False).output
    [line] = [line for line in text.splitlines() if "UNREACHABLE" in line]
    assert line == (
        "clearinghouse acme UNREACHABLE since 2026-12-03 09:00:00 UTC: 4 failed contact(s) in a row, "
        "last connection_refused; next attempt after 2026-12-03 09:02:15 UTC; the daemon keeps trying "
        "(to try at the next cycle instead: gateway clearinghouse reset acme --reason TEXT)"
    )
    [alert] = [line for line in text.splitlines() if line.startswith("alert ")]  # at: the real time
    assert alert.endswith(
        ' [unreachable] {"clearinghouse": "acme", "failures": 4, "kind": "connection_refused", '
        '"since": "2026-12-03T09:00:00+00:00"}'
    )
    document = json.loads(run.invoke(cli, ["status", "--json"], env=env, catch_exceptions=False).output)
    [acme] = document["clearinghouses"]
    assert acme["stopped"] is None
    assert acme["failing"] == {
        "failures": 4,
        "since": "2026-12-03T09:00:00+00:00",
        "next_attempt_at": "2026-12-03T09:02:15+00:00",
        "kind": "connection_refused",
        "unreachable_alert_at": "2026-12-03T09:02:05+00:00",
    }
    assert acme["last_error"] == "clearinghouse acme (sftp://u@ch:22): [Errno 111] Connection refused"
    assert document["alerts"][0]["status"] == "unreachable"

    reset = run.invoke(cli, ["clearinghouse", "reset", "acme", "--reason", "firewall opened", "--actor", "operator:ann"],
                       env=env, catch_exceptions=False).output  # fmt: skip
    assert reset == (
        "clearinghouse acme: backoff ended by operator:ann (4 failed contact(s) since 2026-12-03 09:00:00 UTC, "
        "last connection_refused); the next cycle contacts it\n"
    )
    with Store.open(env["GATEWAY_DB_URL"]) as store:
        streak = failure_streaks(store)["acme"]
        assert (streak.failures, streak.next_attempt_at, streak.alerted_at) == (4, None, _at(125))
        server.down = False
        daemon = _daemon(store, home, local_profile(home, "acme", backoff=BACKOFF), server)
        clock.seconds = 126
        daemon.poll()
        daemon.close()
        assert server.attempts[-1] == 126 and failure_streaks(store) == {}


@pytest.mark.postgres
def test_two_daemons_on_one_postgresql_share_the_streak_and_raise_the_alert_once(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = f"shared-{uuid.uuid4().hex[:8]}"
    clock = Clock()
    server = FlakyClearinghouse(name, clock)
    profile = local_profile(tmp_path, name, backoff=BACKOFF)
    caplog.set_level(logging.INFO, logger=BACKOFF_LOGGER)
    with Store.open(postgres_url) as first_store, Store.open(postgres_url) as second_store:
        daemons = [_daemon(store, tmp_path / label, profile, server)
                   for store, label in ((first_store, "a"), (second_store, "b"))]  # fmt: skip
        while clock.seconds <= 140:
            for daemon in daemons:  # both poll every second, one after the other
                daemon.poll()
            clock.seconds += 1
        for daemon in daemons:
            daemon.close()
    # The same contacts as one daemon alone: the second waits for what the first recorded.
    assert server.attempts == [0, 9, 27, 63, 135]
    errors = [
        r.getMessage() for r in caplog.records if r.name == BACKOFF_LOGGER and r.levelno == logging.ERROR
    ]
    assert len(errors) == 1 and errors[0].startswith(
        f"unreachable alert: clearinghouse {name} UNREACHABLE since "
    )
