"""Helpers shared by the transport tests (a module, not conftest, so imports are unambiguous)."""

from __future__ import annotations

from typing import Any

from gateway.transport.alerts import TransportAlert
from gateway.transport.profiles import ClearinghouseProfile
from tests.transport.sshd_peer import SshdPeer


class Alerts(list[TransportAlert]):
    """An alert hook that remembers what it was given."""

    def __call__(self, alert: TransportAlert) -> None:
        self.append(alert)


def make_profile(peer: SshdPeer, folder: str, name: str = "testch", **overrides: Any) -> ClearinghouseProfile:
    """A profile whose upload/response folders are fresh folders under ``folder`` on ``peer``."""
    upload = peer.folder(f"{folder}/to-ch")
    response = peer.folder(f"{folder}/from-ch")
    return ClearinghouseProfile(name=name, **peer.profile_data(upload, response, **overrides))


class Sleeps(list[float]):
    """A ``sleep`` stand-in for retries: records the waits instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
