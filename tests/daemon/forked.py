"""Run a daemon in a forked child (imports, rule book and pyx12 maps are already warm).

A fork costs milliseconds where a fresh interpreter costs a second of imports, which is what
lets the kill -9 test kill a real daemon process 50+ times in seconds.  The child opens its own
engine and connections; the parent must not hold a database connection across the fork.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from gateway.store.db import Store
from gateway.transport import ClearinghouseProfile
from gateway.x12.gate_pool import shared_pool
from tests.daemon.helpers import make_daemon


def fork_daemon(url: str, home: Path, profiles: dict[str, ClearinghouseProfile], actor: str,
                **config: object) -> int:  # fmt: skip
    """Start ``run_until_idle`` in a child process; returns its pid (exit code 0 when idle)."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        store = Store.open(url, migrate_schema=False)
        daemon = make_daemon(store, home, profiles, actor=actor, **config)
        daemon.run_until_idle()
        store.close()
        code = 0
    except BaseException:  # noqa: BLE001 - report through the exit code, never return into pytest
        import traceback

        traceback.print_exc()
    finally:
        # os._exit skips atexit, which is what closes the gate pool a daemon starts: without
        # this, the child's fork server and gate workers outlive it (orphans of every test run).
        shared_pool().close()
        os._exit(code)


def kill_after(pid: int, seconds: float) -> bool:
    """SIGKILL ``pid`` after ``seconds`` unless it exited; True if it was killed mid-work."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0, f"daemon child failed with {status}"
            return False
        time.sleep(0.002)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        assert os.WEXITSTATUS(status) == 0, f"daemon child failed with exit code {os.WEXITSTATUS(status)}"
        return False
    return os.WTERMSIG(status) == signal.SIGKILL


def wait_ok(pid: int, timeout: float = 120.0, on_timeout: Callable[[], None] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0, f"daemon child failed with {status}"
            return
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"daemon child {pid} did not become idle in {timeout} s")
