"""The watched folder outbound/pending: each claims file in its own failure domain.

A file is read, decoded (size and depth limits), validated and recorded; whatever goes wrong
with one file (bad JSON, 100,000 nested brackets, a value the database refuses, a bug of ours)
moves that file to ``pending/rejected/`` with a ``NAME.reason`` beside it (0600) and the cycle
goes on with the next file.  Only a database that cannot be reached stops the cycle: that is
not the file's fault, so the file stays in ``pending/`` for the next cycle.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from gateway.errors import InputError, StoreError
from gateway.intake import decode_json, parse_claims
from gateway.pipeline.cycle_context import Context, CycleReport
from gateway.spool import write_atomic
from gateway.store import intake_ops

log = logging.getLogger("gateway.pipeline.intake")
PENDING = "pending"
REJECTED = "rejected"
DONE = "done"


def take_pending_files(
    ctx: Context, report: CycleReport, after_each: Callable[[], None] = lambda: None
) -> None:
    """Take every ``*.json`` in outbound/pending, in name order, one failure domain each.

    ``after_each`` runs after each file (the cycle screens what the file brought); what it
    raises is not the file's fault and ends the taking, as a database error does.
    """
    pending = ctx.outbound / PENDING
    if not pending.is_dir():
        return
    for path in sorted(pending.glob("*.json")):
        if ctx.stop.is_set():
            return
        try:
            _take_one(ctx, path, report)
        except StoreError:
            raise  # the database, not the file: the file waits for the next cycle
        except InputError as error:
            _reject(path, pending, [str(error), *error.problems], report)
        except Exception as error:
            # The type only in the log: a message from a library may quote the file's data.
            log.debug("%s: rejected after %s", path.name, type(error).__name__, exc_info=True)
            _reject(path, pending, [f"{path}: cannot be taken ({type(error).__name__}: {error})"], report)
        after_each()


def _take_one(ctx: Context, path: Path, report: CycleReport) -> None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return  # another daemon took it between the listing and now
    claims = parse_claims(decode_json(data, str(path)), str(path))
    sha256 = hashlib.sha256(data).hexdigest()
    taken = intake_ops.take_intake_file(ctx.store, sha256, path.name, claims, ctx.actor)
    if taken is not None:
        for (claim_id, payload), claim in zip(taken, claims, strict=True):
            ctx.claims.put(claim_id, payload, claim)
        report.add("claims_received", len(claims))
    # Taken now or by an earlier run that died before moving it: either way it is recorded.
    move_aside(path, path.parent / DONE)
    report.add("files_taken")


def _reject(path: Path, pending: Path, lines: list[str], report: CycleReport) -> None:
    report.errors.append(lines[0])  # names the file; the problems are in the .reason file
    report.add("files_rejected")
    moved = move_aside(path, pending / REJECTED)
    if moved is not None:
        write_atomic(moved.with_name(moved.name + ".reason"), "\n".join([*lines, ""]).encode())


def move_aside(path: Path, folder: Path) -> Path | None:
    """Move ``path`` into ``folder`` (0700), never over another file; None if it is gone."""
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{int(time.time() * 1000)}-{path.name}"
    try:
        shutil.move(str(path), target)
    except FileNotFoundError:
        return None  # another daemon moved it first
    target.chmod(0o600)  # a claims file dropped in with the writer's umask is PHI all the same
    return target
