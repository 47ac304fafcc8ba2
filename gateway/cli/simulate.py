"""`gateway simulate-clearinghouse`: answer the gateway's uploads like a clearinghouse and payer.

Either a local folder pair (``--folder DIR``: the gateway uploads into DIR/to-clearinghouse and
fetches from DIR/from-clearinghouse) or a clearinghouse profile of the config file
(``--clearinghouse NAME``, local or SFTP: the simulator logs in with the profile's account and
serves its folders from the other side).  One cycle with ``--once``, else a cycle every
``--interval`` seconds until interrupted.  Each cycle prints one line per decision (file, claim
number, code); no patient data.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from gateway.errors import ConfigError
from gateway.settings import Settings
from gateway.simulator.engine import CycleReport, Simulator
from gateway.simulator.folders import folder_pair, mirrored_local, mirrored_profile
from gateway.simulator.policy import load_policy
from gateway.transport.base import Transport
from gateway.transport.profiles import get_profile

WORK_FOLDER = ".simulator"


def _print(report: CycleReport) -> None:
    if report.idle:
        return
    click.echo(f"cycle {report.cycle}: {len(report.received)} file(s) in, {len(report.sent)} response(s) out")
    for event in report.events:
        click.echo(f"  {event}")


@click.command("simulate-clearinghouse")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              help="Local folder pair: FOLDER/to-clearinghouse in, FOLDER/from-clearinghouse out.")  # fmt: skip
@click.option("--clearinghouse", "profile_name", metavar="NAME",
              help="A clearinghouse profile of the config file (local or SFTP).")  # fmt: skip
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Simulator policy (YAML); default: the demo policy.")  # fmt: skip
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="State and copies of every file (default: FOLDER/.simulator or $GATEWAY_HOME/simulator/NAME).")  # fmt: skip
@click.option("--once", is_flag=True, help="Run one cycle and exit.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between cycles.")  # fmt: skip
@click.option("--cycles", type=click.IntRange(min=1), help="Stop after this many cycles.")
@click.pass_obj
def simulate_clearinghouse(
    settings: Settings,
    folder: Path | None,
    profile_name: str | None,
    policy_file: Path | None,
    work_dir: Path | None,
    once: bool,
    interval: float,
    cycles: int | None,
) -> None:
    """Answer uploaded 837P/278 files with TA1, 999, 277CA, 278 and (later) 835 responses."""
    if (folder is None) == (profile_name is None):
        raise click.UsageError("give exactly one of --folder or --clearinghouse")
    policy = load_policy(policy_file)
    transport: Transport
    if folder is not None:
        upload, response = folder_pair(folder)
        transport = mirrored_local("simulator", upload, response)
        work = work_dir or folder / WORK_FOLDER
    else:
        assert profile_name is not None
        profile = get_profile(settings.config_file, profile_name)
        transport = mirrored_profile(profile)
        work = work_dir or settings.home / "simulator" / profile_name
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"{work}: cannot create the simulator work folder ({error.strerror})") from None
    simulator = Simulator(transport, work, policy)
    limit = 1 if once else cycles
    done = 0
    try:
        while True:
            _print(simulator.run_cycle())
            done += 1
            if limit is not None and done >= limit:
                break
            time.sleep(interval)
    finally:
        transport.close()
