"""A birth date after the date of service is refused at intake, naming the claim and the field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gateway.errors import InputError
from gateway.intake import parse_claims
from gateway.store.db import Store
from tests.daemon.helpers import local_profile, make_claims, make_daemon


def _born_after_service(claim: dict[str, object], who: str) -> None:
    lines = claim["service_lines"]
    assert isinstance(lines, list)
    first = min(dt.date.fromisoformat(line["service_date"]) for line in lines)
    person = claim["subscriber"]["person"] if who == "subscriber" else claim["patient"]["person"]  # type: ignore[index]
    person["birth_date"] = (first + dt.timedelta(days=1)).isoformat()


def test_parse_claims_names_the_claim_and_the_field_without_the_value() -> None:
    claims = make_claims(2, "B")
    _born_after_service(claims[1], "subscriber")
    with pytest.raises(InputError) as raised:
        parse_claims({"claims": claims}, "claims.json")
    assert str(raised.value) == "claims.json: 1 problem(s) in the claims"
    assert raised.value.problems == [
        "claims[1] (claim B0000001): subscriber.person.birth_date is after the first date of service"
    ]


def test_the_daemon_rejects_the_file_and_takes_the_others(sqlite_store: Store, tmp_path: Path) -> None:
    pending = tmp_path / "outbound" / "pending"
    pending.mkdir(parents=True)
    bad = make_claims(1, "X")
    _born_after_service(bad[0], "subscriber")
    (pending / "a_bad.json").write_text(json.dumps({"claims": bad}))
    (pending / "b_good.json").write_text(json.dumps({"claims": make_claims(1, "G")}))
    profile = local_profile(tmp_path)
    report = make_daemon(sqlite_store, tmp_path, {profile.name: profile}).intake()
    assert report.counts["files_taken"] == 1 and report.counts["files_rejected"] == 1
    reason = (pending / "rejected" / "a_bad.json.reason").read_text()
    assert reason == (
        f"{pending / 'a_bad.json'}: 1 problem(s) in the claims\n"
        "claims[0] (claim X0000000): subscriber.person.birth_date is after the first date of service\n"
    )
