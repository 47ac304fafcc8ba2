"""Run every benchmark script in this folder, one after another, each in a fresh interpreter.

Each script prints its own table (side by side with pyx12 or a naive baseline in the same run).
Run: .venv/bin/python benchmarks/run_all.py [NAME_FILTER]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted not in script.name:
            continue
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], check=False, cwd=HERE.parent)
        print(
            f"== {script.name}: exit {result.returncode} in {time.perf_counter() - started:.1f} s\n",
            flush=True,
        )
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
