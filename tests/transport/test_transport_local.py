"""LocalTransport: the same contract over local folders."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from gateway.errors import PermanentTransportError, TransportError
from gateway.transport.base import RemoteFile
from gateway.transport.local import LocalTransport
from tests.transport.transport_helpers import Alerts


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    upload, response = tmp_path / "to-ch", tmp_path / "from-ch"
    upload.mkdir()
    response.mkdir()
    return upload, response


def test_round_trip(folders: tuple[Path, Path], tmp_path: Path, inbound: Path) -> None:
    upload, response = folders
    transport = LocalTransport("demo", upload, response)
    claim = tmp_path / "claim.x12"
    claim.write_bytes(b"ISA~")
    receipt = transport.send(claim, "c1.x12")
    assert os.listdir(upload) == ["c1.x12"] and receipt.size == 4
    (response / "a.999").write_bytes(b"999")
    (response / "b.999.tmp").write_bytes(b"half")
    (response / ".hidden").write_bytes(b"x")
    [remote] = transport.list_responses()
    landed = transport.fetch(remote, inbound)
    assert landed.local_path == inbound / "demo.a.999" and landed.local_path.read_bytes() == b"999"
    assert landed.local_path.stat().st_mode & 0o777 == 0o600
    assert (response / "a.999").exists()
    transport.ack(remote)
    transport.ack(remote)
    assert sorted(os.listdir(response)) == [".hidden", "b.999.tmp"]
    assert "demo local" not in transport.probe().one_line() and "(0 waiting)" in transport.probe().one_line()


def test_archive_on_ack(folders: tuple[Path, Path], tmp_path: Path) -> None:
    upload, response = folders
    archive = tmp_path / "archive"
    archive.mkdir()
    (response / "r.835").write_bytes(b"835")
    LocalTransport("demo", upload, response, archive).ack(RemoteFile("r.835", 3, 0))
    assert os.listdir(archive) == ["r.835"] and os.listdir(response) == []


def test_a_remote_name_cannot_escape_the_response_folder(folders: tuple[Path, Path], inbound: Path) -> None:
    upload, response = folders
    transport = LocalTransport("demo", upload, response)
    with pytest.raises(TransportError, match="unsafe file name"):
        transport.fetch(RemoteFile("../to-ch/x", 1, 0), inbound)
    with pytest.raises(TransportError, match="unsafe file name"):
        transport.ack(RemoteFile("/etc/passwd", 1, 0))


def test_missing_folder_is_permanent_and_alerts_once(tmp_path: Path, alerts: Alerts) -> None:
    transport = LocalTransport("demo", tmp_path / "gone", tmp_path / "gone2", alert=alerts)
    claim = tmp_path / "c.x12"
    claim.write_bytes(b"x")
    with pytest.raises(PermanentTransportError, match=r"clearinghouse demo: upload of c\.x12"):
        transport.send(claim, "c.x12")
    with pytest.raises(PermanentTransportError, match="stopped until reset"):
        transport.list_responses()
    assert [alert.kind for alert in alerts] == ["folder"]


def test_a_dotfile_in_the_response_folder_is_skipped_and_warned_once_per_name(
    folders: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    upload, response = folders
    (response / "a.999").write_bytes(b"999")
    (response / ".hidden.999").write_bytes(b"x")
    (response / ".~lock.a.999#").write_bytes(b"x")
    (response / "b.999.tmp").write_bytes(b"half")  # an upload in flight: skipped without a word
    transport = LocalTransport("demo", upload, response)
    with caplog.at_level(logging.WARNING, logger="gateway.transport.local"):
        for _poll in range(3):
            assert [remote.name for remote in transport.list_responses()] == ["a.999"]
        (response / ".later").write_bytes(b"x")
        assert [remote.name for remote in transport.list_responses()] == ["a.999"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.transport.local"]
    assert sorted(warnings) == [
        "clearinghouse demo: skipping response (warned once): unsafe file name '.hidden.999': empty, dot or hidden",
        "clearinghouse demo: skipping response (warned once): unsafe file name '.later': empty, dot or hidden",
        "clearinghouse demo: skipping response (warned once): unsafe file name '.~lock.a.999#': empty, dot or hidden",
    ]
