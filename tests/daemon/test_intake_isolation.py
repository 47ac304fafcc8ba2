"""One poison claims file never blocks the others: each file is its own failure domain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from gateway.errors import InputError, StoreError
from gateway.intake import MAX_INPUT_BYTES, MAX_JSON_DEPTH, parse_claims, read_json
from gateway.store.db import Store
from gateway.store.schema import ClaimRow
from tests.conftest import REPO
from tests.daemon.helpers import local_profile, make_claims, make_daemon, pcns_in
from tests.profile_sections import sectioned

DEEP = 100_000


def _pending(home: Path) -> Path:
    pending = home / "outbound" / "pending"
    pending.mkdir(parents=True, exist_ok=True)
    return pending


def _poison_beside_valid(home: Path) -> Path:
    """a_deep.json (100,000 levels), b_valid.json, c_garbage.json, d_valid.json; returns pending/."""
    pending = _pending(home)
    (pending / "a_deep.json").write_text("[" * DEEP + "]" * DEEP)
    (pending / "b_valid.json").write_text(json.dumps({"claims": make_claims(2, "B")}))
    (pending / "c_garbage.json").write_text('{"claims": [')
    (pending / "d_valid.json").write_text(json.dumps({"claims": make_claims(1, "D")}))
    return pending


def _pcns(store: Store) -> list[str]:
    with store.session() as session:
        return sorted(session.scalars(select(ClaimRow.patient_control_number)))


def test_a_100000_deep_file_is_rejected_and_the_files_after_it_are_taken(
    sqlite_store: Store, tmp_path: Path
) -> None:
    pending = _poison_beside_valid(tmp_path)
    profile = local_profile(tmp_path)
    report = make_daemon(sqlite_store, tmp_path, {profile.name: profile}).intake()

    assert _pcns(sqlite_store) == ["B0000000", "B0000001", "D0000000"]
    assert report.counts["files_taken"] == 2 and report.counts["files_rejected"] == 2
    assert report.errors == [
        f"{pending / 'a_deep.json'}: nested deeper than {MAX_JSON_DEPTH} levels (the limit for intake files)",
        f"{pending / 'c_garbage.json'}: not JSON: Expecting value at line 1 column 13",
    ]
    rejected = pending / "rejected"
    assert sorted(p.name for p in rejected.iterdir()) == [
        "a_deep.json", "a_deep.json.reason", "c_garbage.json", "c_garbage.json.reason",
    ]  # fmt: skip
    assert (rejected / "a_deep.json.reason").read_text() == report.errors[0] + "\n"
    assert (rejected / "a_deep.json.reason").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (pending / "done").iterdir()) == ["b_valid.json", "d_valid.json"]
    assert sorted(p.name for p in pending.iterdir()) == ["done", "rejected"]


def test_gateway_run_once_takes_the_valid_files_beside_a_poison_one(tmp_path: Path) -> None:
    for folder in ("up", "down"):
        (tmp_path / folder).mkdir()
    profile = {
        "transport": "local", "upload_dir": "up", "response_dir": "down",
        "isa_sender_id": "CLINIC042", "isa_receiver_id": "LOCALCLEAR",
        "gs_sender_code": "CLINIC042", "gs_receiver_code": "LOCALCLEAR",
    }  # fmt: skip
    (tmp_path / "gateway.yaml").write_text(
        yaml.safe_dump({"clearinghouses": {"localch": sectioned(profile)}})
    )
    _poison_beside_valid(tmp_path)
    env = {**os.environ, "GATEWAY_HOME": str(tmp_path)}
    env.pop("GATEWAY_DB_URL", None)
    env.pop("GATEWAY_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "run", "--once"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in done.stderr  # the health warning names it
    assert sorted(pcns_in(sorted((tmp_path / "up").glob("*.x12")))) == ["B0000000", "B0000001", "D0000000"]


def test_an_unexpected_failure_of_one_file_rejects_that_file_only(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = _pending(tmp_path)
    (pending / "a.json").write_text(json.dumps({"claims": make_claims(1, "A")}))
    (pending / "b.json").write_text(json.dumps({"claims": make_claims(1, "B")}))

    def crash_on_a(document: object, source: str) -> object:  # a fault no real file can inject
        if source.endswith("a.json"):
            raise KeyError("surprise")
        return parse_claims(document, source)

    monkeypatch.setattr("gateway.pipeline.intake_folder.parse_claims", crash_on_a)
    profile = local_profile(tmp_path)
    report = make_daemon(sqlite_store, tmp_path, {profile.name: profile}).intake()
    assert report.errors == [f"{pending / 'a.json'}: cannot be taken (KeyError: 'surprise')"]
    assert _pcns(sqlite_store) == ["B0000000"]
    assert (pending / "rejected" / "a.json.reason").exists()


def test_a_database_outage_keeps_the_file_pending(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = _pending(tmp_path)
    (pending / "a.json").write_text(json.dumps({"claims": make_claims(1, "A")}))

    def away(*_args: object) -> None:
        raise StoreError("a.json: database unavailable: OperationalError")

    monkeypatch.setattr("gateway.store.intake_ops.take_intake_file", away)
    profile = local_profile(tmp_path)
    with pytest.raises(StoreError, match=r"^a\.json: database unavailable: OperationalError$"):
        make_daemon(sqlite_store, tmp_path, {profile.name: profile}).intake()
    assert sorted(p.name for p in pending.iterdir()) == ["a.json"]


def test_cli_read_json_limits_name_the_file(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("{" + '"a":{' * DEEP + "}" * (DEEP + 1))
    with pytest.raises(InputError) as raised:
        read_json(deep)
    assert (
        str(raised.value)
        == f"{deep}: nested deeper than {MAX_JSON_DEPTH} levels (the limit for intake files)"
    )
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(InputError) as raised:
        read_json(big)
    assert str(raised.value) == (
        f"{big}: {MAX_INPUT_BYTES + 1} bytes, more than the {MAX_INPUT_BYTES} an intake file may have"
    )


def test_gateway_check_on_a_deep_file_is_one_line_exit_2(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * DEEP + "]" * DEEP)
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "check", str(deep)],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: {deep}: nested deeper than {MAX_JSON_DEPTH} levels (the limit for intake files)\n"
    )
