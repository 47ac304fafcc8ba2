"""kill -9 at random points, many times, against the real sshd: nothing lost, nothing twice.

The daemon runs in forked children (see forked.py) on one SQLite database and one real OpenSSH
server; each child is SIGKILLed after a random delay, wherever it is: reading the watched
folder, screening, building, gating, writing the spool file, recording a batch, uploading,
renaming on the server, recording ``sent``.  When new work runs out before the kills do, more
claims are dropped into the folder.  A last child runs to idle.  Then the server's files and the
database are counted independently of the daemon's own bookkeeping.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.pipeline.outbound import gate_issues
from gateway.rules import load_rule_book
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow
from tests.conftest import REPO
from tests.daemon.forked import fork_daemon, kill_after, wait_ok
from tests.daemon.helpers import make_claims, pcns_in, write_pending
from tests.transport.sshd_peer import SshdPeer
from tests.transport.transport_helpers import make_profile

KILLS = 50
CLAIMS_PER_DROP = 240
CONFIG = {"max_claims_per_batch": 6, "screen_chunk": 40}
ISA13_RE = re.compile(rb"^ISA(?:\*[^*]*){12}\*(\d{9})\*")


def _warm_up() -> None:
    """Load what every child would load anyway, once, before forking."""
    load_rule_book(REPO / "payer_configs")
    from tests.daemon.helpers import clean_templates
    from tests.foundation.helpers import build, claims_from

    gate_issues(build(claims_from(clean_templates()[:1])).text)


@pytest.mark.sshd
def test_kill_9_at_random_points_loses_nothing_and_sends_nothing_twice(
    sshd_peer: SshdPeer, tmp_path: Path
) -> None:
    rng = random.Random(20261128)
    profile = make_profile(sshd_peer, "kill9")
    profiles = {profile.name: profile}
    upload = sshd_peer.server_path(profile.upload_dir)
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    Store.open(url).close()  # migrate before any child exists (a kill mid-migration is not the test)
    _warm_up()
    home = tmp_path
    expected: set[str] = set()
    drops = 0

    def drop() -> None:
        nonlocal drops
        claims = make_claims(CLAIMS_PER_DROP, prefix=f"K{drops}")
        write_pending(home / "outbound", claims, per_file=12)
        expected.update(claim["patient_control_number"] for claim in claims)
        drops += 1

    drop()
    kills = runs = 0
    while kills < KILLS:
        runs += 1
        pid = fork_daemon(url, home, profiles, f"daemon:run{runs}", **CONFIG)
        if kill_after(pid, rng.uniform(0.02, 0.45)):
            kills += 1
        else:
            drop()  # it finished everything before the kill: give the next one more to do
    wait_ok(fork_daemon(url, home, profiles, "daemon:final", **CONFIG))

    on_server = sorted(path for path in upload.iterdir())
    assert not [p.name for p in on_server if p.name.endswith(".tmp")], (
        "no partial upload is left looking complete"
    )
    sent_pcns = Counter(pcns_in(on_server))
    duplicates = {pcn: n for pcn, n in sent_pcns.items() if n > 1}
    assert duplicates == {}, f"claims sent twice: {sorted(duplicates)[:10]}"
    assert set(sent_pcns) == expected, f"lost: {sorted(expected - set(sent_pcns))[:10]}"
    isa13s = Counter(ISA13_RE.match(path.read_bytes()).group(1) for path in on_server)  # type: ignore[union-attr]
    assert max(isa13s.values()) == 1, "every file on the server has its own ISA13"

    store = Store.open(url)
    try:
        with store.session() as session:
            claims = session.execute(select(ClaimRow.patient_control_number, ClaimRow.status)).all()
            batches = session.scalars(select(BatchRow)).all()
            found = session.scalars(
                select(EventRow.detail).where(
                    EventRow.kind == "batch.sent", EventRow.detail.contains('"found_on_server": true')
                )
            ).all()
    finally:
        store.close()
    assert Counter(pcn for pcn, _ in claims) == Counter(expected), "one claim row per claim in the ledger"
    assert {status for _, status in claims} == {"sent"}
    assert {b.status for b in batches} == {"sent"}
    assert sorted(b.remote_name for b in batches) == sorted(p.name for p in on_server), "one file per batch"
    assert sum(b.claim_count for b in batches) == len(expected)
    resumed = sum(1 for b in batches if b.attempts > 1)
    orphans = [
        p
        for p in (home / "outbound" / profile.name).iterdir()
        if str(p) not in {b.spool_path for b in batches}
    ]
    print(
        f"\n{kills} kills in {runs} runs, {drops} drops of {CLAIMS_PER_DROP} claims, {len(batches)} batches; "
        f"resumed uploads {resumed}, found on server after a kill {len(found)}, "
        f"abandoned spool files (killed before recording) {len(orphans)}"
    )
