"""A server that sends no banner gives one line and no traceback; an unsafe name is warned once."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gateway.transport.sftp import SftpTransport
from tests.conftest import REPO
from tests.transport.sshd_peer import SshdPeer
from tests.transport.transport_helpers import make_profile


@pytest.mark.sshd
def test_a_server_that_sends_no_banner_is_one_line_without_a_traceback(
    sshd_factory: type[SshdPeer], tmp_path: Path
) -> None:
    peer = sshd_factory().start()
    data = peer.profile_data(peer.folder("nb/to-ch"), peer.folder("nb/from-ch"), timeout=2.0)
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"clearinghouses": {"acme": data}}))
    assert peer.proc is not None
    os.kill(peer.proc.pid, signal.SIGSTOP)  # the listener accepts in the kernel, never answers
    try:
        env = {**os.environ, "GATEWAY_HOME": str(tmp_path), "GATEWAY_CONFIG": str(config)}
        done = subprocess.run(
            [sys.executable, "-m", "gateway", "clearinghouse", "test", "acme"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.kill(peer.proc.pid, signal.SIGCONT)
    assert (done.returncode, done.stdout) == (1, "")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: clearinghouse acme (sftp://")
    assert "Error reading SSH protocol banner" in done.stderr


@pytest.mark.sshd
def test_an_unsafe_remote_name_is_warned_once_per_name(
    sshd_peer: SshdPeer, caplog: pytest.LogCaptureFixture
) -> None:
    profile = make_profile(sshd_peer, "unsafe-names")
    response = sshd_peer.server_path(profile.response_dir)
    (response / "ok.999").write_bytes(b"ISA")
    (response / "bad\x01name.999").write_bytes(b"ISA")
    transport = SftpTransport(profile)
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.transport.sftp"):
            for _poll in range(3):
                assert [remote.name for remote in transport.list_responses()] == ["ok.999"]
    finally:
        transport.close()
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.transport.sftp"]
    expected = (
        "clearinghouse testch: skipping response (warned once): unsafe file name 'bad\\x01name.999': "
        "contains a control character"
    )
    assert warnings == [expected]
