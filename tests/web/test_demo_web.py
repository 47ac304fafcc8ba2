"""`gateway demo --web`: the demo's data in the console, with a one-time password printed once."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gateway.store import console
from gateway.store.db import Store
from tests.conftest import REPO
from tests.web.conftest import csrf_of

LINE = re.compile(
    r"console: http://127\.0\.0\.1:(\d+)/  user demo, one-time password (\S+)  \(Ctrl-C stops it\)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_web_serves_the_demo_data_until_stopped_and_the_password_dies_with_it(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "GATEWAY_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway",
            "demo",
            "--web",
            "--port",
            str(port),
            "--dir",
            str(tmp_path / "demo"),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 240
        match = None
        while match is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "the demo ended before the console started"
            match = LINE.match(line)
        assert match is not None and int(match.group(1)) == port
        password = match.group(2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(300):  # the line is printed just before uvicorn binds
                try:
                    form = client.get("/login")
                    break
                except httpx.ConnectError:
                    time.sleep(0.1)
            login = client.post(
                "/login", data={"csrf": csrf_of(form.text), "name": "demo", "password": password}
            )
            assert login.status_code == 303
            today = client.get("/").text
            assert 'held: rules</a></th><td class="num">4</td>' in today
            denials = client.get("/denials").text
            assert "<td>CO</td><td>50</td>" in denials
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    with Store.open(f"sqlite:///{tmp_path / 'demo' / 'gateway.db'}") as store:
        user = console.find_user(store, "demo")
    assert user is not None and user.disabled
