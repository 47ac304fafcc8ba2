"""`gateway validate FILE`: pyx12 plus our own checks; exit 0 clean, 1 errors, 2 unreadable."""

from __future__ import annotations

from pathlib import Path

import click

from gateway.errors import X12Error
from gateway.x12.checks_837p import check_837p
from gateway.x12.gate import GateIssue, validate_text
from gateway.x12.reader import read_segments
from gateway.x12.sniff import sniff

EXIT_CLEAN, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _map_path(text: str) -> Path | None:
    """Our own maps (edi_maps/) for transactions pyx12 has no usable map for."""
    try:
        from gateway.x12 import pyx12_maps
    except ImportError:  # pragma: no cover - only while edi_maps support is absent
        return None
    return pyx12_maps.map_path_for(text)


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def validate(file: Path) -> None:
    """Validate FILE with pyx12 (and our maps) plus our own checks."""
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as error:
        click.echo(f"error: {file}: cannot read: {error.strerror or error}", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE) from None
    except UnicodeDecodeError as error:
        click.echo(f"error: {file}: byte {error.start} is not UTF-8/ASCII text", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE) from None
    try:
        kind = sniff(text)
        issues: list[GateIssue] = []
        if kind.kind == "837P":
            issues.extend(check_837p(read_segments(text.encode("utf-8"))))
    except X12Error as error:
        click.echo(f"error: {file}: {error}", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE) from None
    if kind.text_before_isa:
        click.echo(f"warning: {file}: text before the ISA segment was ignored", err=True)
        text = text[text.find("ISA") :]
    if not text.isascii():
        click.echo(f"warning: {file}: non-ASCII characters present (X12 basic/extended sets only)", err=True)
    result = validate_text(text, _map_path(text))
    if result.fatal:
        click.echo(f"error: {file}: {result.fatal}", err=True)
        raise click.exceptions.Exit(EXIT_UNREADABLE)
    issues = result.issues + issues
    for issue in issues:
        click.echo(f"{file}: {issue}")
    if issues:
        click.echo(f"{file}: {kind.kind} INVALID ({len(issues)} error(s))")
        raise click.exceptions.Exit(EXIT_ERRORS)
    click.echo(f"{file}: {kind.kind} valid")
