"""Code sets: ICD-10-CM look-ups per second, cold index load, and `gateway check` start-up cost.

Rows:
  - look-ups/s: ``Icd10Index.kind`` over a mix of billable, header, 7th-character and unknown
    codes (one warm process), next to a plain ``dict.get`` over the same codes as the baseline;
  - cold load: reading the cached index of the shipped release (file read + unpack of the
    letters a pain claim touches: M and G), and the whole release (every letter);
  - build: reading the package's XML + code list once (what the first run after an install pays);
  - `gateway check` wall time on every examples/claims/*.json, one process per file as an operator
    runs it: "before" is the same command with an empty ICD-10-CM catalog patched in (no code-set
    data loaded or judged), "after" is the command as shipped.  The difference is the start-up
    cost of the code-set layer (target <= 50 ms per run).

Run: .venv/bin/python benchmarks/bench_codes.py [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gateway.codesets import default_code_sets
from gateway.codesets.icd10cm_files import load_release
from gateway.codesets.shipped import _cache_name, cache_root, read_blobs, shipped_files

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples" / "claims").glob("*.json"))
MIX = ["M5450", "M545", "M47816", "M4781", "Z9999", "S335XX", "S335XXA", "G8929", "M51360", "M5136"]

BEFORE = """
import sys
import gateway.codesets.sets as sets
from gateway.codesets.releases import Icd10Catalog
empty = sets.CodeSets(icd10=Icd10Catalog([]))
sets.default_code_sets = lambda: empty
import gateway.codesets, gateway.rules.engine, gateway.cli.check
gateway.codesets.default_code_sets = sets.default_code_sets
gateway.rules.engine.default_code_sets = sets.default_code_sets
gateway.cli.check.default_code_sets = sets.default_code_sets
from gateway.cli.main import main
sys.argv = ["gateway", *sys.argv[1:]]
main()
"""


def lookups(seconds: float = 1.0) -> tuple[float, float]:
    index = default_code_sets().icd10.judge_day(dt.date(2026, 6, 1)).release.index
    codes = MIX * 100_000
    kind = index.kind
    for code in MIX:
        kind(code)
    start = time.perf_counter()
    for code in codes:
        kind(code)
    ours = len(codes) / (time.perf_counter() - start)
    table = dict.fromkeys(MIX, 1)
    get = table.get
    start = time.perf_counter()
    for code in codes:
        get(code, 0)
    plain = len(codes) / (time.perf_counter() - start)
    return ours, plain


def cold_load(repeat: int) -> tuple[float, float]:
    codes, tabular = shipped_files()
    path = cache_root() / _cache_name(codes, tabular)
    default_code_sets().icd10.judge_day(dt.date(2026, 6, 1)).release.index.kind("M5450")  # cache file exists
    touched, full = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        index = read_blobs(path)
        assert index is not None
        index.kind("M5450")
        index.kind("G8929")
        touched.append(time.perf_counter() - start)
        index.counts()
        full.append(time.perf_counter() - start)
    return statistics.median(touched), statistics.median(full)


def build_once() -> float:
    codes, tabular = shipped_files()
    start = time.perf_counter()
    load_release("April 2026", codes, tabular)
    return time.perf_counter() - start


def check_runs(repeat: int) -> tuple[float, float]:
    env = {**os.environ, "GATEWAY_HOME": tempfile.mkdtemp(prefix="bench-codes-")}
    before: list[float] = []
    after: list[float] = []
    for _ in range(repeat):
        for path in EXAMPLES:
            for command, out in (
                ([sys.executable, "-c", BEFORE, "check", "--no-history", str(path)], before),
                ([sys.executable, "-m", "gateway", "check", "--no-history", str(path)], after),
            ):
                start = time.perf_counter()
                subprocess.run(command, env=env, capture_output=True, check=False, timeout=300)
                out.append(time.perf_counter() - start)
    return statistics.median(before), statistics.median(after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ours, plain = lookups()
    touched, full = cold_load(max(args.repeat, 5))
    build = build_once()
    before, after = check_runs(args.repeat)
    rows = [
        ("ICD-10-CM look-ups/s (Icd10Index.kind)", f"{ours:,.0f}", "dict.get baseline", f"{plain:,.0f}"),
        ("cold load, letters M+G (ms)", f"{touched * 1e3:.1f}", "whole release (ms)", f"{full * 1e3:.1f}"),
        ("build from the package's XML (s)", f"{build:.2f}", "", ""),
        (
            f"gateway check, median of {len(EXAMPLES)} examples x {args.repeat} (ms)",
            f"{after * 1e3:.0f}",
            "before (no code-set data)",
            f"{before * 1e3:.0f}",
        ),
        ("start-up cost of the code-set layer (ms)", f"{(after - before) * 1e3:.0f}", "target", "<= 50"),
    ]
    width = max(len(row[0]) for row in rows)
    for name, value, label, baseline in rows:
        print(f"{name:<{width}}  {value:>12}   {label:<26} {baseline:>12}")


if __name__ == "__main__":
    main()
