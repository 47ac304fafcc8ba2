"""Console accounts and what the audit trail records about them (no I/O).

A ``viewer`` reads every page; an ``operator`` may also act (replay, cancel, release).  Every
action and every view of a claim is recorded under ``operator:NAME``, the same actor string the
CLI writes, so one query answers "who did or saw what".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from gateway.errors import InputError

ACTOR_PREFIX = "operator:"
_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"

    @property
    def may_act(self) -> bool:
        return self is Role.OPERATOR


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login.failed"
    LOGOUT = "logout"
    CLAIM_VIEW = "claim.view"
    PACKET_VIEW = "packet.view"


def check_user_name(name: str) -> str:
    """Names become part of ``operator:NAME`` on every event: lower case, no spaces, 2-40 chars."""
    if not _NAME.match(name):
        raise InputError(
            f"user name {name!r}: use 2-40 characters, lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter"
        )
    return name


def actor_of(name: str) -> str:
    return f"{ACTOR_PREFIX}{name}"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    password_hash: str
    disabled: bool

    @property
    def actor(self) -> str:
        return actor_of(self.name)


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A logged-in browser: who, the CSRF token of its forms, when it was last used."""

    user: User
    csrf_token: str
    last_seen: dt.datetime
    flash: str | None = None  # the outcome of the last action, shown once


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of ``gateway audit``: a console view/login, or an operator action from the ledger."""

    at: dt.datetime
    actor: str
    action: str
    claim_id: int | None
    patient_control_number: str | None
    batch_id: int | None
    detail: str
