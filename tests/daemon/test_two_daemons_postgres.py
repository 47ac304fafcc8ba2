"""Two daemons on the machine's real PostgreSQL share 2,000 claims without sending any twice.

Both run as separate processes on one database, one watched folder and one clearinghouse.
They meet at the advisory locks (one builder per clearinghouse at a time, one uploader per
batch), at SKIP LOCKED (screening) and at the conditional ``queued -> built`` update.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.rules import load_rule_book
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow, X12FileRow
from tests.conftest import REPO
from tests.daemon.forked import fork_daemon, wait_ok
from tests.daemon.helpers import local_profile, make_claims, pcns_in, write_pending

CLAIMS = 2000


@pytest.mark.postgres
def test_two_daemons_share_2000_claims_each_in_exactly_one_sent_file(
    postgres_url: str, tmp_path: Path
) -> None:
    Store.open(postgres_url).close()  # migrate once, before the daemons start
    load_rule_book(REPO / "payer_configs")
    profile = local_profile(tmp_path)
    claims = make_claims(CLAIMS, prefix="P")
    write_pending(tmp_path / "outbound", claims, per_file=100)
    config = {"max_claims_per_batch": 100, "screen_chunk": 100}
    children = [
        fork_daemon(postgres_url, tmp_path, {profile.name: profile}, f"daemon:{n}", **config) for n in "AB"
    ]
    for pid in children:
        wait_ok(pid, timeout=300)

    uploaded = sorted(Path(profile.upload_dir).iterdir())
    sent = Counter(pcns_in(uploaded))
    assert [pcn for pcn, n in sent.items() if n > 1] == []
    assert set(sent) == {claim["patient_control_number"] for claim in claims}

    store = Store.open(postgres_url)
    try:
        with store.session() as session:
            files = session.execute(
                select(X12FileRow.interchange_control_number, X12FileRow.group_control_number).where(
                    X12FileRow.direction == "outbound"
                )
            ).all()
            batches = session.scalars(select(BatchRow)).all()
            statuses = Counter(session.scalars(select(ClaimRow.status)))
            built_by = Counter(session.scalars(select(EventRow.actor).where(EventRow.kind == "batch.built")))
            sent_by = Counter(session.scalars(select(EventRow.actor).where(EventRow.kind == "batch.sent")))
            screened_by = Counter(
                session.scalars(select(EventRow.actor).where(EventRow.kind == "claim.queued"))
            )
    finally:
        store.close()
    assert statuses == {"sent": CLAIMS}, "each claim once in the ledger, and sent"
    assert len(files) == len(batches) == len(uploaded)
    isa13 = Counter(isa for isa, _ in files)
    gs06 = Counter(gs for _, gs in files)
    assert max(isa13.values()) == 1 and max(gs06.values()) == 1, "control numbers unique"
    assert {b.status for b in batches} == {"sent"}
    assert sum(b.claim_count for b in batches) == CLAIMS
    print(f"\nbuilt by {dict(built_by)}, sent by {dict(sent_by)}, screened by {dict(screened_by)}")
    assert len(set(built_by) | set(sent_by) | set(screened_by)) == 2, "both daemons did part of the work"


@pytest.mark.postgres
def test_daemons_starting_together_on_a_new_database_migrate_once(postgres_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    from gateway.store.batches import open_shared_store

    with ThreadPoolExecutor(3) as pool:
        stores = list(pool.map(lambda _: open_shared_store(postgres_url), range(3)))
    with stores[0].engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM batches")).scalar() == 0
    for store in stores:
        store.close()
