"""The file a daemon uploads for a batch: the spool copy if it holds the batch's bytes, else the
database's bytes written out again.

The database is the shared spool (gateway.store.batch_contents): a batch built by a daemon on
host A can be sent by a daemon on host B, whose ``outbound/`` never saw it.  The local copy is a
cache; it is used only when its sha256 is the batch's, and rewritten (0600, atomically) from the
database otherwise, so the bytes sent are always the bytes recorded.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from gateway.domain.batch import BatchInfo
from gateway.pipeline.cycle_context import Context
from gateway.spool import write_atomic
from gateway.store.batch_contents import content_of, spooled_names

log = logging.getLogger("gateway.pipeline.spool")


def spool_problem(path: Path, sha256: str) -> str:
    """Why the file at ``path`` may not be sent as the batch's bytes ("" when it may)."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"spool file {path} cannot be read: {error.strerror or error}"
    return "" if digest == sha256 else f"spool file {path} is not the batch's bytes (sha256 differs)"


def sendable_copy(ctx: Context, clearinghouse: str, batch: BatchInfo) -> tuple[Path | None, str]:
    """(a local file holding exactly the batch's bytes, "") or (None, why there is none)."""
    recorded = Path(batch.spool_path)
    problem = spool_problem(recorded, batch.sha256)
    if not problem:
        return recorded, ""
    data = content_of(ctx.store, batch.id)
    if data is None or hashlib.sha256(data).hexdigest() != batch.sha256:
        return None, problem  # a batch from before contents were kept: the operator replays it
    local = ctx.outbound / clearinghouse / batch.remote_name
    write_atomic(local, data)
    level = logging.WARNING if recorded.exists() else logging.INFO  # changed, not only missing
    log.log(level, "batch %d: %s; wrote the recorded bytes to %s from the database", batch.id, problem, local)
    return local, ""


ORPHAN_AGE_SECONDS = 24 * 3600


def remove_orphans(ctx: Context, now: float | None = None) -> list[Path]:
    """Remove spool files no batch records, older than a day (a build killed before recording).

    Younger ones may belong to a build in progress in another daemon; a recorded batch's file
    is never touched.  Each removal is logged.
    """
    moment = time.time() if now is None else now
    removed: list[Path] = []
    for name in ctx.profiles:
        folder = ctx.outbound / name
        if not folder.is_dir():
            continue
        recorded = spooled_names(ctx.store, name)
        for path in folder.iterdir():
            if not path.is_file() or path.name in recorded:
                continue
            if moment - path.stat().st_mtime < ORPHAN_AGE_SECONDS:
                continue
            path.unlink(missing_ok=True)
            removed.append(path)
            log.info("removed spool file %s: no batch records it and it is older than a day", path)
    return removed
