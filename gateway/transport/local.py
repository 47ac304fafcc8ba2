"""Local-directory transport: the demo's clearinghouse, and shares the OS has mounted.

Same contract as SFTP (see ``base``): uploads appear by rename, responses land through
``landing.land``, acknowledging removes or archives.  No retries: a local folder either works or
needs an operator, except a full disk, which is reported as temporary.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import BinaryIO

from gateway.errors import PermanentTransportError, TemporaryTransportError, TransportError
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
from gateway.transport.landing import fsync_dir, inbound_name, land

log = logging.getLogger("gateway.transport.local")

_TEMPORARY_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EAGAIN, errno.EINTR, errno.EIO, errno.EBUSY}


class LocalTransport:
    """Moves files between our spool and two local folders (upload, response)."""

    def __init__(
        self,
        name: str,
        upload_dir: Path,
        response_dir: Path,
        archive_dir: Path | None = None,
        response_glob: str = "*",
        alert: AlertHook = log_only,
    ) -> None:
        self.name = name
        self.upload_dir = upload_dir
        self.response_dir = response_dir
        self.archive_dir = archive_dir
        self.response_glob = response_glob
        self._latch = PermanentLatch(name, alert)
        self._unsafe_names = UnsafeNameWarnings(name, log)

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        self._latch.check()
        try:
            yield
        except UnsafeNameError as error:
            raise TransportError(f"clearinghouse {self.name}: {what}: {error}") from None
        except OSError as error:
            message = f"clearinghouse {self.name}: {what}: {error.strerror or error}"
            if error.errno in _TEMPORARY_ERRNOS:
                temporary = TemporaryTransportError(message)
                temporary.kind = f"local_{errno.errorcode[error.errno].lower()}"  # local_enospc
                raise temporary from None
            permanent = PermanentTransportError(message)
            self._latch.trip(permanent, "folder")
            raise permanent from None

    def send(self, local: Path, remote_name: str) -> Receipt:
        safe_name(remote_name)
        try:
            size = local.stat().st_size
        except OSError as error:
            raise TransportError(f"outbound file {local} cannot be read: {error.strerror}") from None
        final = self.upload_dir / remote_name
        temp = self.upload_dir / f"{remote_name}{TEMP_SUFFIX}"
        with self._guard(f"upload of {remote_name} to {self.upload_dir}"):
            try:
                descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with local.open("rb") as source, os.fdopen(descriptor, "wb") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
                    target.flush()
                    os.fsync(target.fileno())
                if temp.stat().st_size != size:
                    raise OSError(errno.EIO, f"size mismatch for {temp.name}")
                os.replace(temp, final)
                fsync_dir(self.upload_dir)
            finally:
                temp.unlink(missing_ok=True)
        return Receipt(self.name, str(final), size, datetime.now(UTC))

    def uploaded_size(self, remote_name: str) -> int | None:
        with self._guard(f"look-up of {remote_name} in {self.upload_dir}"):
            try:
                return (self.upload_dir / safe_name(remote_name)).stat().st_size
            except FileNotFoundError:
                if not self.upload_dir.is_dir():
                    raise
                return None

    def list_responses(self) -> list[RemoteFile]:
        with self._guard(f"listing of {self.response_dir}"):
            found = []
            for entry in os.scandir(self.response_dir):
                if not entry.is_file(follow_symlinks=False) or is_in_flight(entry.name):
                    continue
                # A dotfile is someone's hidden file (an editor's, a sync tool's): warned, not fetched.
                if not self._unsafe_names.is_safe(entry.name) or not fnmatch(entry.name, self.response_glob):
                    continue
                stat = entry.stat(follow_symlinks=False)
                found.append(RemoteFile(entry.name, stat.st_size, int(stat.st_mtime)))
        return sorted(found, key=lambda remote: (remote.mtime, remote.name))

    def fetch(self, remote: RemoteFile, inbound_dir: Path) -> InboundFile:
        with self._guard(f"fetch of {remote.name} from {self.response_dir}"):
            source = self.response_dir / safe_name(remote.name)

            def copy(target: BinaryIO) -> None:
                with source.open("rb") as handle:
                    shutil.copyfileobj(handle, target, 1 << 20)

            landed = land(inbound_dir, inbound_name(self.name, remote.name), copy)
        return InboundFile(self.name, remote, landed.path, landed.size, landed.sha256)

    def ack(self, remote: RemoteFile) -> None:
        with self._guard(f"acknowledging {remote.name} in {self.response_dir}"):
            source = self.response_dir / safe_name(remote.name)
            try:
                if self.archive_dir is None:
                    source.unlink()
                else:
                    os.replace(source, self.archive_dir / remote.name)
            except FileNotFoundError:
                if source.parent.is_dir():
                    return  # already acknowledged: ack is idempotent
                raise

    def probe(self) -> ProbeReport:
        started = time.perf_counter()
        with self._guard("probe"):
            for folder in (self.upload_dir, self.response_dir):
                if not folder.is_dir():
                    raise FileNotFoundError(errno.ENOENT, f"{folder} is not a folder")
                if not os.access(folder, os.W_OK | os.X_OK):
                    raise PermissionError(errno.EACCES, f"{folder} is not writable")
        waiting = len(self.list_responses())
        return ProbeReport(
            clearinghouse=self.name,
            endpoint=f"local folders under {self.upload_dir.parent}",
            host_key="",
            upload_dir=str(self.upload_dir),
            response_dir=str(self.response_dir),
            waiting_responses=waiting,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def reset(self) -> None:
        self._latch.reset()

    def close(self) -> None:
        """Nothing to close; present for the protocol."""
