"""Running the console under uvicorn, with no access log of paths (see ``ConsoleHeaders``)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path

import uvicorn

from gateway.domain.accounts import Role
from gateway.rules import load_rule_book
from gateway.settings import Settings
from gateway.store import console
from gateway.store.db import Store
from gateway.web import security
from gateway.web.app import Console, WebConfig, create_app

KEY_FILE = "console.key"
ONE_TIME_USER = "demo"


def build_console(
    store: Store, settings: Settings, config: WebConfig, key_file: Path | None = None
) -> Console:
    key = security.load_or_create_key(key_file or settings.home / KEY_FILE)
    return Console(store, load_rule_book(settings.payer_configs), key, config)


def one_time_operator(store: Store) -> tuple[str, str]:
    """An operator account ``demo`` with a fresh random password (for ``gateway demo --web``)."""
    password = secrets.token_urlsafe(12)
    digest = security.hash_password(password)
    if console.find_user(store, ONE_TIME_USER) is None:
        console.add_user(store, ONE_TIME_USER, Role.OPERATOR, digest)
    else:
        console.set_password(store, ONE_TIME_USER, digest, Role.OPERATOR)
    return ONE_TIME_USER, password


def serve_demo(db_url: str, settings: Settings, home: Path, port: int, say: Callable[[str], None]) -> None:
    """``gateway demo --web``: the console on the demo's database until Ctrl-C.

    The ``demo`` operator gets a fresh random password, printed once; it is disabled again when
    the console stops, so the password is good for this run only.
    """
    with Store.open(db_url) as store:
        name, password = one_time_operator(store)
        config = WebConfig(port=port)
        say(
            f"console: http://{config.host}:{port}/  user {name}, one-time password {password}  (Ctrl-C stops it)"
        )
        try:
            serve(build_console(store, settings, config, home / KEY_FILE))
        finally:
            console.disable_user(store, name)


def serve(console_app: Console) -> None:
    """Serve until interrupted (Ctrl-C / SIGTERM)."""
    logging.getLogger("gateway.web").setLevel(logging.INFO)
    config = console_app.config
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(console_app),
            host=config.host,
            port=config.port,
            access_log=False,  # uvicorn's would print paths; ours prints route templates
            log_config=None,  # keep the gateway's logging set-up
            proxy_headers=config.behind_tls,
            forwarded_allow_ips="127.0.0.1" if config.behind_tls else None,
            server_header=False,
        )
    )
    server.run()
