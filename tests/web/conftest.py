"""Console fixtures: a store with held, sent and failed work, users, the app, a live server, Chromium.

The data comes from the real daemon: six claims in (four clean, two held by the payer rules),
one batch sent to a local clearinghouse folder; then three more claims whose upload fails
because the clearinghouse folder is gone, so their batch is ``failed`` (the one to replay).
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from starlette.testclient import TestClient

from gateway.domain.accounts import Role
from gateway.settings import Settings
from gateway.store import console, console_read
from gateway.store.db import Store
from gateway.web import security
from gateway.web.app import Console, WebConfig, create_app
from tests.conftest import REPO
from tests.daemon.helpers import held_templates, local_profile, make_claims, make_daemon, write_pending

PASSWORD = "correct horse battery"
ARTIFACTS = REPO / "test-artifacts" / "web"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class ConsoleData:
    home: Path
    url: str
    failed_batch: int
    sent_batch: int
    held_claim: int  # a claim held by the payer rules
    held_pcn: str


def fill(home: Path) -> ConsoleData:
    url = f"sqlite:///{home / 'gateway.db'}"
    with Store.open(url) as store:
        profile = local_profile(home)
        daemon = make_daemon(store, home, {"localch": profile})
        daemon.start()
        try:
            write_pending(home / "outbound", make_claims(4) + make_claims(2, "H", held_templates()))
            daemon.intake()
            daemon.outbound()
            write_pending(home / "outbound", make_claims(3, "F"))
            shutil.rmtree(profile.upload_dir)  # the clearinghouse folder is gone: the upload fails
            daemon.intake()
            daemon.outbound()
        finally:
            daemon.close()
        batches = {line.status: line.id for line in console_read.batches(store)}
        held = console_read.held_claims(store).claims[0]
        for name, role in (("alice", Role.OPERATOR), ("victor", Role.VIEWER)):
            console.add_user(store, name, role, security.hash_password(PASSWORD))
    return ConsoleData(home, url, batches["failed"], batches["sent"], held.id, held.patient_control_number)


@pytest.fixture
def data(tmp_path: Path) -> ConsoleData:
    return fill(tmp_path)


def make_console(data: ConsoleData, store: Store, **config: object) -> Console:
    settings = Settings.from_env({"GATEWAY_HOME": str(data.home), "GATEWAY_DB_URL": data.url})
    from gateway.rules import load_rule_book

    return Console(store, load_rule_book(settings.payer_configs), b"k" * 32, WebConfig(**config))  # type: ignore[arg-type]


@pytest.fixture
def store(data: ConsoleData) -> Iterator[Store]:
    with Store.open(data.url) as opened:
        yield opened


@pytest.fixture
def client(data: ConsoleData, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(make_console(data, store)), follow_redirects=False) as test_client:
        yield test_client


def csrf_of(page: str) -> str:
    match = CSRF_RE.search(page)
    assert match is not None, "no CSRF field on the page"
    return match.group(1)


def log_in(client: TestClient, name: str = "alice", password: str = PASSWORD) -> str:
    """Log in; returns the session's CSRF token (from the Today page)."""
    form = client.get("/login")
    answer = client.post("/login", data={"csrf": csrf_of(form.text), "name": name, "password": password})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return csrf_of(client.get("/").text)


# -- a live server and a real headless Chromium ---------------------------------------------------


@pytest.fixture
def live_url(data: ConsoleData, store: Store) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(make_console(data, store)), log_config=None, access_log=False, lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start in 30 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def browser() -> Iterator[object]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Debian's chromium and chromium-driver are needed (bash .ci/services.sh installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--disable-gpu", "--no-first-run", "--disable-extensions"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
