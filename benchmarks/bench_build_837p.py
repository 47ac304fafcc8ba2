"""837P build and gate throughput: the gate in one process vs in parts on a process pool.

Prints four tables (wall seconds and CPU seconds of this process are both shown: on a shared
machine the wall time carries other people's load, the CPU time much less of it):

0. the gate's CPU seconds with pyx12's stock walk and with ``gate_accel``'s shortcuts, in the
   same run, on claims cycled from the examples and on claims whose patients are all distinct;
1. build alone (our builder, claims already validated), best of 5, on 1,000 and 10,000 claims
   (target: >= 20,000 claims/s on 10,000), beside the checked path (every segment through
   ``BlockWriter``, the build before ``build_837p_text``) in the same run;
2. build + gate (our checks + pyx12 with maps loaded once) with the gate in this process vs
   on the pool (one part per core, workers warm), on 1,000 and 10,000 claims, with the pool's
   result checked equal to the one-process result, and the CPU seconds the pool's workers and
   this process spent on it (if the workers' CPU is about the one-process CPU and this process's
   is small, a pool slower than half the one-process time is the machine, not the pool);
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

from example_claims import make_claims, make_distinct_claims

from gateway.domain.claim import Claim
from gateway.x12 import build_837p as build_837p_module
from gateway.x12.build_837p import BuiltFile, build_837p
from gateway.x12.delimiters import DEFAULT_DELIMITERS
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


def build_checked(claims: list[Claim]) -> BuiltFile:
    """The build through the checked writer only (the baseline of the build table)."""
    return build_837p_module._build_checked(claims, PARTNERS, CONTROL, WHEN, DEFAULT_DELIMITERS)


def best_of(runs: int, function: Callable[[], object]) -> tuple[float, float]:
    """Best wall and best CPU seconds (this process) of ``runs`` calls."""
    wall = cpu = float("inf")
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def workers_cpu(pool: GatePool) -> float:
    """CPU seconds (user + system) the pool's worker processes have used so far (Linux)."""
    executor = pool._executor  # a benchmark may read the workers' /proc entries
    if executor is None:
        return 0.0
    ticks = 0
    for pid in list(executor._processes):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def gate_cpu_table(quick: bool) -> None:
    print(
        "\ngate CPU s (this process, best of 3 alternated; 10,000: 1 each): pyx12's stock walk vs gate_accel"
    )
    print("| claims | stock walk s CPU | accelerated s CPU | speed-up | equal |")
    print("| --- | ---: | ---: | ---: | --- |")
    rows = [
        ("1,000 cycled from the examples", make_claims, 1_000),
        ("1,000, every patient distinct", make_distinct_claims, 1_000),
    ]
    if not quick:
        rows.append(("10,000, every patient distinct", make_distinct_claims, 10_000))
    for label, make, size in rows:
        text = build_837p(make(size), PARTNERS, CONTROL, WHEN).text
        runs = 3 if size <= 1_000 else 1
        stock_result, fast_result = validate_text(text, stock=True), validate_text(text)
        stock_cpu = fast_cpu = float("inf")
        for _ in range(runs):  # alternated, so a change in the machine's load hits both columns
            stock_cpu = min(stock_cpu, best_of(1, lambda t=text: validate_text(t, stock=True))[1])
            fast_cpu = min(fast_cpu, best_of(1, lambda t=text: validate_text(t))[1])
        print(
            f"| {label} | {stock_cpu:.2f} | {fast_cpu:.2f} | {stock_cpu / fast_cpu:.2f}x "
            f"| {stock_result == fast_result and fast_result.ok} |"
        )


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
    validate_text(build_837p(make_claims(1), PARTNERS, CONTROL, WHEN).text, stock=True)
    gate_cpu_table(args.quick)

    print(
        "\nbuild, best of 5 (text path: build_837p; checked path: every segment through BlockWriter, "
        "what build_837p did before the text path and still does for data holding a delimiter; "
        "the two alternated)"
    )
    print(
        "| claims | build s (wall) | build s (CPU) | claims/s (wall) | claims/s (CPU) "
        "| checked path s (CPU) | claims/s (CPU) | same bytes |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for size in (1_000, 10_000):
        claims = make_claims(size)
        wall = cpu = checked_cpu = float("inf")
        for _ in range(5):
            run_wall, run_cpu = best_of(1, lambda c=claims: build_837p(c, PARTNERS, CONTROL, WHEN))
            wall, cpu = min(wall, run_wall), min(cpu, run_cpu)
            checked_cpu = min(checked_cpu, best_of(1, lambda c=claims: build_checked(c))[1])
        same = build_837p(claims, PARTNERS, CONTROL, WHEN) == build_checked(claims)
        print(
            f"| {size:,} | {wall:.3f} | {cpu:.3f} | {size / wall:,.0f} | {size / cpu:,.0f} "
            f"| {checked_cpu:.3f} | {size / checked_cpu:,.0f} | {same} |"
        )
    print("target: >= 20,000 claims/s on 10,000 claims (best of 5)")

    print(
        f"\npool: {pool.workers} workers, started and maps loaded in {warm_seconds:.1f} s (once per daemon)"
    )
    print(
        "| claims | MB | build + gate, one process s | claims/s | build + gate, pool s | claims/s | speed-up "
        "| one process s CPU | pool: this process s CPU | pool: workers s CPU | equal |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for size in (1_000,) if args.quick else (1_000, 10_000):
        claims = make_claims(size)
        runs = 3 if size <= 1_000 else 1
        text = build_837p(claims, PARTNERS, CONTROL, WHEN).text
        single = validate_text(text)
        pooled = pool.validate(text)
        one_wall, one_cpu = best_of(
            runs, lambda c=claims: validate_text(build_837p(c, PARTNERS, CONTROL, WHEN).text)
        )
        before = workers_cpu(pool)
        pool_wall, pool_cpu = best_of(
            runs, lambda c=claims: pool.validate(build_837p(c, PARTNERS, CONTROL, WHEN).text)
        )
        workers = (workers_cpu(pool) - before) / runs
        print(
            f"| {size:,} | {len(text) / 1e6:.2f} | {one_wall:.2f} | {size / one_wall:,.0f} | {pool_wall:.2f} "
            f"| {size / pool_wall:,.0f} | {one_wall / pool_wall:.2f}x | {one_cpu:.2f} | {pool_cpu:.2f} "
            f"| {workers:.2f} | {single == pooled and single.ok} |"
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
