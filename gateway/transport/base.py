"""The transport seam: move files between our spool folders and a clearinghouse.

A transport knows folders and file names, nothing about claims.  The contract, for every
implementation (``LocalTransport``, ``SftpTransport``):

* ``send(local, remote_name)`` makes ``remote_name`` appear in the upload folder complete or not
  at all (written as ``remote_name.tmp``, then renamed) and returns a ``Receipt``.
* ``list_responses()`` lists complete response files (never ``*.tmp`` or dotfiles, never a name
  that could escape a folder) as ``RemoteFile`` objects.
* ``fetch(remote, inbound_dir)`` lands one response in ``inbound_dir`` (temp file, fsync, rename,
  mode 0600) and returns an ``InboundFile``.  The remote file is left where it is.
* ``ack(remote)`` removes (or archives) a response on the server.  The caller records the
  ``InboundFile`` first and acknowledges it after, so a crash in between fetches it again
  rather than losing it; ``InboundFile.sha256`` lets the caller recognise a repeat.
* ``uploaded_size(remote_name)`` is the size of a complete upload of that name still in the
  upload folder, or None; the daemon asks before re-sending after a restart (exactly once).
* ``probe()`` connects, checks both folders and returns a ``ProbeReport``.

Every method raises ``TemporaryTransportError`` (worth another try later) or
``PermanentTransportError`` (an operator must act; the transport refuses further work until
``reset()``) and nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

# Names a receiver must ignore: our in-flight uploads and partial downloads.
TEMP_SUFFIX = ".tmp"
PART_SUFFIX = ".part"


class UnsafeNameError(ValueError):
    """A file name from the server (or a template) that could escape its folder."""


def safe_name(name: str) -> str:
    """Return ``name`` if it is a plain file name, else raise ``UnsafeNameError``.

    Remote names are data from a third party: no separators, no ``..``, no hidden files, no
    control characters, so a name can be joined to a local folder without leaving it.
    """
    if not name or name in {".", ".."} or name.startswith("."):
        raise UnsafeNameError(f"unsafe file name {name!r}: empty, dot or hidden")
    if "/" in name or "\\" in name:
        raise UnsafeNameError(f"unsafe file name {name!r}: contains a path separator")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise UnsafeNameError(f"unsafe file name {name!r}: contains a control character")
    if len(name.encode("utf-8")) > 200:
        raise UnsafeNameError(f"unsafe file name {name[:20]!r}...: longer than 200 bytes")
    return name


class UnsafeNameWarnings:
    """Skips response names ``safe_name`` refuses, with one WARNING per name and transport.

    Such a file stays on the server until someone removes it; warning on every poll would
    bury the log, and skipping it silently would hide a response from the operator.
    """

    def __init__(self, clearinghouse: str, logger: logging.Logger) -> None:
        self.clearinghouse = clearinghouse
        self._log = logger
        self._warned: set[str] = set()

    def is_safe(self, name: str) -> bool:
        """True for a name that may be fetched; False (warned once) for one that may not."""
        try:
            safe_name(name)
        except UnsafeNameError as error:
            if name not in self._warned:
                self._warned.add(name)
                self._log.warning(
                    "clearinghouse %s: skipping response (warned once): %s", self.clearinghouse, error
                )
            return False
        return True


def is_in_flight(name: str) -> bool:
    """True for names that are someone's unfinished upload or download."""
    return name.endswith((TEMP_SUFFIX, PART_SUFFIX))


@dataclass(frozen=True)
class Receipt:
    """What the server holds after a successful ``send``."""

    clearinghouse: str
    remote_path: str
    size: int
    sent_at: datetime


@dataclass(frozen=True)
class RemoteFile:
    """A complete response file waiting in the response folder."""

    name: str
    size: int
    mtime: int


@dataclass(frozen=True)
class InboundFile:
    """A response landed in inbound/; not yet acknowledged on the server."""

    clearinghouse: str
    remote: RemoteFile
    local_path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class ProbeReport:
    """Result of ``probe()``: enough for one line of operator output."""

    clearinghouse: str
    endpoint: str
    host_key: str
    upload_dir: str
    response_dir: str
    waiting_responses: int
    elapsed_ms: float

    def one_line(self) -> str:
        key = f", host key {self.host_key}" if self.host_key else ""
        return (
            f"clearinghouse {self.clearinghouse}: ok, {self.endpoint}{key}, "
            f"upload folder {self.upload_dir!r} ok, response folder {self.response_dir!r} "
            f"ok ({self.waiting_responses} waiting), {self.elapsed_ms:.0f} ms"
        )


class Transport(Protocol):
    """See the module docstring for the contract."""

    name: str

    def send(self, local: Path, remote_name: str) -> Receipt: ...

    def uploaded_size(self, remote_name: str) -> int | None: ...

    def list_responses(self) -> list[RemoteFile]: ...

    def fetch(self, remote: RemoteFile, inbound_dir: Path) -> InboundFile: ...

    def ack(self, remote: RemoteFile) -> None: ...

    def probe(self) -> ProbeReport: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...
