"""Run the gateway CLI as an operator does: a fresh process with GATEWAY_HOME set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def gateway(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "GATEWAY_HOME": str(home)},
    )
