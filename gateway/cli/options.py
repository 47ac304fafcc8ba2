"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def partner_options(command: F) -> F:
    """ISA/GS sender and receiver for files we build (defaults suit the local simulator)."""
    for decorator in reversed(
        [
            click.option(
                "--sender-id", default="PAINCLINIC", show_default=True, help="ISA06/GS02 sender id."
            ),
            click.option(
                "--receiver-id", default="CLEARINGHOUSE", show_default=True, help="ISA08/GS03 receiver id."
            ),
            click.option(
                "--usage",
                type=click.Choice(["T", "P"]),
                default="T",
                show_default=True,
                help="ISA15: T for test, P for production.",
            ),
        ]
    ):
        command = decorator(command)
    return command
