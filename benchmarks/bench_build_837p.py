"""837P build and gate throughput, side by side with pyx12's own entry point.

Prints one table: claims/s for
  - build alone (our builder, claims already validated),
  - build + gate (our checks + pyx12 with maps cached in-process),
  - pyx12 alone via x12n_document (re-reads its maps on every call) on the same file,
for files of 10, 1,000 and 10,000 claims, and the gate's latency on a one-claim file after
warm-up (target: build >= 20,000 claims/s; gate <= 10 ms on one claim).

Run: .venv/bin/python benchmarks/bench_build_837p.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

import pyx12.params
import pyx12.x12n_document
from example_claims import make_claims

from gateway.pipeline.outbound import gate_issues
from gateway.x12.build_837p import build_837p
from gateway.x12.envelope import ControlNumbers, TradingPartners

REPO = Path(__file__).resolve().parent.parent
PARTNERS = TradingPartners("PAINCLINIC", "CLEARINGHOUSE")
WHEN = dt.datetime(2026, 11, 28, 9, 30)


def timed(function, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def pyx12_plain(text: str) -> bool:
    ack = io.StringIO()
    return bool(pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), ack, None, None))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-claim gate runs")
    args = parser.parse_args()
    sizes = [10, 1_000] if args.quick else [10, 1_000, 10_000]
    control = ControlNumbers(1, 1, 1)
    rows = []
    gate_issues(build_837p(make_claims(1), PARTNERS, control, WHEN).text)  # warm-up: load the maps once
    for size in sizes:
        claims = make_claims(size)
        text = build_837p(claims, PARTNERS, control, WHEN).text
        repeat = 5 if size <= 1_000 else 3
        build_s = timed(lambda c=claims: build_837p(c, PARTNERS, control, WHEN), repeat)
        gate_repeat = 3 if size <= 1_000 else 1
        gate_s = timed(lambda t=text: gate_issues(t), gate_repeat)
        pyx12_s = timed(lambda t=text: pyx12_plain(t), gate_repeat)
        assert not gate_issues(text), "benchmark file must be valid"
        rows.append((size, len(text) / 1e6, size / build_s, size / (build_s + gate_s), size / pyx12_s))
    one = build_837p(make_claims(1), PARTNERS, control, WHEN).text
    gate_one_ms = timed(lambda: gate_issues(one), 20) * 1000
    pyx12_one_ms = timed(lambda: pyx12_plain(one), 5) * 1000

    print(f"837P build and gate (Python {sys.version.split()[0]}, median of repeats)")
    print(
        f"{'claims':>8} {'MB':>7} {'build claims/s':>15} {'build+gate claims/s':>20} {'pyx12 alone claims/s':>21}"
    )
    for size, megabytes, build_rate, gated_rate, pyx12_rate in rows:
        print(f"{size:>8,} {megabytes:>7.2f} {build_rate:>15,.0f} {gated_rate:>20,.0f} {pyx12_rate:>21,.0f}")
    print(
        f"one-claim file: gate {gate_one_ms:.1f} ms after warm-up; pyx12 x12n_document {pyx12_one_ms:.1f} ms"
    )
    print("targets: build >= 20,000 claims/s; gate on one claim <= 10 ms")


if __name__ == "__main__":
    main()
