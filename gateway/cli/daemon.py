"""`gateway run`: the daemon (scheduled cycles), or `--once` to work until idle and exit."""

from __future__ import annotations

import logging

import click

from gateway.daemon.config import load_gateway_config
from gateway.daemon.jsonlog import configure
from gateway.daemon.lifecycle import Daemon
from gateway.privacy import tighten_home
from gateway.rules import load_rule_book
from gateway.settings import Settings
from gateway.store.batches import open_shared_store


@click.command()
@click.option("--once", is_flag=True, help="Run intake, outbound and poll until nothing is left, then exit.")
@click.option("--json-logs", is_flag=True, help="One JSON object per log line (also: daemon.json_logs).")
@click.option("--actor", default=None, help="Name recorded on every event (default daemon:HOST:PID).")
@click.pass_context
def run(ctx: click.Context, once: bool, json_logs: bool, actor: str | None) -> None:
    """Run the gateway daemon with the config file's clearinghouses and daemon settings."""
    settings: Settings = ctx.obj
    whole = load_gateway_config(settings.config_file)
    config, profiles = whole.daemon, whole.profiles
    configure(json_logs or config.json_logs, logging.DEBUG if ctx.meta.get("debug") else logging.INFO)
    tighten_home(settings)  # what an earlier run left readable by others (one INFO line)
    book = load_rule_book(settings.payer_configs)
    store = open_shared_store(settings.db_url)
    try:
        daemon = Daemon(store, config, profiles, book, settings.outbound, settings.inbound, actor=actor)
        if once:
            rounds = daemon.run_until_idle()
            click.echo(f"idle after {rounds} round(s)")
        else:
            daemon.run_forever()
    finally:
        store.close()
