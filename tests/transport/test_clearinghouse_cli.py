"""`gateway clearinghouse check|test` against config files and the real sshd."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gateway.cli.clearinghouse import clearinghouse
from gateway.cli.main import main
from gateway.errors import ConfigError, PermanentTransportError
from gateway.settings import Settings
from tests.transport.sshd_peer import SshdPeer, keygen


def _config(tmp_path: Path, peer: SshdPeer, **overrides: object) -> Settings:
    data = peer.profile_data(peer.folder("cli/to-ch"), peer.folder("cli/from-ch"), **overrides)
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"clearinghouses": {"acme": data}}))
    return Settings.from_env({"GATEWAY_HOME": str(tmp_path), "GATEWAY_CONFIG": str(config)})


def test_test_command_reports_one_line(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    result = CliRunner().invoke(clearinghouse, ["test", "acme"], obj=_config(tmp_path, sshd_peer))
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"clearinghouse acme: ok, sftp://{sshd_peer.user}@127.0.0.1:")


def test_test_command_raises_one_line_transport_error(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    other = tmp_path / "other_ed25519"
    settings = _config(tmp_path, sshd_peer, host_key=keygen(other))
    result = CliRunner().invoke(clearinghouse, ["test", "acme"], obj=settings)
    assert isinstance(result.exception, PermanentTransportError)
    assert "host key mismatch" in str(result.exception) and "\n" not in str(result.exception)


def test_check_lists_problems(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    settings = _config(tmp_path, sshd_peer, private_key=str(tmp_path / "absent"))
    result = CliRunner().invoke(clearinghouse, ["check"], obj=settings)
    assert isinstance(result.exception, ConfigError)
    assert result.exception.problems == [
        f"clearinghouse acme: private_key {tmp_path / 'absent'}: No such file or directory"
    ]


def test_check_passes_on_a_ready_profile(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    result = CliRunner().invoke(clearinghouse, ["check"], obj=_config(tmp_path, sshd_peer))
    assert result.exit_code == 0, result.output
    assert "1 clearinghouse profile(s) ready: acme" in result.output


def test_unknown_name_is_a_config_error(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    result = CliRunner().invoke(clearinghouse, ["test", "nope"], obj=_config(tmp_path, sshd_peer))
    assert isinstance(result.exception, ConfigError) and "known: acme" in str(result.exception)


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_gateway_command_end_to_end(
    sshd_peer: SshdPeer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _config(tmp_path, sshd_peer)
    monkeypatch.setenv("GATEWAY_CONFIG", str(settings.config_file))
    code, out, err = _main(["clearinghouse", "test", "acme"], capsys)
    assert (code, err) == (0, "") and out.count("\n") == 1 and "clearinghouse acme: ok" in out

    other = _config(tmp_path, sshd_peer, private_key=str(tmp_path / "stranger"))
    keygen(tmp_path / "stranger")
    monkeypatch.setenv("GATEWAY_CONFIG", str(other.config_file))
    code, out, err = _main(["clearinghouse", "test", "acme"], capsys)
    assert code == 1 and out == ""
    assert (
        err.count("\n") == 1 and err.startswith("error: clearinghouse acme") and "server rejected key" in err
    )
