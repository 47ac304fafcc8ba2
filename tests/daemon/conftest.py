"""Fixtures for the daemon tests: the real sshd of the transport tests, re-exported."""

from __future__ import annotations

from tests.transport.sshd_peer import sshd_factory, sshd_peer

__all__ = ["sshd_factory", "sshd_peer"]  # fixtures re-exported from sshd_peer
