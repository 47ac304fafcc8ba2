"""`gateway build 837p CLAIMS.json [--clearinghouse NAME] -o OUT.x12`: intake, build, gate, write, record.

The envelope ids and the 1000A submitter / 1000B receiver come from the clearinghouse profile's
``identity:`` in the config file (the only profile when there is one, else ``--clearinghouse``).
"""

from __future__ import annotations

from pathlib import Path

import click

from gateway.errors import ConfigError
from gateway.intake import load_claims
from gateway.pipeline.cycles import partners_for
from gateway.pipeline.outbound import build_837p_file
from gateway.rules import load_rule_book
from gateway.settings import Settings
from gateway.store.db import Store
from gateway.transport.profiles import ClearinghouseProfile, get_profile, load_profiles


@click.group()
def build() -> None:
    """Build X12 files from claim or prior-auth JSON (every file is gated by pyx12)."""


@build.command("837p")
@click.argument("claims_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Where to write the 837P."
)
@click.option(
    "--skip-held",
    is_flag=True,
    help="Build the claims that pass and record the held ones (default: any held claim stops the build).",
)
@click.option(
    "--clearinghouse",
    "clearinghouse_name",
    default=None,
    help="Profile whose identity (ISA/GS ids, 1000A submitter, 1000B receiver) the file carries.",
)
@click.pass_obj
def build_837p_command(
    settings: Settings,
    claims_file: Path,
    output: Path | None,
    skip_held: bool,
    clearinghouse_name: str | None,
) -> None:
    """Screen CLAIMS_FILE (prior auth, payer rules), then build one 837P interchange.

    Exit 0 with a clean file; 2 for unreadable or invalid claims; 3 when claims are held (each
    reason listed with its rule, source and fix); 1 when the built file fails the pyx12 gate.
    """
    partners = partners_for(_profile(settings, clearinghouse_name))
    claims = load_claims(claims_file)
    with Store.open(settings.db_url) as store:
        out_path = output or settings.outbound / f"{claims_file.stem}.x12"
        book = load_rule_book(settings.payer_configs)
        outcome = build_837p_file(claims, partners, store, out_path, book=book, skip_held=skip_held)
    for item in outcome.screened.ready:
        for finding in item.rules.warnings:
            click.echo(
                f"warning: claim {item.claim.patient_control_number}: {finding.rule_id} "
                f"[{finding.source}; {finding.status.value}]: {finding.message}",
                err=True,
            )
    for item in outcome.screened.held:
        click.echo(f"held: claim {item.claim.patient_control_number}: {'; '.join(item.reasons())}", err=True)
    if outcome.built is None:
        click.echo("no claim was ready to build; nothing was written")
        raise click.exceptions.Exit(3)
    click.echo(
        f"{outcome.path}: {outcome.built.claim_count} claim(s), ISA13 "
        f"{outcome.built.control.interchange:09d}, passed our checks and pyx12"
        + (f"; {len(outcome.screened.held)} held" if outcome.screened.held else "")
    )


def _profile(settings: Settings, name: str | None) -> ClearinghouseProfile:
    if name is not None:
        return get_profile(settings.config_file, name)
    if not settings.config_file.exists():
        raise ConfigError(
            f"{settings.config_file}: no config file; the 837P's submitter and receiver (1000A/1000B) "
            "come from a clearinghouse profile's identity:"
        )
    profiles = load_profiles(settings.config_file)
    if len(profiles) != 1:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(
            f"{settings.config_file}: name the clearinghouse whose identity the file carries with "
            f"--clearinghouse NAME (known: {known})"
        )
    return next(iter(profiles.values()))


def _attach_278() -> None:
    from gateway.cli.build_278 import build_278

    build.add_command(build_278)


_attach_278()
