from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from gateway.store.control_numbers import ControlKind, allocate, last_allocated
from gateway.store.db import Store

ALLOCATE_FOREVER = """
import sys
from gateway.store.db import Store
from gateway.store.control_numbers import ControlKind, allocate
store = Store.open(sys.argv[1])
while True:
    number = allocate(store, "S", "R", ControlKind.INTERCHANGE)[0]
    print(number, flush=True)
"""

ALLOCATE_N = """
import sys
from gateway.store.db import Store
from gateway.store.control_numbers import ControlKind, allocate
store = Store.open(sys.argv[1])
for _ in range(int(sys.argv[2])):
    print(allocate(store, "S", "R", ControlKind.GROUP)[0], flush=True)
"""


def test_numbers_increase_per_pair_and_kind(any_store: Store) -> None:
    assert list(allocate(any_store, "A", "B", ControlKind.INTERCHANGE)) == [1]
    assert list(allocate(any_store, "A", "B", ControlKind.INTERCHANGE, 3)) == [2, 3, 4]
    assert list(allocate(any_store, "A", "C", ControlKind.INTERCHANGE)) == [1]  # other receiver
    assert list(allocate(any_store, "A", "B", ControlKind.GROUP)) == [1]  # other kind
    assert last_allocated(any_store, "A", "B", ControlKind.INTERCHANGE) == 4


def test_threads_never_get_the_same_number(any_store: Store) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: allocate(any_store, "T", "R", ControlKind.TRANSACTION)[0], range(60))
        )
    assert sorted(results) == list(range(1, 61))


def _db_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_processes_never_get_the_same_number(any_store: Store) -> None:
    url = _db_url(any_store)
    workers = [
        subprocess.Popen([sys.executable, "-c", ALLOCATE_N, url, "40"], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    numbers: list[int] = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        numbers.extend(int(line) for line in out.split())
    assert sorted(numbers) == list(range(1, 121))


def test_a_killed_allocator_never_causes_reuse(any_store: Store) -> None:
    """kill -9 an allocating process at several moments; every number it printed stays taken."""
    url = _db_url(any_store)
    handed_out: list[int] = []
    for delay in (0.05, 0.2, 0.45):
        worker = subprocess.Popen(
            [sys.executable, "-c", ALLOCATE_FOREVER, url], stdout=subprocess.PIPE, text=True
        )
        assert worker.stdout is not None
        first = worker.stdout.readline()  # wait until it is allocating, then kill it mid-stream
        time.sleep(delay)
        os.kill(worker.pid, signal.SIGKILL)
        out, _ = worker.communicate(timeout=30)
        handed_out.extend(int(line) for line in (first + out).split())
    assert handed_out, "the allocator never got going"
    assert len(set(handed_out)) == len(handed_out)
    after = allocate(any_store, "S", "R", ControlKind.INTERCHANGE)[0]
    assert after > max(handed_out)
