"""Fixtures for the transport tests: the real sshd (see sshd_peer.py) and small helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.transport.sshd_peer import sshd_factory, sshd_peer
from tests.transport.transport_helpers import Alerts, Sleeps

__all__ = ["sshd_factory", "sshd_peer"]  # fixtures re-exported from sshd_peer


@pytest.fixture()
def alerts() -> Alerts:
    return Alerts()


@pytest.fixture()
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture()
def inbound(tmp_path: Path) -> Path:
    folder = tmp_path / "inbound"
    folder.mkdir()
    return folder
