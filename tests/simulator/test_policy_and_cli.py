"""The policy file, the CLI (folder and SFTP), and what an operator sees when something is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gateway.cli.main import main
from gateway.errors import ConfigError
from gateway.simulator.folders import folder_pair
from gateway.simulator.policy import DEFAULT_POLICY, load_policy
from tests.simulator.helpers import auth_file, claim_file, example_claims
from tests.transport.sshd_peer import SshdPeer


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str]]:
    """``gateway ARGS`` in this process, through main() (the operator's error handling)."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        with pytest.raises(SystemExit) as done:
            main(list(args))
        captured = capsys.readouterr()
        return int(done.value.code or 0), captured.out + captured.err

    return invoke


def test_policy_yaml_reads_unquoted_codes_as_text(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "deny: [{procedure: 20553, reason: '50'}]\n"
        "require_auth: [63650]\n"
        "auth: {deny: {64635: '01'}, pend: [63650], pend_cycles: 2}\n"
    )
    policy = load_policy(path)
    assert policy.denial_for("20553") is not None
    assert policy.require_auth == ["63650"]
    assert policy.auth.deny == {"64635": "01"} and policy.auth.pend_cycles == 2
    assert load_policy(None) == DEFAULT_POLICY


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("adjudication: {allowed_percent: 150}\n", "adjudication.allowed_percent"),
        ("reject: [{marker: X, category: Z9}]\n", "reject.0.category"),
        ("unknown_key: 1\n", "unknown_key"),
        ("deny: [: oops\n", "not valid YAML"),
    ],
)
def test_a_bad_policy_names_the_file_and_key(tmp_path: Path, content: str, where: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert str(path) in str(caught.value) and where in str(caught.value)


def test_cli_once_over_a_folder_pair(tmp_path: Path, run: Callable[..., tuple[int, str]]) -> None:
    upload, responses = folder_pair(tmp_path / "ch")
    upload.mkdir(parents=True)
    (upload / "batch.x12").write_text(claim_file(example_claims("esi_lumbar_tfesi_single"), 91))
    (upload / "auth.x12").write_text(auth_file(92, "esi_lumbar_tfesi"))
    code, output = run("simulate-clearinghouse", "--folder", str(tmp_path / "ch"), "--once")
    assert code == 0, output
    assert "cycle 1: 2 file(s) in, 4 response(s) out" in output
    assert "claim ESI2026091501: 277CA A2:20" in output
    assert sorted(p.name for p in responses.iterdir()) == [
        "auth.278.x12",
        "auth.999.x12",
        "batch.277ca.x12",
        "batch.999.x12",
    ]
    assert list(upload.iterdir()) == []
    assert (tmp_path / "ch" / ".simulator" / "state.json").stat().st_mode & 0o777 == 0o600
    code, output = run("simulate-clearinghouse", "--folder", str(tmp_path / "ch"), "--cycles", "1")
    assert code == 0 and "claim ESI2026091501: 835 paid" in output


def test_cli_refuses_both_or_neither_source_and_a_bad_policy(
    tmp_path: Path, run: Callable[..., tuple[int, str]]
) -> None:
    code, output = run("simulate-clearinghouse", "--once")
    assert code == 2 and "exactly one of --folder or --clearinghouse" in output
    code, output = run("simulate-clearinghouse", "--folder", str(tmp_path), "--clearinghouse", "x", "--once")
    assert code == 2
    bad = tmp_path / "policy.yaml"
    bad.write_text("remit_delay_cycles: 0\n")
    code, output = run("simulate-clearinghouse", "--folder", str(tmp_path), "--policy", str(bad), "--once")
    assert code == 2 and "remit_delay_cycles" in output


def test_cli_unknown_clearinghouse_profile(tmp_path: Path, run: Callable[..., tuple[int, str]]) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("clearinghouses: {}\n")
    code, output = run("simulate-clearinghouse", "--clearinghouse", "nope", "--once",
                       env={"GATEWAY_CONFIG": str(config), "GATEWAY_HOME": str(tmp_path)})  # fmt: skip
    assert code == 2 and "clearinghouses.nope is not configured" in output


@pytest.mark.sshd
def test_cli_serves_an_sftp_profile_from_the_other_side(
    sshd_peer: SshdPeer, tmp_path: Path, run: Callable[..., tuple[int, str]]
) -> None:
    upload = sshd_peer.folder("sim/to-clearinghouse")
    responses = sshd_peer.folder("sim/from-clearinghouse")
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"clearinghouses": {"peer": sshd_peer.profile_data(upload, responses)}}))
    sshd_peer.server_path(upload).joinpath("batch.x12").write_text(
        claim_file(example_claims("esi_lumbar_tfesi_single"), 93)
    )
    env = {"GATEWAY_CONFIG": str(config), "GATEWAY_HOME": str(tmp_path)}
    code, output = run("simulate-clearinghouse", "--clearinghouse", "peer", "--once", env=env)
    assert code == 0, output
    served = sorted(p.name for p in sshd_peer.server_path(responses).iterdir())
    assert served == ["batch.277ca.x12", "batch.999.x12"]
    assert list(sshd_peer.server_path(upload).iterdir()) == []
    assert (tmp_path / "simulator" / "peer" / "state.json").exists()


def test_the_example_in_the_policy_docstring_is_a_valid_policy() -> None:
    import gateway.simulator.policy as module

    assert module.__doc__ is not None
    example = module.__doc__.split("::", 1)[1].split("``DEFAULT_POLICY``", 1)[0]
    policy = module.SimulatorPolicy.model_validate(yaml.safe_load(example))
    assert policy.auth.pend == ["63650"] and policy.require_auth == ["63650", "64635"]
