"""The real sshd of the transport tests, for the simulator's SFTP test."""

from __future__ import annotations

from tests.transport.sshd_peer import sshd_peer

__all__ = ["sshd_peer"]  # fixture re-exported from sshd_peer
