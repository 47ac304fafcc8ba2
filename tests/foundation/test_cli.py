from __future__ import annotations

import copy
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, REPO


def gateway(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "gateway.yaml"
    if not config.exists():  # one clearinghouse: `build 837p` takes its identity (1000A/1000B)
        shutil.copyfile(REPO / "examples" / "clearinghouses" / "local_folders.yaml", config)
    env = {**os.environ, "GATEWAY_HOME": str(tmp_path)}
    env.pop("GATEWAY_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_build_and_validate_an_example(tmp_path: Path) -> None:
    out = tmp_path / "out.x12"
    result = gateway(tmp_path, "build", "837p", str(EXAMPLES / "rfa_lumbar_bilateral.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "passed our checks and pyx12" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().startswith("ISA*00*")
    checked = gateway(tmp_path, "validate", str(out))
    assert checked.returncode == 0 and "837P valid" in checked.stdout
    # The claim is now in the operator's own batch 1 (built, never sent by a daemon): building it
    # again is refused until that batch is cancelled (its file is removed; its control numbers stay
    # burned); the rebuild gets new control numbers.
    refused = gateway(tmp_path, "build", "837p", str(EXAMPLES / "rfa_lumbar_bilateral.json"), "-o", str(out))
    assert refused.returncode == 3 and "batch that has not been sent yet" in refused.stderr
    cancelled = gateway(tmp_path, "batches", "cancel", "1", "--reason", "rebuild", "--actor", "operator:test")
    assert cancelled.returncode == 0, cancelled.stderr
    again = gateway(tmp_path, "build", "837p", str(EXAMPLES / "rfa_lumbar_bilateral.json"), "-o", str(out))
    assert "ISA13 000000003" in again.stdout  # the refused build burned 000000002: never reused


def test_bad_claims_exit_non_zero_list_every_problem_and_write_nothing(
    tmp_path: Path, example_claims: list[dict[str, Any]]
) -> None:
    bad = copy.deepcopy(example_claims[1])
    bad["patient_control_number"] = "BADNPI"
    bad["billing_provider"]["npi"] = "1234567890"
    worse = copy.deepcopy(example_claims[2])
    worse["patient_control_number"] = "BADNAME"
    worse["subscriber"]["person"]["last_name"] = "SMITH~JONES"
    source = tmp_path / "claims.json"
    source.write_text(json.dumps({"claims": [example_claims[0], bad, worse]}))
    out = tmp_path / "out.x12"
    result = gateway(tmp_path, "build", "837p", str(source), "-o", str(out))
    assert result.returncode == 2
    no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: {source}: 2 problem(s) in the claims"
    assert "(claim BADNPI): billing_provider.npi: NPI 1234567890 fails" in lines[1]
    assert "(claim BADNAME): subscriber.person.last_name: contains the X12 delimiter" in lines[2]
    assert "SMITH" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", 2, "empty file"),
        (b"this is not edi", 2, "no ISA segment"),
        (b"ISA*00*  ", 2, "truncated ISA"),
    ],
)
def test_validate_unreadable_files(tmp_path: Path, content: bytes, code: int, message: str) -> None:
    path = tmp_path / "in.x12"
    path.write_bytes(content)
    result = gateway(tmp_path, "validate", str(path))
    assert result.returncode == code and message in result.stderr and str(path) in result.stderr
    no_traceback(result)


def test_validate_reports_errors_with_exit_1(tmp_path: Path) -> None:
    out = tmp_path / "good.x12"
    assert (
        gateway(
            tmp_path, "build", "837p", str(EXAMPLES / "trigger_point_injections.json"), "-o", str(out)
        ).returncode
        == 0
    )
    broken = tmp_path / "broken.x12"
    broken.write_text(out.read_text().replace("*UN*", "*ZZ*"))
    result = gateway(tmp_path, "validate", str(broken))
    assert result.returncode == 1
    assert "SV103" in result.stdout and "INVALID (1 error(s))" in result.stdout


def test_missing_file_and_schema(tmp_path: Path) -> None:
    result = gateway(tmp_path, "build", "837p", str(tmp_path / "nope.json"))
    assert result.returncode == 2 and "nope.json: cannot read" in result.stderr
    no_traceback(result)
    schema = gateway(tmp_path, "schema", "claim")
    assert schema.returncode == 0
    document = json.loads(schema.stdout)
    claim = document["$defs"]["Claim"]
    assert {"patient_control_number", "service_lines", "evidence"} <= set(claim["properties"])
    assert "ClinicalEvidence" in document["$defs"]


def test_every_listed_command_loads_and_the_help_needs_no_import(tmp_path: Path) -> None:
    import click

    from gateway.cli.main import COMMANDS, cli

    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert isinstance(command, click.Command), name
    # `gateway --help` lists every command from the table, without importing the database layer.
    script = (
        "import sys\nfrom gateway.cli.main import main\nsys.argv = ['gateway', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint('sqlalchemy' in sys.modules)"
    )
    probe = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert all(name in probe.stdout for name in COMMANDS)
    assert probe.stdout.strip().endswith("False")
    assert "hold" in gateway(tmp_path, "claims", "--help").stdout  # attached by gateway.cli.operator
