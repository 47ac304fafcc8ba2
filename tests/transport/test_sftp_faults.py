"""Faults against a real OpenSSH sshd: nothing partial looks complete, nothing is lost locally,
temporary faults are retried (bounded), permanent ones alert once and are not retried.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.errors import PermanentTransportError, TemporaryTransportError
from gateway.transport.profiles import ClearinghouseProfile
from gateway.transport.sftp import SftpTransport
from tests.transport.sshd_peer import SshdPeer, keygen
from tests.transport.transport_helpers import Alerts, Sleeps, make_profile

NO_RETRY = {"attempts": 1, "base_delay": 0.01, "max_delay": 0.01}
BIG = 48 << 20  # big enough that a transfer is still running when the watcher sees it start


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _big_file(path: Path, size: int = BIG) -> Path:
    with path.open("wb") as handle:
        handle.write(os.urandom(1 << 20))
        handle.truncate(size)  # the rest is a hole: quick to make, still real bytes on the wire
    return path


class KillWhen(threading.Thread):
    """Kill the server's sessions once ``grown()`` reports a transfer under way."""

    def __init__(self, peer: SshdPeer, grown: Callable[[], bool]) -> None:
        super().__init__(daemon=True)
        self.peer, self.grown, self.killed = peer, grown, 0

    def run(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.killed:
            if self.grown():
                self.killed = self.peer.kill_sessions()
            time.sleep(0.002)


def _size_at_least(path: Path, size: int) -> Callable[[], bool]:
    def grown() -> bool:
        try:
            return path.stat().st_size >= size
        except OSError:
            return False

    return grown


def _part_file_growing(folder: Path) -> Callable[[], bool]:
    def grown() -> bool:
        try:
            return any(p.name.endswith(".part") and p.stat().st_size > (1 << 20) for p in folder.iterdir())
        except OSError:  # the part file went away between listing and stat
            return False

    return grown


def test_server_down_is_temporary_and_retried_with_bounded_jittered_backoff(
    sshd_factory: type[SshdPeer], tmp_path: Path, alerts: Alerts, sleeps: Sleeps
) -> None:
    peer = sshd_factory().start()
    profile = make_profile(peer, "down", retry={"attempts": 4, "base_delay": 0.5, "max_delay": 2.0})
    peer.stop()
    claim = tmp_path / "c.x12"
    claim.write_bytes(b"ISA~")
    transport = SftpTransport(profile, alert=alerts, sleep=sleeps)
    with pytest.raises(TemporaryTransportError, match="clearinghouse testch"):
        transport.send(claim, "c.x12")
    assert len(sleeps) == 3
    assert all(0 <= wait <= 2.0 for wait in sleeps)
    assert alerts == []
    peer.start(keep_port=True)
    transport.send(claim, "c.x12")  # not latched: works as soon as the server is back
    transport.close()
    assert (peer.server_path(profile.upload_dir) / "c.x12").read_bytes() == b"ISA~"


def test_session_killed_mid_upload_leaves_no_complete_looking_file(
    sshd_factory: type[SshdPeer], tmp_path: Path
) -> None:
    peer = sshd_factory().start()
    profile = make_profile(peer, "kill_up", retry=NO_RETRY)
    upload = peer.server_path(profile.upload_dir)
    big = _big_file(tmp_path / "big.x12")
    before = _sha(big)
    transport = SftpTransport(profile)
    killer = KillWhen(peer, _size_at_least(upload / "big.x12.tmp", 1 << 20))
    killer.start()
    with pytest.raises(TemporaryTransportError):
        transport.send(big, "big.x12")
    killer.join()
    assert killer.killed > 0
    assert "big.x12" not in os.listdir(upload)
    assert _sha(big) == before, "the local file is untouched"
    # The next connection removes our unfinished upload before it does anything else.
    small = tmp_path / "next.x12"
    small.write_bytes(b"next")
    transport.send(small, "next.x12")
    transport.close()
    assert sorted(os.listdir(upload)) == ["next.x12"]


def test_session_killed_mid_upload_is_retried_to_a_complete_file(
    sshd_factory: type[SshdPeer], tmp_path: Path, sleeps: Sleeps
) -> None:
    peer = sshd_factory().start()
    profile = make_profile(peer, "retry_up")
    upload = peer.server_path(profile.upload_dir)
    big = _big_file(tmp_path / "big.x12")
    transport = SftpTransport(profile, sleep=sleeps)
    killer = KillWhen(peer, _size_at_least(upload / "big.x12.tmp", 1 << 20))
    killer.start()
    receipt = transport.send(big, "big.x12")
    killer.join()
    transport.close()
    assert killer.killed > 0 and len(sleeps) == 1 and transport.connects == 2
    assert receipt.size == BIG
    assert sorted(os.listdir(upload)) == ["big.x12"]
    assert _sha(upload / "big.x12") == _sha(big)


def test_session_killed_mid_download_lands_nothing_and_keeps_the_server_file(
    sshd_factory: type[SshdPeer], tmp_path: Path, inbound: Path
) -> None:
    peer = sshd_factory().start()
    profile = make_profile(peer, "kill_down", retry=NO_RETRY)
    remote_big = _big_file(peer.server_path(profile.response_dir) / "big.835", 24 << 20)
    os.chown(remote_big, peer.uid, peer.gid)
    expected = _sha(remote_big)
    transport = SftpTransport(profile)
    remote = transport.list_responses()[0]
    killer = KillWhen(peer, _part_file_growing(inbound))
    killer.start()
    with pytest.raises(TemporaryTransportError):
        transport.fetch(remote, inbound)
    killer.join()
    assert killer.killed > 0
    assert os.listdir(inbound) == [], "no partial file, under any name"
    assert _sha(remote_big) == expected, "the server still has the whole file"
    landed = transport.fetch(remote, inbound)
    transport.close()
    assert landed.sha256 == expected and _sha(landed.local_path) == expected


def test_server_disk_full_is_temporary_and_leaves_no_file(
    sshd_factory: type[SshdPeer], tmp_path: Path, alerts: Alerts, sleeps: Sleeps
) -> None:
    peer = sshd_factory(disk_limit="2m").start()
    data = peer.profile_data("full", peer.folder("responses"))
    transport = SftpTransport(ClearinghouseProfile(name="testch", **data), alert=alerts, sleep=sleeps)
    claim = tmp_path / "big.x12"
    claim.write_bytes(os.urandom(3 << 20))
    with pytest.raises(TemporaryTransportError, match="size mismatch"):
        transport.send(claim, "big.x12")
    assert len(sleeps) == 2 and alerts == []
    assert os.listdir(peer.server_path("full")) == [], "no complete-looking file, no temp file"
    assert claim.stat().st_size == 3 << 20
    small = tmp_path / "small.x12"
    small.write_bytes(b"x" * 1000)
    transport.send(small, "small.x12")  # space is back: the same transport goes on
    transport.close()
    assert os.listdir(peer.server_path("full")) == ["small.x12"]


def test_read_only_upload_folder_is_permanent_alerts_once_and_is_not_retried(
    sshd_peer: SshdPeer, tmp_path: Path, alerts: Alerts, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    profile = make_profile(sshd_peer, "read_only")
    upload = sshd_peer.server_path(profile.upload_dir)
    upload.chmod(0o555)
    claim = tmp_path / "c.x12"
    claim.write_bytes(b"ISA~")
    transport = SftpTransport(profile, alert=alerts, sleep=sleeps)
    with pytest.raises(PermanentTransportError, match="permission denied"):
        transport.send(claim, "c.x12")
    connections = sshd_peer.connections()
    with pytest.raises(PermanentTransportError, match="stopped until reset"):
        transport.send(claim, "c.x12")
    assert sshd_peer.connections() == connections, "a stopped clearinghouse is not contacted"
    assert sleeps == [] and [alert.kind for alert in alerts] == ["permission"]
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert len(errors) == 1 and "transport alert [permission]" in errors[0].getMessage()
    assert os.listdir(upload) == []
    upload.chmod(0o755)
    transport.reset()
    transport.send(claim, "c.x12")
    transport.close()
    assert os.listdir(upload) == ["c.x12"]


def test_wrong_host_key_is_permanent_and_never_retried(
    sshd_peer: SshdPeer, tmp_path: Path, alerts: Alerts, sleeps: Sleeps
) -> None:
    impostor = keygen(tmp_path / "other_host_key")
    transport = SftpTransport(
        make_profile(sshd_peer, "host_key", host_key=impostor), alert=alerts, sleep=sleeps
    )
    connections = sshd_peer.connections()
    for _ in range(3):
        with pytest.raises(PermanentTransportError, match="host key mismatch"):
            transport.list_responses()
    assert sshd_peer.connections() == connections + 1 and sleeps == []
    assert [alert.kind for alert in alerts] == ["host_key"]
    assert "pinned ssh-ed25519 SHA256:" in alerts[0].message


def test_host_without_a_pinned_key_is_refused(sshd_peer: SshdPeer, tmp_path: Path, alerts: Alerts) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"127.0.0.1 {sshd_peer.host_key}\n")  # port 22 form: not this server
    profile = make_profile(sshd_peer, "unpinned", host_key=None, known_hosts=str(known_hosts))
    with pytest.raises(PermanentTransportError, match="has no pinned host key"):
        SftpTransport(profile, alert=alerts).probe()
    assert known_hosts.read_text() == f"127.0.0.1 {sshd_peer.host_key}\n", "never auto-added"
    assert [alert.kind for alert in alerts] == ["host_key"]


def test_wrong_client_key_is_permanent_and_tried_once(
    sshd_peer: SshdPeer, tmp_path: Path, alerts: Alerts, sleeps: Sleeps
) -> None:
    stranger = tmp_path / "stranger_ed25519"
    keygen(stranger)
    transport = SftpTransport(
        make_profile(sshd_peer, "client_key", private_key=str(stranger)), alert=alerts, sleep=sleeps
    )
    connections = sshd_peer.connections()
    with pytest.raises(PermanentTransportError, match="server rejected key"):
        transport.list_responses()
    with pytest.raises(PermanentTransportError):
        transport.list_responses()
    assert sshd_peer.connections() == connections + 1, "one try: no account lockout"
    assert sleeps == [] and [alert.kind for alert in alerts] == ["auth"]


def test_missing_private_key_file_is_permanent(sshd_peer: SshdPeer, tmp_path: Path, alerts: Alerts) -> None:
    profile = make_profile(sshd_peer, "no_key", private_key=str(tmp_path / "absent"))
    with pytest.raises(PermanentTransportError, match="absent"):
        SftpTransport(profile, alert=alerts).list_responses()
    assert [alert.kind for alert in alerts] == ["config"]


def test_server_with_only_sha1_key_exchange_is_permanent(
    sshd_factory: type[SshdPeer], alerts: Alerts, sleeps: Sleeps
) -> None:
    peer = sshd_factory(extra_config="KexAlgorithms diffie-hellman-group14-sha1").start()
    transport = SftpTransport(make_profile(peer, "legacy"), alert=alerts, sleep=sleeps)
    with pytest.raises(PermanentTransportError, match="no common algorithm"):
        transport.list_responses()
    assert sleeps == [] and [alert.kind for alert in alerts] == ["algorithms"]


def test_unparsable_pinned_host_key_is_a_permanent_config_problem(
    sshd_peer: SshdPeer, alerts: Alerts
) -> None:
    bogus = "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQC="  # base64 of an RSA blob's start
    transport = SftpTransport(make_profile(sshd_peer, "bogus_pin", host_key=bogus), alert=alerts)
    with pytest.raises(PermanentTransportError, match="host_key is not a valid ssh-ed25519 key"):
        transport.list_responses()
    assert [alert.kind for alert in alerts] == ["config"]


def test_missing_known_hosts_file_is_a_permanent_config_problem(
    sshd_peer: SshdPeer, tmp_path: Path, alerts: Alerts
) -> None:
    profile = make_profile(sshd_peer, "no_kh", host_key=None, known_hosts=str(tmp_path / "absent_kh"))
    with pytest.raises(PermanentTransportError, match=r"known_hosts .*absent_kh: No such file"):
        SftpTransport(profile, alert=alerts).list_responses()
    assert [alert.kind for alert in alerts] == ["config"]
