"""Atomic, private spool files: what is in outbound/ and inbound/ is always complete.

A file is written to a hidden temporary name in the same folder with mode 0600, flushed and
fsynced, then renamed into place, and the folder is fsynced so the rename survives a crash.
A reader therefore never sees half a file under its final name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gateway.errors import SpoolError

SPOOL_MODE = 0o600


def write_atomic(path: Path, data: bytes) -> Path:
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600 already.
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp_name, SPOOL_MODE)
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as error:
        raise SpoolError(f"{path}: cannot write spool file: {error.strerror or error}") from None
    return path
