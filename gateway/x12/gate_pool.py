"""The pyx12 gate on every core: a big 837P batch is walked in parts by a pool of processes.

pyx12's walk is pure Python (about 3 ms a claim), so threads would not help; each worker is
a process that loads pyx12's maps once when it starts and keeps them for every later batch
(the daemon keeps its pool for its lifetime).  ``gate_split`` cuts the batch into one complete
sub-file per worker and maps the findings back, so the result is the one-walk gate's result.

Workers come from a fork server (a clean single-threaded process), not from forking the caller:
the daemon has threads, and a fork taken while one of them holds a lock (the gate's own walk
lock, logging's) would leave that lock held forever in the worker.

Below ``PARALLEL_MIN_SEGMENTS`` a file is walked in this process: cutting, the round trip to
the workers and the walk of the repeated envelope segments cost more than the second core wins
(``benchmarks/bench_build_837p.py`` measures the crossing point).
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.forkserver
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import repeat
from pathlib import Path
from typing import Any

from gateway.x12.gate import GateResult, preload, validate_text
from gateway.x12.gate_split import merge, plan_parts

# About 40 claims of our 837P (18 segments a claim); measured in bench_build_837p.py: see README.
PARALLEL_MIN_SEGMENTS = 750


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _walk(text: str, map_path: Path | None) -> GateResult:
    return validate_text(text, map_path)


class GatePool:
    """A process pool for the gate, started on first use and kept until ``close``."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or usable_cores()
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["gateway.x12.gate"])
                self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=preload)
            return self._executor

    def warm(self) -> None:
        """Start every worker now (each loads the maps), so the first batch does not wait for it."""
        pool = self._pool()
        list(pool.map(preload, repeat(None, self.workers)))

    def validate(self, text: str, map_path: Path | None = None, *, parts: int | None = None) -> GateResult:
        """The one-walk gate's result for ``text``, walked in parts when it can be cut."""
        return self.start(text, map_path, parts=parts)()

    def start(
        self, text: str, map_path: Path | None = None, *, parts: int | None = None
    ) -> Callable[[], GateResult]:
        """Hand the parts to the workers now; the returned call waits for them and merges.

        The caller's process is free meanwhile (the outbound step runs our own checks then).
        """
        plan = plan_parts(text, parts or self.workers)
        if plan is None:
            return lambda: validate_text(text, map_path)
        try:
            futures = [self._pool().submit(_walk, part.text, map_path) for part in plan]
        except BrokenProcessPool:
            self.close()
            return lambda: validate_text(text, map_path)

        def finish() -> GateResult:
            try:
                results = [future.result() for future in futures]
            except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh next time
                self.close()
                return validate_text(text, map_path)
            if any(result.fatal for result in results):
                return validate_text(text, map_path)  # the whole file's walk words it for the operator
            merged = merge(plan, [result.issues for result in results])
            return validate_text(text, map_path) if merged is None else GateResult(merged)

        return finish

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


_shared: GatePool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> GatePool:
    """This process's pool (one per process; a forked child starts its own)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = GatePool()
            atexit.register(_shared.close)
        return _shared


def _forget_after_fork() -> None:
    # The parent's executor (its threads and pipes) means nothing in a forked child; nor does the
    # parent's fork server, which is not the child's child: multiprocessing would waitpid() on it
    # and fail (ChildProcessError) the first time the child gates a big batch.  The child starts
    # its own on first use, and lets go of the parent's "alive" pipe so that server can stop.
    global _shared, _shared_lock
    _shared, _shared_lock = None, threading.Lock()
    server: Any = multiprocessing.forkserver._forkserver  # its private fields: no public reset exists
    if server._forkserver_pid is not None:
        if server._forkserver_alive_fd is not None:
            os.close(server._forkserver_alive_fd)
        server._forkserver_pid = server._forkserver_alive_fd = server._forkserver_address = None
    server._lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def validate_batch(text: str, map_path: Path | None = None) -> GateResult:
    """The gate for one file: in this process when it is small or there is one core, else the pool."""
    return start_batch(text, map_path)()


def start_batch(text: str, map_path: Path | None = None) -> Callable[[], GateResult]:
    """``validate_batch`` in two halves: a big file goes to the workers now, the call collects."""
    if usable_cores() < 2 or text.count("~" if len(text) < 106 else text[105]) < PARALLEL_MIN_SEGMENTS:
        return lambda: validate_text(text, map_path)
    return shared_pool().start(text, map_path)
