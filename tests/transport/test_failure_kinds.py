"""The kind of a temporary SFTP failure: the slug kept with a clearinghouse's failure streak."""

from __future__ import annotations

import socket

import paramiko
import pytest
from paramiko.ssh_exception import NoValidConnectionsError

from gateway.transport.sftp import failure_kind

ADDRESS = ("127.0.0.1", 2222)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (NoValidConnectionsError({ADDRESS: ConnectionRefusedError(111, "Connection refused")}), "connection_refused"),
        (NoValidConnectionsError({ADDRESS: TimeoutError("timed out"), ("::1", 2222, 0, 0): ConnectionRefusedError()}),
         "network"),
        (ConnectionRefusedError(111, "Connection refused"), "connection_refused"),
        (TimeoutError("timed out"), "timeout"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (EOFError(), "connection_closed"),
        (ConnectionResetError(104, "Connection reset by peer"), "connection_closed"),
        (paramiko.SSHException("Error reading SSH protocol banner"), "no_banner"),
        (paramiko.SSHException("SSH session not active"), "ssh"),
        (paramiko.SSHException("Server connection dropped: "), "connection_closed"),
        (paramiko.SSHException("Socket is closed"), "connection_closed"),
        (OSError("Failure"), "server_failure"),
        (OSError("something else"), "network"),
    ],
)  # fmt: skip
def test_failure_kind(error: BaseException, kind: str) -> None:
    assert failure_kind(error) == kind


def test_an_unknown_host_is_a_dns_failure_on_a_real_lookup() -> None:
    with pytest.raises(socket.gaierror) as raised:
        socket.getaddrinfo("no-such-clearinghouse.invalid", 22)
    assert failure_kind(raised.value) == "dns"
