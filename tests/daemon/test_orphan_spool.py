"""Spool files no batch records (a build killed before it was recorded) go after a day, logged."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.pipeline import cycles
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from tests.daemon.helpers import local_profile, make_claims, make_daemon, write_pending

TWO_DAYS = 2 * 24 * 3600


def test_daemon_start_removes_old_orphans_only(
    sqlite_store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(2, "O"))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    cycles.intake_cycle(daemon.ctx)
    cycles.outbound_cycle(daemon.ctx, send=False)
    with sqlite_store.session() as session:
        [batch] = session.scalars(select(BatchRow)).all()
    folder = tmp_path / "outbound" / profile.name
    old_orphan, young_orphan = folder / "CLINIC042_000000099_x.x12", folder / "CLINIC042_000000100_x.x12"
    old_orphan.write_bytes(b"ISA")
    young_orphan.write_bytes(b"ISA")
    long_ago = time.time() - TWO_DAYS
    for path in (old_orphan, Path(batch.spool_path)):
        os.utime(path, (long_ago, long_ago))

    restarted = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    with caplog.at_level(logging.INFO, logger="gateway.pipeline.spool"):
        restarted.start()
    restarted.close()
    assert sorted(p.name for p in folder.iterdir()) == sorted([batch.remote_name, young_orphan.name])
    assert [r.getMessage() for r in caplog.records if r.name == "gateway.pipeline.spool"] == [
        f"removed spool file {old_orphan}: no batch records it and it is older than a day"
    ]
