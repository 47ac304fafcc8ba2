"""Clearinghouse transports: move files between our spool folders and a clearinghouse.

``open_transport(profile)`` picks the implementation; paramiko is imported only when an SFTP
profile is opened.  See ``base`` for the contract every transport keeps.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.transport.alerts import AlertHook, TransportAlert, log_only
from gateway.transport.base import InboundFile, ProbeReport, Receipt, RemoteFile, Transport, safe_name
from gateway.transport.local import LocalTransport
from gateway.transport.profiles import ClearinghouseProfile, load_profiles, render_file_name
from gateway.transport.retry import RetryPolicy

__all__ = [
    "AlertHook",
    "ClearinghouseProfile",
    "InboundFile",
    "LocalTransport",
    "ProbeReport",
    "Receipt",
    "RemoteFile",
    "RetryPolicy",
    "Transport",
    "TransportAlert",
    "load_profiles",
    "open_transport",
    "render_file_name",
    "safe_name",
]


def open_transport(
    profile: ClearinghouseProfile,
    alert: AlertHook = log_only,
    sleep: Callable[[float], None] | None = None,
) -> Transport:
    """The transport for one profile; ``alert`` receives permanent failures (the ledger hook)."""
    from pathlib import Path

    if profile.transport == "local":
        return LocalTransport(
            profile.name,
            Path(profile.upload_dir),
            Path(profile.response_dir),
            Path(profile.connection.archive_dir) if profile.connection.archive_dir else None,
            profile.connection.response_glob,
            alert,
        )
    from gateway.transport.sftp import SftpTransport

    if sleep is None:
        return SftpTransport(profile, alert)
    return SftpTransport(profile, alert, sleep=sleep)
