"""SftpTransport against a real OpenSSH sshd: the contract, pinning and connection settings."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path
from typing import Any

import paramiko
import pytest

from gateway.transport.sftp import SftpTransport
from tests.transport.sshd_peer import SshdPeer
from tests.transport.transport_helpers import Alerts, Sleeps, make_profile


def test_send_list_fetch_ack_round_trip(sshd_peer: SshdPeer, tmp_path: Path, inbound: Path) -> None:
    profile = make_profile(sshd_peer, "round_trip")
    outbound = tmp_path / "claim.x12"
    outbound.write_bytes(b"ISA*00*~" * 1000)
    transport = SftpTransport(profile)
    try:
        receipt = transport.send(outbound, "CLINIC042_000000001.x12")
        uploaded = sshd_peer.server_path(profile.upload_dir) / "CLINIC042_000000001.x12"
        assert uploaded.read_bytes() == outbound.read_bytes()
        assert receipt.size == outbound.stat().st_size
        assert sorted(os.listdir(uploaded.parent)) == ["CLINIC042_000000001.x12"]

        responses = sshd_peer.server_path(profile.response_dir)
        (responses / "first.999").write_bytes(b"999 first")
        (responses / "second.277").write_bytes(b"277 second")
        os.utime(responses / "first.999", (1_700_000_000, 1_700_000_000))
        listed = transport.list_responses()
        assert [remote.name for remote in listed] == ["first.999", "second.277"]

        landed = transport.fetch(listed[0], inbound)
        assert landed.local_path == inbound / "testch.first.999"
        assert landed.local_path.read_bytes() == b"999 first"
        assert landed.sha256 == hashlib.sha256(b"999 first").hexdigest()
        assert landed.local_path.stat().st_mode & 0o777 == 0o600
        assert (responses / "first.999").exists(), "fetch must not remove before ack"

        transport.ack(listed[0])
        transport.ack(listed[0])  # idempotent: a repeat after a crash is harmless
        assert [remote.name for remote in transport.list_responses()] == ["second.277"]
        assert transport.connects == 1, "all of it over one connection"
    finally:
        transport.close()


def test_listing_hides_temp_hidden_and_folders(sshd_peer: SshdPeer) -> None:
    profile = make_profile(sshd_peer, "listing", response_glob="*.x12")
    responses = sshd_peer.server_path(profile.response_dir)
    for name in ("ok.x12", "upload.x12.tmp", ".hidden.x12", "other.txt"):
        (responses / name).write_bytes(b"x")
    (responses / "sub.x12").mkdir()
    transport = SftpTransport(profile)
    try:
        assert [remote.name for remote in transport.list_responses()] == ["ok.x12"]
    finally:
        transport.close()


def test_refetch_of_same_bytes_reuses_local_file_and_new_bytes_never_overwrite(
    sshd_peer: SshdPeer, inbound: Path
) -> None:
    profile = make_profile(sshd_peer, "refetch")
    responses = sshd_peer.server_path(profile.response_dir)
    (responses / "r.999").write_bytes(b"one")
    transport = SftpTransport(profile)
    try:
        remote = transport.list_responses()[0]
        first = transport.fetch(remote, inbound)
        again = transport.fetch(remote, inbound)
        assert again.local_path == first.local_path
        (responses / "r.999").write_bytes(b"two, different")
        changed = transport.fetch(transport.list_responses()[0], inbound)
        assert changed.local_path == inbound / "testch.r.999.1"
        assert first.local_path.read_bytes() == b"one"
        assert sorted(os.listdir(inbound)) == ["testch.r.999", "testch.r.999.1"]
    finally:
        transport.close()


def test_ack_archives_when_an_archive_folder_is_configured(sshd_peer: SshdPeer) -> None:
    archive = sshd_peer.folder("archived/done")
    profile = make_profile(sshd_peer, "archived", archive_dir=archive)
    (sshd_peer.server_path(profile.response_dir) / "a.835").write_bytes(b"835")
    transport = SftpTransport(profile)
    try:
        transport.ack(transport.list_responses()[0])
        assert (sshd_peer.server_path(archive) / "a.835").read_bytes() == b"835"
        assert transport.list_responses() == []
    finally:
        transport.close()


def test_known_hosts_file_pin_works_and_is_never_written(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    line = f"[127.0.0.1]:{sshd_peer.port} {sshd_peer.host_key}\n"
    known_hosts.write_text(line)
    profile = make_profile(sshd_peer, "known_hosts", host_key=None, known_hosts=str(known_hosts))
    transport = SftpTransport(profile)
    try:
        report = transport.probe()
    finally:
        transport.close()
    assert report.host_key.startswith("ssh-ed25519 SHA256:")
    assert known_hosts.read_text() == line


def test_connection_uses_tcp_nodelay_and_banner_timeout_below_timeout(sshd_peer: SshdPeer) -> None:
    transport = SftpTransport(make_profile(sshd_peer, "nodelay", timeout=4.0))
    try:
        transport.probe()
        assert transport._client is not None
        ssh = transport._client.get_transport()
        assert ssh is not None
        assert isinstance(ssh.sock, socket.socket)
        assert ssh.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert ssh.banner_timeout < 4.0
    finally:
        transport.close()


def test_probe_reports_one_line_with_waiting_count(sshd_peer: SshdPeer, alerts: Alerts) -> None:
    profile = make_profile(sshd_peer, "probe")
    (sshd_peer.server_path(profile.response_dir) / "w.999").write_bytes(b"x")
    transport = SftpTransport(profile, alert=alerts)
    try:
        line = transport.probe().one_line()
    finally:
        transport.close()
    assert "\n" not in line
    assert line.startswith(f"clearinghouse testch: ok, sftp://{sshd_peer.user}@127.0.0.1:{sshd_peer.port}")
    assert "(1 waiting)" in line
    assert alerts == []


def test_reconnect_removes_old_temp_files_but_not_fresh_ones(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    profile = make_profile(sshd_peer, "stale")
    upload = sshd_peer.server_path(profile.upload_dir)
    (upload / "old.x12.tmp").write_bytes(b"left by a process that died an hour ago")
    os.utime(upload / "old.x12.tmp", (time.time() - 3600, time.time() - 3600))
    (upload / "fresh.x12.tmp").write_bytes(b"someone's upload in flight")
    claim = tmp_path / "c.x12"
    claim.write_bytes(b"ISA~")
    transport = SftpTransport(profile)
    try:
        transport.send(claim, "c.x12")
    finally:
        transport.close()
    assert sorted(os.listdir(upload)) == ["c.x12", "fresh.x12.tmp"]


def test_connection_lost_right_after_rename_does_not_send_twice(
    sshd_peer: SshdPeer, tmp_path: Path, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one injected fault: the real connection is closed at an exact moment, after the rename.
    real_rename, real_put = paramiko.SFTPClient.posix_rename, paramiko.SFTPClient.put
    puts: list[str] = []

    def rename_then_drop(sftp: paramiko.SFTPClient, old: str, new: str) -> None:
        real_rename(sftp, old, new)
        if len(puts) == 1:
            sftp.sock.close()

    def counting_put(sftp: paramiko.SFTPClient, local: str, remote: str, **kwargs: Any) -> object:
        puts.append(remote)
        return real_put(sftp, local, remote, **kwargs)

    monkeypatch.setattr(paramiko.SFTPClient, "posix_rename", rename_then_drop)
    monkeypatch.setattr(paramiko.SFTPClient, "put", counting_put)
    profile = make_profile(sshd_peer, "after_rename")
    claim = tmp_path / "c.x12"
    claim.write_bytes(b"ISA*once~")
    transport = SftpTransport(profile, sleep=sleeps)
    try:
        receipt = transport.send(claim, "c.x12")
    finally:
        transport.close()
    assert len(sleeps) == 1 and transport.connects == 2, "the drop happened and was retried"
    assert len(puts) == 1, "the retry saw the renamed file and did not upload again"
    assert receipt.size == len(b"ISA*once~")
    assert os.listdir(sshd_peer.server_path(profile.upload_dir)) == ["c.x12"]
