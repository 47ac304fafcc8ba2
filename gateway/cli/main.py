"""`gateway` command group and the one place that turns errors into exit codes.

Every subcommand lives in its own module of this package and is listed in ``COMMANDS``; a
module is imported only when its command runs (``gateway validate`` does not load the database,
the rules or the PDF libraries), and a broken module breaks only its own command.
A ``GatewayError`` becomes one line on stderr (plus one line per listed problem) and its
``exit_code``; anything else becomes one line naming the exception class and exit code 70,
with the traceback only under ``--debug``: an operator never sees a Python traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys
import traceback
from dataclasses import dataclass

import click

from gateway import __version__
from gateway.errors import GatewayError
from gateway.privacy import use_private_umask
from gateway.settings import Settings

INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE


@dataclass(frozen=True)
class LazyCommand:
    target: str  # "module:attribute"
    help: str  # the one-line help shown by `gateway --help` (without importing the module)
    also: tuple[str, ...] = ()  # modules that attach subcommands to this group when imported


COMMANDS: dict[str, LazyCommand] = {
    "audit": LazyCommand("gateway.cli.web:audit", "Who viewed which claim; logins; operator actions."),
    "batches": LazyCommand("gateway.cli.batches:batches", "Outbound batches: list, show, replay, cancel."),
    "build": LazyCommand("gateway.cli.build:build", "Build 837P / 278 files from JSON (gated by pyx12)."),
    "check": LazyCommand("gateway.cli.check:check", "Check claims against the payer rules."),
    "claims": LazyCommand(
        "gateway.cli.claims_show:claims",
        "Claims: show the timeline, hold, release, correct, void, bill the next payer.",
        ("gateway.cli.operator", "gateway.cli.claims_followup"),
    ),
    "clearinghouse": LazyCommand("gateway.cli.clearinghouse:clearinghouse", "Check and test clearinghouses."),
    "codes": LazyCommand(
        "gateway.cli.codes:codes", "Code sets: import ICD-10-CM, NCCI PTP/MUE, LCD articles; status."
    ),
    "config": LazyCommand("gateway.cli.check:config", "Payer rule configuration (payer_configs/)."),
    "demo": LazyCommand("gateway.cli.demo:demo", "The whole cycle on the examples, in a few seconds."),
    "denials": LazyCommand("gateway.cli.claims_show:denials", "Denied and adjusted amounts by CARC and CPT."),
    "ingest": LazyCommand("gateway.cli.parse:ingest", "Record inbound files in the claim status ledger."),
    "packet": LazyCommand("gateway.cli.packet:packet", "Render the documentation packet (PDF)."),
    "parse": LazyCommand("gateway.cli.parse:parse", "Parse an inbound X12 file (--json)."),
    "run": LazyCommand("gateway.cli.daemon:run", "Run the gateway daemon."),
    "schema": LazyCommand("gateway.cli.schema:schema", "Print the JSON Schema of an intake file."),
    "simulate-clearinghouse": LazyCommand(
        "gateway.cli.simulate:simulate_clearinghouse", "Answer uploads like a clearinghouse and payer."
    ),
    "status": LazyCommand("gateway.cli.operator:status", "Counts by state, oldest waiting, last contact."),
    "users": LazyCommand("gateway.cli.web:users", "Console accounts: add, passwd, disable, list."),
    "validate": LazyCommand("gateway.cli.validate:validate", "Validate an X12 file: pyx12 plus our checks."),
    "web": LazyCommand("gateway.cli.web:web", "The operator console in a browser (127.0.0.1:8640)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return self.commands.get(cmd_name)
        for module in spec.also:
            importlib.import_module(module)
        module_name, attribute = spec.target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wiring mistake
            raise TypeError(f"{spec.target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name].help) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gateway")
@click.option("--debug", is_flag=True, help="Log at DEBUG and show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Pain-management claims gateway: rules, 837P/278 builds, transport, status ledger."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    use_private_umask()  # claims data is PHI: nothing we write is readable by group or others
    settings = ctx.obj = Settings.from_env()  # the one place the environment is read
    ctx.meta["debug"] = debug
    from gateway.x12.pyx12_maps import use_edi_maps

    use_edi_maps(settings.edi_maps)


def _register() -> None:
    """Import every command now (for tests that drive ``cli`` with click's runner)."""
    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None
        cli.add_command(command, name)


def _print_error(error: GatewayError) -> None:
    click.echo(f"error: {error}", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)


def main(argv: list[str] | None = None) -> None:
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
