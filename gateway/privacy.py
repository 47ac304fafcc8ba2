"""Private by default: claims data is PHI, so nothing we write is readable by group or others.

``use_private_umask`` sets umask 077 for the whole process (the CLI's first step, so the
daemon, the demo and every command get it whatever the caller's umask: SQLite's database and
its WAL, lock files, spool folders, moved claim files, local-folder uploads).  Where we create
a file or folder ourselves we also pass the private mode, so library callers get it too.

``tighten_home`` is for files an earlier run (or an older version) left with wider modes:
the SQLite database and its companions, and everything under the outbound and inbound spool
folders, become 0600 (files) and 0700 (folders), reported in one INFO line.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from gateway.settings import Settings

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700
SQLITE_PREFIX = "sqlite:///"
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".daemon.lock")

log = logging.getLogger("gateway.privacy")


def use_private_umask() -> int:
    """Set umask 077 for this process; returns the caller's umask."""
    return os.umask(PRIVATE_UMASK)


def sqlite_files(db_url: str) -> list[Path]:
    """The SQLite database file and its companions (WAL, shared memory, daemon lock), if SQLite."""
    if not db_url.startswith(SQLITE_PREFIX):
        return []
    database = db_url.removeprefix(SQLITE_PREFIX).split("?", 1)[0]
    if not database or database == ":memory:":
        return []
    return [Path(f"{database}{suffix}") for suffix in _SQLITE_COMPANIONS]


def _tighten_one(path: Path) -> bool:
    try:
        status = path.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(status.st_mode) or not status.st_mode & 0o077:
        return False
    wanted = FOLDER_MODE if stat.S_ISDIR(status.st_mode) else FILE_MODE
    path.chmod(stat.S_IMODE(status.st_mode) & wanted)
    return True


def _tree(folder: Path) -> Iterable[Path]:
    if not folder.is_dir() or folder.is_symlink():
        return
    yield folder
    for root, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            yield Path(root) / name


def tighten(paths: Iterable[Path]) -> list[Path]:
    """Take group/other bits off each path; the ones changed."""
    changed = []
    for path in paths:
        try:
            if _tighten_one(path):
                changed.append(path)
        except OSError as error:  # not ours to change (another owner): say so, go on
            log.warning("cannot make %s private: %s", path, error.strerror or error)
    return changed


def tighten_home(settings: Settings) -> list[Path]:
    """Tighten the database files and the spool trees; one INFO line when anything changed."""
    candidates = [*sqlite_files(settings.db_url), *_tree(settings.outbound), *_tree(settings.inbound)]
    changed = tighten(candidates)
    if changed:
        shown = ", ".join(str(path) for path in changed[:5])
        more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        log.info(
            "made %d path(s) private (files 0600, folders 0700; they were readable by group or others): %s%s",
            len(changed), shown, more,
        )  # fmt: skip
    return changed
