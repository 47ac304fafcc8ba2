"""`gateway` command group and the one place that turns errors into exit codes.

Every subcommand lives in its own module of this package and is registered in ``_register``.
A ``GatewayError`` becomes one line on stderr (plus one line per listed problem) and its
``exit_code``; anything else becomes one line naming the exception class and exit code 70,
with the traceback only under ``--debug``: an operator never sees a Python traceback.
"""

from __future__ import annotations

import logging
import sys
import traceback

import click

from gateway import __version__
from gateway.errors import GatewayError
from gateway.settings import Settings

INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gateway")
@click.option("--debug", is_flag=True, help="Log at DEBUG and show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Pain-management claims gateway: rules, 837P/278 builds, transport, status ledger."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Settings.from_env()
    ctx.meta["debug"] = debug


def _register() -> None:
    from gateway.cli.build import build
    from gateway.cli.check import check, config
    from gateway.cli.claims_show import claims, denials
    from gateway.cli.clearinghouse import clearinghouse
    from gateway.cli.demo import demo
    from gateway.cli.packet import packet
    from gateway.cli.parse import ingest, parse
    from gateway.cli.schema import schema
    from gateway.cli.simulate import simulate_clearinghouse
    from gateway.cli.validate import validate

    for command in (build, check, claims, clearinghouse, config, denials, ingest, parse, schema, validate):
        cli.add_command(command)
    cli.add_command(simulate_clearinghouse)
    cli.add_command(demo)
    cli.add_command(packet)
    _register_daemon()


def _register_daemon() -> None:
    from gateway.cli.batches import batches
    from gateway.cli.daemon import run
    from gateway.cli.operator import status  # also attaches `claims hold` / `claims release`

    for command in (batches, run, status):
        cli.add_command(command)


def _print_error(error: GatewayError) -> None:
    click.echo(f"error: {error}", err=True)
    for problem in getattr(error, "problems", []):
        click.echo(f"  {problem}", err=True)


def main(argv: list[str] | None = None) -> None:
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # Without standalone mode click returns a command's ``Exit`` code instead of exiting.
        code = cli.main(args=argv, prog_name="gateway", standalone_mode=False)
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except GatewayError as error:
        _print_error(error)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001  last line of defence: no traceback for operators
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(error).__name__}: {error} (rerun with --debug)", err=True)
        sys.exit(INTERNAL_ERROR_EXIT)
    sys.exit(0)
