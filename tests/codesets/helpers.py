"""Run the gateway CLI as an operator does: a fresh process with GATEWAY_HOME set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def gateway(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = home / "gateway.yaml"
    if not config.exists():  # one clearinghouse: `build 837p` takes its identity (1000A/1000B)
        shutil.copyfile(REPO / "examples" / "clearinghouses" / "local_folders.yaml", config)
    env = {**os.environ, "GATEWAY_HOME": str(home)}
    env.pop("GATEWAY_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
