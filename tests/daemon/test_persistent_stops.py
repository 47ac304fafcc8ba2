"""A permanent transport stop survives restarts and cron runs, on the real sshd; an operator resets it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from gateway.cli.main import _register, cli
from gateway.store import operator_ops
from gateway.store.batches import BatchRow
from gateway.store.clearinghouse_stops import reset_stop
from gateway.store.db import Store
from gateway.store.schema import EventRow
from tests.daemon.helpers import make_claims, make_daemon, pcns_in, write_pending
from tests.transport.sshd_peer import SshdPeer, keygen
from tests.transport.transport_helpers import make_profile

RESET_HINT = "after fixing the cause: gateway clearinghouse reset testch --reason TEXT"


def _statuses(store: Store) -> list[str]:
    with store.session() as session:
        return [row.status for row in session.scalars(select(BatchRow).order_by(BatchRow.id))]


def _gateway(home: Path, *args: str) -> tuple[int, str]:
    _register()
    env = {"GATEWAY_HOME": str(home), "GATEWAY_DB_URL": f"sqlite:///{home / 'gateway.db'}"}
    result = CliRunner().invoke(cli, list(args), env=env, obj=None, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.sshd
def test_a_rejected_client_key_stops_the_clearinghouse_across_restarts_until_reset(
    sshd_peer: SshdPeer, tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger_ed25519"
    stranger_public = keygen(stranger)
    profile = make_profile(sshd_peer, "stop-auth", private_key=str(stranger))
    store = Store.open(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        write_pending(tmp_path / "outbound", make_claims(2, "S"))
        before = sshd_peer.connections()
        make_daemon(store, tmp_path, {"testch": profile}).run_until_idle()
        assert _statuses(store) == ["failed"]
        assert sshd_peer.connections() == before + 1, "one login attempt, then stopped"

        restarted = make_daemon(store, tmp_path, {"testch": profile})  # a restart, or the next cron run
        restarted.start()
        outbound, poll = restarted.outbound(), restarted.poll()
        restarted.close()
        assert sshd_peer.connections() == before + 1, "a restart does not log in again"
        for report in (outbound, poll):
            assert report is not None and report.counts["clearinghouses_stopped"] == 1
            [line] = report.errors
            assert line.startswith("clearinghouse testch stopped since ")
            assert line.endswith(f"server rejected key {stranger} for user {sshd_peer.user}; {RESET_HINT}")
            assert report.as_dict()["errors"] == 1

        sshd_peer.authorize(stranger_public)  # the clearinghouse installed our key
        with store.session() as session:
            failed_id = session.scalars(select(BatchRow.id)).one()
        operator_ops.replay(store, failed_id, "operator:ann", "key installed")
        assert reset_stop(store, "testch", "key installed at the clearinghouse", "operator:ann") is not None
        make_daemon(store, tmp_path, {"testch": profile}).run_until_idle()
        assert _statuses(store) == ["sent"]
        uploaded = sorted(sshd_peer.server_path(profile.upload_dir).iterdir())
        assert sorted(pcns_in(uploaded)) == ["S0000000", "S0000001"]
        with store.session() as session:
            [reset] = session.scalars(select(EventRow).where(EventRow.kind == "clearinghouse.reset")).all()
        assert reset.actor == "operator:ann"
        assert json.loads(reset.detail or "{}")["reason"] == "key installed at the clearinghouse"
    finally:
        store.close()


@pytest.mark.sshd
def test_a_wrong_host_key_is_not_retried_by_cron_runs_and_status_shows_it(
    sshd_peer: SshdPeer, tmp_path: Path
) -> None:
    profile = make_profile(sshd_peer, "stop-hostkey", host_key=keygen(tmp_path / "impostor"))
    data = profile.model_dump(mode="json", exclude={"name"}, exclude_defaults=True)
    (tmp_path / "gateway.yaml").write_text(yaml.safe_dump({"clearinghouses": {"testch": data}}))
    write_pending(tmp_path / "outbound", make_claims(1, "H"))
    before = sshd_peer.connections()

    for _cron_minute in range(3):
        code, out = _gateway(tmp_path, "run", "--once")
        assert code == 0 and "idle after" in out
    assert sshd_peer.connections() == before + 1, "three cron runs, one connection"

    code, out = _gateway(tmp_path, "status")
    [stopped] = [line for line in out.splitlines() if "STOPPED" in line]
    assert stopped.startswith("clearinghouse testch: STOPPED since ")
    assert "host key mismatch: server offered ssh-ed25519 SHA256:" in stopped
    assert stopped.endswith(RESET_HINT)

    code, out = _gateway(tmp_path, "clearinghouse", "reset", "testch", "--reason", "pinned the new key",
                         "--actor", "operator:bob")  # fmt: skip
    assert code == 0
    assert out.startswith("clearinghouse testch: reset by operator:bob (stopped since ")
    assert out.endswith("); the next cycle contacts it\n")
    code, out = _gateway(tmp_path, "status")
    assert "STOPPED" not in out
    code, out = _gateway(tmp_path, "clearinghouse", "reset", "testch", "--reason", "again")
    assert out == "clearinghouse testch: not stopped; nothing to reset\n"
