"""Landing a received file in inbound/: temp file, fsync, no-clobber rename, mode 0600.

Shared by every transport so that "a file in inbound/ is complete" holds whichever one fetched
it.  Partial downloads are hidden ``.NAME.XXXX.part`` files and are removed on failure; a file
under its final name has been fsynced together with its folder entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gateway.errors import TemporaryTransportError, TransportError
from gateway.transport.base import PART_SUFFIX, safe_name

SPOOL_FILE_MODE = 0o600


@dataclass(frozen=True)
class Landed:
    path: Path
    size: int
    sha256: str


def inbound_name(clearinghouse: str, remote_name: str) -> str:
    """Local name of a response: clearinghouse first, so two servers' '999.x12' never meet."""
    return f"{safe_name(clearinghouse)}.{safe_name(remote_name)}"


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def land(
    inbound_dir: Path,
    local_name: str,
    write: Callable[[BinaryIO], None],
    expected_size: int | None = None,
) -> Landed:
    """Run ``write`` into a hidden temp file in ``inbound_dir`` and publish it as ``local_name``.

    ``expected_size`` (the size the server reported) guards against a silently short read.
    If ``local_name`` already holds the same bytes (a fetch repeated after a crash before the
    ack) that file is returned; different bytes get a numbered name, never an overwrite.
    The ``write`` callable's own exceptions propagate unchanged after the temp file is removed;
    problems with the inbound folder itself raise ``TransportError`` (ours to fix, not the
    clearinghouse's).
    """
    safe_name(local_name)
    try:
        inbound_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{local_name}.", suffix=PART_SUFFIX, dir=inbound_dir)
    except OSError as error:
        raise TransportError(f"inbound folder {inbound_dir}: {error.strerror or error}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        size = temp.stat().st_size
        if expected_size is not None and size != expected_size:
            short = TemporaryTransportError(
                f"short download of {local_name}: {size} of {expected_size} bytes"
            )
            short.kind = "short_download"
            raise short
        try:
            os.chmod(temp, SPOOL_FILE_MODE)
            sha = _sha256(temp)
            target = _publish(temp, inbound_dir, local_name, sha)
            fsync_dir(inbound_dir)
        except OSError as error:
            raise TransportError(f"inbound folder {inbound_dir}: {error.strerror or error}") from None
        return Landed(target, size, sha)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _publish(temp: Path, folder: Path, name: str, sha: str) -> Path:
    # os.link fails if the target exists, so an earlier landing is never overwritten.
    for attempt in range(1000):
        target = folder / (name if attempt == 0 else f"{name}.{attempt}")
        try:
            os.link(temp, target)
        except FileExistsError:
            if _sha256(target) == sha:
                return target
            continue
        return target
    raise FileExistsError(f"{folder / name}: 1000 different files with this name already landed")
