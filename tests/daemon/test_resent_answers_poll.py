"""The poll's health line counts a 999 the clearinghouse sent twice (new control numbers) once as
recorded and once as re-sent; the claims keep the status the first copy gave them."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from gateway.store.db import Store
from gateway.store.schema import ClaimRow
from tests.daemon.helpers import local_profile, make_claims, make_daemon, write_pending
from tests.inbound.test_resent_answers import ack_999


def test_a_re_sent_999_is_counted_on_the_poll_health_line(sqlite_store: Store, tmp_path: Path) -> None:
    profile = local_profile(tmp_path)
    daemon = make_daemon(sqlite_store, tmp_path, {"localch": profile})
    daemon.start()
    try:
        write_pending(tmp_path / "outbound", make_claims(2, "R"))
        daemon.intake()
        daemon.outbound()
        [sent] = Path(profile.upload_dir).iterdir()
        [our_group] = re.findall(r"~GS\*HC\*[^*]*\*[^*]*\*[^*]*\*[^*]*\*([0-9]+)\*", sent.read_text())
        response = Path(profile.response_dir)
        (response / "first.999").write_text(ack_999("000000801", "801", "0001", "R", our_group))
        (response / "again.999").write_text(ack_999("000000802", "802", "0002", "R", our_group))
        report = daemon.poll()
    finally:
        daemon.close()
    assert report is not None
    assert (report.counts["responses_recorded"], report.counts["answers_resent"]) == (2, 1)
    with sqlite_store.session() as session:
        assert sorted(session.scalars(select(ClaimRow.status))) == ["rejected", "rejected"]
