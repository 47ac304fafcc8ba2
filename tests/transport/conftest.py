"""Fixtures for the transport tests: the real sshd (see sshd_peer.py) and profile helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sshd_peer import SshdPeer, sshd_factory, sshd_peer  # re-exported as fixtures

from gateway.transport.alerts import TransportAlert
from gateway.transport.profiles import ClearinghouseProfile

__all__ = ["Alerts", "SshdPeer", "make_profile", "sshd_factory", "sshd_peer"]


class Alerts(list[TransportAlert]):
    """An alert hook that remembers what it was given."""

    def __call__(self, alert: TransportAlert) -> None:
        self.append(alert)


@pytest.fixture()
def alerts() -> Alerts:
    return Alerts()


def make_profile(peer: SshdPeer, folder: str, name: str = "testch", **overrides: Any) -> ClearinghouseProfile:
    """A profile whose upload/response folders are fresh folders under ``folder`` on ``peer``."""
    upload = peer.folder(f"{folder}/to-ch")
    response = peer.folder(f"{folder}/from-ch")
    return ClearinghouseProfile(name=name, **peer.profile_data(upload, response, **overrides))


@pytest.fixture()
def inbound(tmp_path: Path) -> Path:
    folder = tmp_path / "inbound"
    folder.mkdir()
    return folder
