"""Daemon and simulator over a real sshd: clean claims paid, held claims held with reasons, a
batch the clearinghouse rejects replayed by the operator and then accepted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.daemon.lifecycle import Daemon
from gateway.simulator.engine import Simulator
from gateway.simulator.folders import mirrored_profile
from gateway.simulator.policy import DEFAULT_POLICY, SimulatorPolicy
from gateway.store import operator_ops
from gateway.store.db import Store
from gateway.store.ledger_read import timeline
from gateway.store.schema import ClaimRow
from gateway.transport import ClearinghouseProfile
from tests.daemon.helpers import clean_templates, held_templates, make_daemon, write_pending
from tests.transport.sshd_peer import SshdPeer

pytestmark = pytest.mark.sshd


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'gateway.db'}")
    yield opened
    opened.close()


def round_trip(daemon: Daemon, simulator: Simulator) -> None:
    daemon.intake()
    daemon.outbound()
    simulator.run_cycle()
    daemon.poll()


def latest_status(store: Store) -> dict[str, tuple[str, str | None]]:
    with store.session() as session:
        rows = session.scalars(select(ClaimRow).order_by(ClaimRow.id)).all()
        return {row.patient_control_number: (row.status, row.status_reason) for row in rows}


def test_paid_held_and_a_replayed_batch_over_sftp(sshd_peer: SshdPeer, tmp_path: Path, store: Store) -> None:
    upload, response = sshd_peer.folder("e2e/to-clearinghouse"), sshd_peer.folder("e2e/from-clearinghouse")
    profile = ClearinghouseProfile(name="peer", **sshd_peer.profile_data(upload, response))
    daemon = make_daemon(store, tmp_path, {"peer": profile})
    policy = SimulatorPolicy(**{**DEFAULT_POLICY.model_dump(), "reject_first_batches": 1})
    simulator = Simulator(mirrored_profile(profile), tmp_path / "simulator", policy)
    clean, held = clean_templates(), held_templates()
    write_pending(tmp_path / "outbound", clean + held)
    daemon.start()
    try:
        round_trip(daemon, simulator)
        (rejected,) = operator_ops.list_batches(store, "rejected")
        assert {status for status, _ in latest_status(store).values()} == {"rejected", "held"}
        operator_ops.replay(store, rejected.id, "operator:test", "payer id added at the clearinghouse")
        for _ in range(3):
            round_trip(daemon, simulator)
    finally:
        daemon.close()
        simulator.transport.close()
    statuses = latest_status(store)
    for claim in clean:
        pcn = claim["patient_control_number"]
        expected = "denied" if pcn.startswith("TPI") else "paid"  # the demo policy denies 20553 (CO-50)
        assert statuses[pcn][0] == expected, pcn
        events = [event.kind for event in timeline(store, pcn).events]
        assert events.count("999") == 2 and "277CA" in events and "835" in events
    for claim in held:
        status, reason = statuses[claim["patient_control_number"]]
        assert status == "held" and reason
    assert [b.status for b in operator_ops.list_batches(store)] == ["accepted", "replaced"]
    assert list(sshd_peer.server_path(upload).iterdir()) == []  # the simulator took every upload
    assert list(sshd_peer.server_path(response).iterdir()) == []  # the daemon took every response
