"""Private by default: under the usual umask 022 nothing under GATEWAY_HOME is group/other-readable."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import yaml

from gateway.transport import LocalTransport
from tests.conftest import EXAMPLES, REPO
from tests.profile_sections import sectioned


def _umask_022() -> None:
    os.umask(0o022)


def _gateway(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GATEWAY_HOME": str(home)}
    for key in ("GATEWAY_DB_URL", "GATEWAY_CONFIG", "GATEWAY_OUTBOUND", "GATEWAY_INBOUND"):
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=600, check=False, preexec_fn=_umask_022,
    )  # fmt: skip


def _readable_by_others(home: Path) -> list[str]:
    found = []
    for root, folders, files in os.walk(home):
        for name in [*folders, *files]:
            path = Path(root) / name
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode) and mode & 0o077:
                found.append(f"{path.relative_to(home)} {stat.S_IMODE(mode):04o}")
    return sorted(found)


def test_a_demo_under_umask_022_leaves_nothing_readable_by_others(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    done = _gateway(home, "demo", "--dir", str(home / "demo"))
    assert done.returncode == 0, done.stderr
    demo = home / "demo"
    written = {p.relative_to(demo).parts[0] for p in demo.rglob("*")}
    # intake, build and send, the clearinghouse folders, the simulator, ingest: all were written
    assert {"gateway.db", "outbound", "inbound", "clearinghouse", "simulator"} <= written
    stories = [
        p for p in (EXAMPLES.parent / "after_835").glob("*.json") if not p.name.endswith(".corrected.json")
    ]
    done_files = len(list((demo / "outbound" / "pending" / "done").iterdir()))
    assert done_files == len(list(EXAMPLES.glob("*.json"))) + len(stories)  # examples + the after-835 stories
    assert list((demo / "inbound").glob("demo.*.835.x12")) != []
    assert _readable_by_others(home) == []


def test_run_tightens_an_existing_database_and_spool_with_one_info_line(tmp_path: Path) -> None:
    """As an older version or a hand-made folder left them: 0644 database, 0755 spool folders."""
    for folder in ("up", "down"):
        (tmp_path / folder).mkdir(mode=0o700)
    profile = {
        "transport": "local", "upload_dir": "up", "response_dir": "down",
        "isa_sender_id": "CLINIC042", "isa_receiver_id": "LOCALCLEAR",
        "gs_sender_code": "CLINIC042", "gs_receiver_code": "LOCALCLEAR",
    }  # fmt: skip
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"clearinghouses": {"localch": sectioned(profile)}}))
    config.chmod(0o600)
    assert _gateway(tmp_path, "run", "--once").returncode == 0
    database = tmp_path / "gateway.db"
    database.chmod(0o644)
    pending = tmp_path / "outbound" / "pending"
    pending.mkdir(parents=True, exist_ok=True)
    (tmp_path / "inbound").mkdir(exist_ok=True)
    for path in (tmp_path / "outbound", pending, tmp_path / "inbound"):
        path.chmod(0o755)
    claim = json.loads((EXAMPLES / "esi_lumbar_tfesi_single.json").read_text())
    (pending / "one.json").write_text(json.dumps(claim))
    (pending / "one.json").chmod(0o644)
    assert sorted(_readable_by_others(tmp_path)) == [
        "gateway.db 0644", "inbound 0755", "outbound 0755", "outbound/pending 0755", "outbound/pending/one.json 0644",
    ]  # fmt: skip

    done = _gateway(tmp_path, "run", "--once")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "made " in line and "private" in line]
    assert len(lines) == 1
    assert " INFO " in lines[0] or '"INFO"' in lines[0]
    assert (
        "made 5 path(s) private (files 0600, folders 0700; they were readable by group or others)" in lines[0]
    )
    assert _readable_by_others(tmp_path) == []


def test_a_local_folder_upload_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    upload, response = tmp_path / "up", tmp_path / "down"
    upload.mkdir()
    response.mkdir()
    local = tmp_path / "file.x12"
    local.write_bytes(b"ISA*00~")
    transport = LocalTransport("localch", upload, response)
    old = os.umask(0o022)
    try:
        transport.send(local, "CLINIC_000000001.x12")
    finally:
        os.umask(old)
    assert stat.S_IMODE((upload / "CLINIC_000000001.x12").stat().st_mode) == 0o600
