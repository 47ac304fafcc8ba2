"""SFTP transport on paramiko; the only module of the gateway that imports paramiko.

Security and safety rules, each one a decision (README.md, "Clearinghouse transport"):

* The server is pinned: its key comes from the profile (``host_key``) or our own known_hosts
  file, with ``RejectPolicy``.  Nothing is ever added to a known_hosts file and the system's and
  the user's files are never read.
* Key authentication only: no agent, no ``~/.ssh`` keys, no passwords.
* ``TCP_NODELAY`` (paramiko leaves Nagle on: 1.8 s instead of 18 ms for 64 small writes) and a
  banner timeout below the connect timeout (equal ones race into "No existing session").
* Any error closes the client; the next attempt reconnects.  After a reconnect our own
  unfinished ``*.tmp`` uploads are removed.
* Upload goes to ``NAME.tmp`` with ``confirm=True`` (paramiko drops pipelined write errors
  otherwise: a full disk gives a silently short file), then ``posix_rename``, then a size check.
* Download goes through ``landing.land`` (temp file, fsync, rename, 0600); the remote file is
  removed or archived only by ``ack()``, after the caller recorded the ``InboundFile``.

Errors are translated here: see ``_translate`` for which paramiko/OS errors are permanent.
"""

from __future__ import annotations

import base64
import logging
import os
import posixpath
import socket
import stat
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import paramiko
from paramiko.ssh_exception import IncompatiblePeer, NoValidConnectionsError

from gateway.errors import GatewayError, PermanentTransportError, TemporaryTransportError, TransportError
from gateway.transport.alerts import AlertHook, PermanentLatch, log_only
from gateway.transport.base import (
    TEMP_SUFFIX,
    InboundFile,
    ProbeReport,
    Receipt,
    RemoteFile,
    UnsafeNameError,
    UnsafeNameWarnings,
    is_in_flight,
    safe_name,
)
from gateway.transport.landing import inbound_name, land
from gateway.transport.profiles import ClearinghouseProfile
from gateway.transport.retry import RetryPolicy, run_with_retry

log = logging.getLogger("gateway.transport.sftp")
T = TypeVar("T")

# A *.tmp in the upload folder older than this is a leftover of an earlier process of ours.
STALE_TEMP_SECONDS = 15 * 60


class _ParamikoAsDebug(logging.Filter):
    """paramiko's own log lines (a no-banner server makes it log a whole traceback at ERROR)
    become DEBUG lines of ours: our translated one-line error is what an operator reads."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        record.name = f"gateway.transport.{record.name}"
        return log.isEnabledFor(logging.DEBUG)


for _name in ("paramiko", "paramiko.transport", "paramiko.transport.sftp"):
    logging.getLogger(_name).addFilter(_ParamikoAsDebug())


def _nodelay_transport(sock: Any, /, **kwargs: Any) -> paramiko.Transport:
    # Annotated Any: paramiko passes a socket.socket; the stubs' type is wider than that.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return paramiko.Transport(sock, **kwargs)


def fingerprint(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


def failure_kind(error: BaseException) -> str:
    """A stable slug for a temporary failure: what an operator is told besides the message."""
    if isinstance(error, NoValidConnectionsError):  # every address of the host failed to connect
        causes = {failure_kind(cause) for cause in error.errors.values()}
        return causes.pop() if len(causes) == 1 else "network"
    if isinstance(error, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError since Python 3.10
        return "timeout"
    if isinstance(error, socket.gaierror):
        return "dns"
    if isinstance(error, EOFError | ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return "connection_closed"
    if isinstance(error, paramiko.SSHException):
        text = str(error).lower()
        if "banner" in text:
            return "no_banner"
        if any(word in text for word in ("closed", "dropped", "reset", "no existing session")):
            return "connection_closed"
        return "ssh"
    if isinstance(error, OSError) and str(error) == "Failure":
        return "server_failure"
    return "network"


def _download(sftp: paramiko.SFTPClient, path: str, handle: BinaryIO) -> None:
    # No prefetch: its reader thread prints a traceback when the connection drops, and
    # response files are small; sequential 32 KiB reads are fast enough with TCP_NODELAY.
    sftp.getfo(path, handle, prefetch=False)


class SftpTransport:
    """One clearinghouse over SFTP; keeps one connection open between calls until ``close()``."""

    def __init__(
        self,
        profile: ClearinghouseProfile,
        alert: AlertHook = log_only,
        sleep: Callable[[float], None] = time.sleep,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if profile.transport != "sftp":
            raise ValueError(f"clearinghouse {profile.name} is not an sftp profile")
        self.name = profile.name
        self.profile = profile
        self.policy: RetryPolicy = profile.connection.retry.policy()
        self.connects = 0
        self._latch = PermanentLatch(profile.name, alert)
        self._sleep = sleep
        self._environ = os.environ if environ is None else environ
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._unfinished: set[str] = set()  # our *.tmp uploads that may be left on the server
        self._maybe_renamed: set[str] = set()  # uploads whose rename was sent but not confirmed
        self._unsafe_names = UnsafeNameWarnings(profile.name, log)

    # -- connection --------------------------------------------------------------------------

    def _load_key(self) -> paramiko.PKey:
        profile = self.profile
        env = profile.connection.private_key_passphrase_env
        passphrase = self._environ.get(env) if env else None
        if env and not passphrase:
            raise PermanentTransportError(
                f"clearinghouse {self.name}: private_key_passphrase_env {env} is not set"
            )
        try:
            # paramiko 5 wants the passphrase as bytes ("password must be bytes" otherwise);
            # its type stubs still say str.
            secret = passphrase.encode("utf-8") if passphrase else None
            return paramiko.PKey.from_path(str(profile.connection.private_key), secret)  # type: ignore[arg-type]
        except OSError as error:
            message = f"private_key {profile.connection.private_key}: {error.strerror or error}"
        except paramiko.PasswordRequiredException:
            message = (
                f"private_key {profile.connection.private_key} is encrypted: set private_key_passphrase_env"
            )
        except (paramiko.SSHException, ValueError, TypeError) as error:
            if passphrase:
                # A wrong passphrase reads as garbage to cryptography; its message misleads.
                message = (
                    f"private_key {profile.connection.private_key} cannot be opened with the passphrase in {env} "
                    "(wrong passphrase, or not a private key)"
                )
            else:
                message = f"private_key {profile.connection.private_key} cannot be loaded ({error})"
        raise PermanentTransportError(f"clearinghouse {self.name}: {message}")

    def _pin(self, client: paramiko.SSHClient) -> None:
        host_keys = client.get_host_keys()
        if self.profile.connection.host_key is not None:
            key_type, blob = self.profile.connection.host_key.split()
            try:
                pinned = paramiko.PKey.from_type_string(key_type, base64.b64decode(blob))
            except (paramiko.SSHException, ValueError) as error:
                raise PermanentTransportError(
                    f"clearinghouse {self.name}: host_key is not a valid {key_type} key ({error})"
                ) from None
            host_keys.add(self.profile.known_hosts_name, key_type, pinned)
        else:
            # HostKeys.load reads without remembering the file, so nothing is ever written back.
            try:
                host_keys.load(str(self.profile.connection.known_hosts))
            except OSError as error:
                raise PermanentTransportError(
                    f"clearinghouse {self.name}: known_hosts {self.profile.connection.known_hosts}: "
                    f"{error.strerror or error}"
                ) from None
        client.set_missing_host_key_policy(paramiko.RejectPolicy())

    def _connect(self) -> paramiko.SFTPClient:
        profile = self.profile
        key = self._load_key()
        client = paramiko.SSHClient()
        try:
            self._pin(client)
            client.connect(
                profile.connection.host or "",
                port=profile.connection.port,
                username=profile.connection.user,
                pkey=key,
                timeout=profile.connection.timeout,
                banner_timeout=profile.connection.timeout * 0.8,
                auth_timeout=profile.connection.timeout,
                channel_timeout=profile.connection.timeout,
                allow_agent=False,
                look_for_keys=False,
                transport_factory=_nodelay_transport,
            )
            sftp = client.open_sftp()
            channel = sftp.get_channel()
            if channel is not None:
                channel.settimeout(profile.connection.timeout)
        except BaseException:
            client.close()  # else sshd keeps a pre-auth child for LoginGraceTime
            raise
        self.connects += 1
        self._client, self._sftp = client, sftp
        return sftp

    def _session(self, clean: bool = True) -> paramiko.SFTPClient:
        if self._sftp is not None:
            return self._sftp
        sftp = self._connect()
        if clean:
            self._remove_stale_temps(sftp)
        return sftp

    def _remove_stale_temps(self, sftp: paramiko.SFTPClient) -> None:
        """Remove our unfinished uploads: this process's, and old ones of earlier processes."""
        folder = self.profile.upload_dir
        try:
            entries = sftp.listdir_attr(folder)
        except (PermissionError, FileNotFoundError):
            return  # a write-only drop folder; the upload itself will say if it is missing
        now = time.time()
        for entry in entries:
            path = posixpath.join(folder, entry.filename)
            if not entry.filename.endswith(TEMP_SUFFIX) or not stat.S_ISREG(entry.st_mode or 0):
                continue
            if path in self._unfinished or now - (entry.st_mtime or now) > STALE_TEMP_SECONDS:
                try:
                    sftp.remove(path)
                except (PermissionError, FileNotFoundError):
                    continue
                log.info("clearinghouse %s: removed stale upload %s", self.name, path)
        self._unfinished.clear()

    def close(self) -> None:
        sftp, client = self._sftp, self._client
        self._sftp = self._client = None
        for closeable in (sftp, client):
            try:
                if closeable is not None:
                    closeable.close()
            except Exception:  # closing a dead connection may fail; it is gone either way
                log.debug("clearinghouse %s: error while closing", self.name, exc_info=True)

    def reset(self) -> None:
        """Operator fixed the cause of a permanent failure: allow connecting again."""
        self._latch.reset()

    # -- error policy ------------------------------------------------------------------------

    def _translate(self, error: BaseException, what: str) -> tuple[TransportError, str]:
        """Map one paramiko/OS error to (our error, alert kind); kind "" means temporary."""
        where = f"clearinghouse {self.name} ({self.profile.endpoint}): {what}"
        if isinstance(error, paramiko.BadHostKeyException):
            detail = (
                f"host key mismatch: server offered {fingerprint(error.key)}, "
                f"pinned {fingerprint(error.expected_key)}"
            )
            return PermanentTransportError(f"{where}: {detail}"), "host_key"
        if isinstance(error, paramiko.AuthenticationException):
            detail = f"server rejected key {self.profile.connection.private_key} for user {self.profile.connection.user}"
            return PermanentTransportError(f"{where}: {detail}"), "auth"
        if isinstance(error, IncompatiblePeer):
            return PermanentTransportError(f"{where}: no common algorithm ({error})"), "algorithms"
        if isinstance(error, paramiko.SSHException) and "not found in known_hosts" in str(error):
            detail = f"server {self.profile.known_hosts_name} has no pinned host key"
            return PermanentTransportError(f"{where}: {detail}"), "host_key"
        if isinstance(error, PermissionError):
            return PermanentTransportError(f"{where}: permission denied"), "permission"
        if isinstance(error, FileNotFoundError):
            return PermanentTransportError(f"{where}: no such file or folder"), "missing_folder"
        text = str(error) or type(error).__name__
        if isinstance(error, OSError) and str(error) == "Failure":
            text = "server failure (OpenSSH reports a full disk this way)"
        temporary = TemporaryTransportError(f"{where}: {text}")
        temporary.kind = failure_kind(error)
        return temporary, ""

    def _run(
        self,
        what: str,
        operation: Callable[[paramiko.SFTPClient], T],
        clean: bool = True,
        policy: RetryPolicy | None = None,
    ) -> T:
        self._latch.check()

        def attempt() -> T:
            try:
                return operation(self._session(clean))
            except BaseException as error:
                self.close()  # after any failure: a half-dead session is never reused
                if isinstance(error, PermanentTransportError):  # ours: unusable key or pinned key
                    self._latch.trip(error, "config")
                    raise
                if isinstance(error, GatewayError):
                    raise  # already ours: a short download, a local spool problem
                if not isinstance(error, paramiko.SSHException | OSError | EOFError):
                    raise
                translated, kind = self._translate(error, what)
                if isinstance(translated, PermanentTransportError):
                    self._latch.trip(translated, kind)
                raise translated from None

        return run_with_retry(
            attempt, policy or self.policy, f"clearinghouse {self.name}: {what}", self._sleep
        )

    # -- the Transport contract ---------------------------------------------------------------

    def send(self, local: Path, remote_name: str) -> Receipt:
        try:
            safe_name(remote_name)
            size = local.stat().st_size
        except (UnsafeNameError, OSError) as error:
            raise TransportError(f"outbound file {local} as {remote_name!r}: {error}") from None
        final = posixpath.join(self.profile.upload_dir, remote_name)
        temp = final + TEMP_SUFFIX

        def upload(sftp: paramiko.SFTPClient) -> Receipt:
            if final in self._maybe_renamed and self._already_there(sftp, final, size):
                # An earlier attempt renamed it and then lost the connection: do not send twice.
                return Receipt(self.name, final, size, datetime.now(UTC))
            self._unfinished.add(temp)
            try:
                sftp.put(str(local), temp, confirm=True)
                self._maybe_renamed.add(final)
                sftp.posix_rename(temp, final)
            except BaseException:
                self._remove_quietly(sftp, temp)
                raise
            self._unfinished.discard(temp)
            landed = sftp.stat(final).st_size
            if landed != size:
                raise OSError(f"size check after rename: {landed} of {size} bytes on the server")
            self._maybe_renamed.discard(final)
            return Receipt(self.name, final, size, datetime.now(UTC))

        return self._run(f"upload of {remote_name} to {self.profile.upload_dir}", upload)

    def _already_there(self, sftp: paramiko.SFTPClient, final: str, size: int) -> bool:
        self._maybe_renamed.discard(final)
        try:
            return sftp.stat(final).st_size == size
        except FileNotFoundError:
            return False  # not there (or already picked up: the ISA control number tells)

    def uploaded_size(self, remote_name: str) -> int | None:
        """Size of ``remote_name`` in the upload folder, None if absent (asked before a re-send)."""
        final = posixpath.join(self.profile.upload_dir, safe_name(remote_name))

        def look(sftp: paramiko.SFTPClient) -> int | None:
            try:
                return sftp.stat(final).st_size
            except FileNotFoundError:
                sftp.stat(self.profile.upload_dir)  # a missing folder is the operator's problem
                return None

        return self._run(f"look-up of {final}", look)

    def _remove_quietly(self, sftp: paramiko.SFTPClient, path: str) -> None:
        transport = self._client.get_transport() if self._client is not None else None
        if transport is None or not transport.is_active():
            return  # connection gone: the reconnect removes it
        try:
            sftp.remove(path)
            self._unfinished.discard(path)
        except Exception:
            log.debug("clearinghouse %s: could not remove %s now", self.name, path, exc_info=True)

    def _listing(self, sftp: paramiko.SFTPClient) -> list[RemoteFile]:
        found = []
        for entry in sftp.listdir_attr(self.profile.response_dir):
            name = entry.filename
            if not stat.S_ISREG(entry.st_mode or 0) or is_in_flight(name):
                continue
            if not self._unsafe_names.is_safe(name):
                continue
            if fnmatch(name, self.profile.connection.response_glob):
                found.append(RemoteFile(name, entry.st_size or 0, int(entry.st_mtime or 0)))
        return sorted(found, key=lambda remote: (remote.mtime, remote.name))

    def list_responses(self) -> list[RemoteFile]:
        return self._run(f"listing of {self.profile.response_dir}", self._listing)

    def fetch(self, remote: RemoteFile, inbound_dir: Path) -> InboundFile:
        path = posixpath.join(self.profile.response_dir, safe_name(remote.name))

        def download(sftp: paramiko.SFTPClient) -> InboundFile:
            try:
                size = sftp.stat(path).st_size
            except FileNotFoundError:
                sftp.stat(self.profile.response_dir)  # a missing folder is the operator's problem
                raise TransportError(
                    f"clearinghouse {self.name}: {path} is no longer on the server"
                ) from None
            landed = land(
                inbound_dir,
                inbound_name(self.name, remote.name),
                lambda handle: _download(sftp, path, handle),
                expected_size=size,
            )
            return InboundFile(self.name, remote, landed.path, landed.size, landed.sha256)

        return self._run(f"fetch of {path}", download)

    def ack(self, remote: RemoteFile) -> None:
        folder = self.profile.response_dir
        path = posixpath.join(folder, safe_name(remote.name))

        def acknowledge(sftp: paramiko.SFTPClient) -> None:
            try:
                if self.profile.connection.archive_dir is None:
                    sftp.remove(path)
                else:
                    sftp.posix_rename(path, posixpath.join(self.profile.connection.archive_dir, remote.name))
            except FileNotFoundError:
                sftp.stat(folder)  # the folder is there, so the file was acknowledged before
                log.info("clearinghouse %s: %s was already acknowledged", self.name, path)

        self._run(f"acknowledging {path}", acknowledge)

    def probe(self) -> ProbeReport:
        started = time.perf_counter()
        profile = self.profile

        def check(sftp: paramiko.SFTPClient) -> ProbeReport:
            for folder in (profile.upload_dir, profile.response_dir):
                if not stat.S_ISDIR(sftp.stat(folder).st_mode or 0):
                    raise FileNotFoundError(f"{folder} is not a folder")
            waiting = len(self._listing(sftp))
            transport = self._client.get_transport() if self._client is not None else None
            key = fingerprint(transport.get_remote_server_key()) if transport is not None else ""
            return ProbeReport(
                clearinghouse=self.name,
                endpoint=profile.endpoint,
                host_key=key,
                upload_dir=profile.upload_dir,
                response_dir=profile.response_dir,
                waiting_responses=waiting,
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )

        # One attempt, and no clean-up of *.tmp: a probe may run beside a daemon that uploads.
        what = f"probe of folders {profile.upload_dir!r} and {profile.response_dir!r}"
        return self._run(what, check, clean=False, policy=RetryPolicy(attempts=1))
