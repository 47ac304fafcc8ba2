"""`gateway build 278`: writes a gated 0600 file, or nothing and every problem."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from gateway.cli.build_278 import build_278
from gateway.errors import InputError
from gateway.settings import REPO_ROOT, Settings
from gateway.x12.reader import read_segments

EXAMPLE = REPO_ROOT / "examples" / "auths" / "scs_trial_percutaneous.json"


def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"GATEWAY_HOME": str(tmp_path)})


def test_builds_a_gated_file(tmp_path: Path) -> None:
    out = tmp_path / "scs.x12"
    result = CliRunner().invoke(build_278, [str(EXAMPLE), "-o", str(out)], obj=settings(tmp_path))
    assert result.exit_code == 0, result.output
    assert "passed pyx12 with the X217 request map" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    ids = [s.id for s in read_segments(out)]
    assert ids[:3] == ["ISA", "GS", "ST"] and ids[-1] == "IEA"


def test_control_numbers_are_never_reused(tmp_path: Path) -> None:
    first, second = tmp_path / "a.x12", tmp_path / "b.x12"
    for out in (first, second):
        result = CliRunner().invoke(build_278, [str(EXAMPLE), "-o", str(out)], obj=settings(tmp_path))
        assert result.exit_code == 0, result.output
    isa13 = [next(read_segments(p))[13] for p in (first, second)]
    assert isa13[0] != isa13[1]


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    data = json.loads(EXAMPLE.read_text())
    data["auth_requests"][0]["services"] = []
    bad.write_text(json.dumps(data))
    out = tmp_path / "never.x12"
    result = CliRunner().invoke(build_278, [str(bad), "-o", str(out)], obj=settings(tmp_path))
    assert isinstance(result.exception, InputError)
    assert any("services" in p for p in result.exception.problems)
    assert not out.exists()


def test_built_requests_are_recorded_as_requested(tmp_path: Path) -> None:
    from gateway.store.auths import AuthRow
    from gateway.store.db import Store

    result = CliRunner().invoke(
        build_278, [str(EXAMPLE), "-o", str(tmp_path / "a.x12")], obj=settings(tmp_path)
    )
    assert result.exit_code == 0, result.output
    store = Store.open(settings(tmp_path).db_url)
    try:
        with store.session() as session:
            rows = session.query(AuthRow).all()
            assert [(r.request_id, r.status) for r in rows] == [("AUTH-SCS-0001", "requested")]
            assert [s.procedure_code for s in rows[0].services] == ["63650"]
    finally:
        store.close()
