"""``uploaded_size`` on the real sshd: what the daemon asks before a re-send after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.errors import PermanentTransportError
from gateway.transport.sftp import SftpTransport
from tests.transport.sshd_peer import SshdPeer
from tests.transport.transport_helpers import make_profile


@pytest.mark.sshd
def test_uploaded_size_sees_complete_uploads_only(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    profile = make_profile(sshd_peer, "uploaded_size")
    transport = SftpTransport(profile)
    try:
        assert transport.uploaded_size("CLINIC_000000001.x12") is None
        local = tmp_path / "file.x12"
        local.write_bytes(b"ISA" + b"*" * 200)
        transport.send(local, "CLINIC_000000001.x12")
        assert transport.uploaded_size("CLINIC_000000001.x12") == 203
        (sshd_peer.server_path(profile.upload_dir) / "CLINIC_000000002.x12.tmp").write_bytes(b"partial")
        assert transport.uploaded_size("CLINIC_000000002.x12") is None, (
            "an unfinished upload is not an upload"
        )
    finally:
        transport.close()


@pytest.mark.sshd
def test_uploaded_size_with_the_upload_folder_gone_is_permanent(sshd_peer: SshdPeer) -> None:
    profile = make_profile(sshd_peer, "uploaded_size_gone")
    sshd_peer.server_path(profile.upload_dir).rmdir()
    transport = SftpTransport(profile)
    try:
        with pytest.raises(PermanentTransportError, match="no such file or folder"):
            transport.uploaded_size("CLINIC_000000001.x12")
    finally:
        transport.close()
