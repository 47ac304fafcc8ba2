"""837P build and gate throughput: the gate in one process vs in parts on a process pool.

Prints three tables (wall seconds and CPU seconds of this process are both shown: on a shared
machine the wall time carries other people's load, the CPU time much less of it):

1. build alone (our builder, claims already validated), best of 5, on 1,000 and 10,000 claims
   (target: >= 20,000 claims/s on 10,000);
2. build + gate (our checks + pyx12 with maps loaded once) with the gate in this process vs
   on the pool (one part per core, workers warm), on 1,000 and 10,000 claims, with the pool's
   result checked equal to the one-process result;
3. the crossing point: gate time in-process vs pool on small files, which sets
   ``gate_pool.PARALLEL_MIN_SEGMENTS``.

Run: .venv/bin/python benchmarks/bench_build_837p.py [--quick]   (about 3 minutes on 2 cores;
--quick skips the 10,000-claim gate rows)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from example_claims import make_claims

from gateway.x12.build_837p import build_837p
from gateway.x12.envelope import ControlNumbers, SubmitterIdentity, TradingPartners
from gateway.x12.gate import validate_text
from gateway.x12.gate_pool import GatePool, usable_cores

SUBMITTER = SubmitterIdentity(
    submitter_id="PAINCLINIC", submitter_name="BENCH PAIN BILLING", contact_name="EDI DESK",
    receiver_name="BENCH CLEARINGHOUSE", receiver_id="CLEARINGHOUSE", contact_phone="5035550100",
)  # fmt: skip
PARTNERS = TradingPartners("PAINCLINIC", "CLEARINGHOUSE", identity=SUBMITTER)
WHEN = dt.datetime(2026, 11, 28, 9, 30)
CONTROL = ControlNumbers(1, 1, 1)


def best_of(runs: int, function: Callable[[], object]) -> tuple[float, float]:
    """Best wall and best CPU seconds (this process) of ``runs`` calls."""
    wall = cpu = float("inf")
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-claim gate rows")
    args = parser.parse_args()
    cores = usable_cores()
    load = os.getloadavg()[0]
    print(f"837P build and gate: Python {sys.version.split()[0]}, {cores} cores, load average {load:.1f}")
    pool = GatePool()
    started = time.perf_counter()
    pool.warm()
    warm_seconds = time.perf_counter() - started
    validate_text(build_837p(make_claims(1), PARTNERS, CONTROL, WHEN).text)  # maps in this process too

    print("\n| claims | build s (wall) | build s (CPU) | claims/s (wall) | claims/s (CPU) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for size in (1_000, 10_000):
        claims = make_claims(size)
        wall, cpu = best_of(5, lambda c=claims: build_837p(c, PARTNERS, CONTROL, WHEN))
        print(f"| {size:,} | {wall:.3f} | {cpu:.3f} | {size / wall:,.0f} | {size / cpu:,.0f} |")
    print("target: >= 20,000 claims/s on 10,000 claims (best of 5)")

    print(
        f"\npool: {pool.workers} workers, started and maps loaded in {warm_seconds:.1f} s (once per daemon)"
    )
    print(
        "| claims | MB | build + gate, one process s | claims/s | build + gate, pool s | claims/s | speed-up | equal |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for size in (1_000,) if args.quick else (1_000, 10_000):
        claims = make_claims(size)
        runs = 3 if size <= 1_000 else 1
        text = build_837p(claims, PARTNERS, CONTROL, WHEN).text
        single = validate_text(text)
        pooled = pool.validate(text)
        one_wall, _ = best_of(
            runs, lambda c=claims: validate_text(build_837p(c, PARTNERS, CONTROL, WHEN).text)
        )
        pool_wall, _ = best_of(
            runs, lambda c=claims: pool.validate(build_837p(c, PARTNERS, CONTROL, WHEN).text)
        )
        print(
            f"| {size:,} | {len(text) / 1e6:.2f} | {one_wall:.2f} | {size / one_wall:,.0f} | {pool_wall:.2f} "
            f"| {size / pool_wall:,.0f} | {one_wall / pool_wall:.2f}x | {single == pooled and single.ok} |"
        )

    print("\ncrossing point (gate only, best of 3): below it the gate stays in-process")
    print("| claims | segments | one process ms | pool ms |")
    print("| ---: | ---: | ---: | ---: |")
    for size in (5, 20, 50, 100, 200):
        text = build_837p(make_claims(size), PARTNERS, CONTROL, WHEN).text
        one_wall, _ = best_of(3, lambda t=text: validate_text(t))
        pool_wall, _ = best_of(3, lambda t=text: pool.validate(t))
        print(f"| {size} | {text.count('~')} | {one_wall * 1000:.0f} | {pool_wall * 1000:.0f} |")
    pool.close()


if __name__ == "__main__":
    main()
