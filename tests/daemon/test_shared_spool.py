"""Several hosts on one PostgreSQL: the database is the spool, so any daemon sends any batch."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

from sqlalchemy import select

from gateway.pipeline import cycles
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from tests.daemon.helpers import local_profile, make_claims, make_daemon, pcns_in, write_pending


def test_a_batch_built_on_host_a_is_sent_by_host_b_with_the_recorded_bytes(
    postgres_store: Store, tmp_path: Path
) -> None:
    host_a, host_b = tmp_path / "host-a", tmp_path / "host-b"
    # The clearinghouse's share, mounted on both hosts.  Its own name: the work locks are
    # PostgreSQL advisory locks by name, shared with every other test run on this database.
    profile = local_profile(tmp_path, f"spool-{uuid.uuid4().hex[:12]}")
    write_pending(host_a / "outbound", make_claims(3, "M"))
    daemon_a = make_daemon(postgres_store, host_a, {profile.name: profile}, actor="daemon:a")
    cycles.intake_cycle(daemon_a.ctx)
    cycles.outbound_cycle(daemon_a.ctx, send=False)  # host A builds, then goes away
    with postgres_store.session() as session:
        [batch] = session.scalars(select(BatchRow)).all()
    built = Path(batch.spool_path).read_bytes()
    assert Path(batch.spool_path).is_relative_to(host_a)
    Path(batch.spool_path).unlink()  # host B cannot see host A's outbound/ folder

    daemon_b = make_daemon(postgres_store, host_b, {profile.name: profile}, actor="daemon:b")
    report = cycles.outbound_cycle(daemon_b.ctx)
    assert report.counts["batches_sent"] == 1 and report.errors == []
    [uploaded] = sorted(Path(profile.upload_dir).iterdir())
    assert uploaded.read_bytes() == built
    assert sorted(pcns_in([uploaded])) == ["M0000000", "M0000001", "M0000002"]
    copy = host_b / "outbound" / profile.name / batch.remote_name
    assert copy.read_bytes() == built and stat.S_IMODE(copy.stat().st_mode) == 0o600
    with postgres_store.session() as session:
        assert session.get(BatchRow, batch.id).status == "sent"  # type: ignore[union-attr]
