"""Clearinghouse profiles: the ``clearinghouses:`` key of the gateway config file (YAML).

One entry per clearinghouse, validated into a frozen pydantic model at startup.  Config files
hold no secrets: a private key is named by its path and a passphrase, if any, by the name of an
environment variable.  ``check_profiles`` lists what is missing on this machine (key files,
environment variables, pinned host keys, folders) without connecting anywhere.

A profile has three sections: ``connection`` (how to reach it), ``identity`` (who we are to
it: envelope ids and the 837's 1000A submitter and 1000B receiver, from the enrollment) and
``routing`` (which payers' claims go there).  Example (more in examples/clearinghouses/)::

    clearinghouses:
      acme:
        connection:
          host: sftp.acme-clearing.example
          user: clinic042
          private_key: keys/acme_ed25519
          host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI...
          upload_dir: inbound
          response_dir: outbound
        identity:
          isa_sender_id: CLINIC042
          isa_receiver_id: ACMECLEAR
          gs_sender_code: CLINIC042
          gs_receiver_code: ACMECLEAR
          submitter_id: CLINIC042
          submitter_name: RIVERSIDE PAIN BILLING
          contact_name: EDI COORDINATOR
          contact_phone: "5035550142"
          receiver_name: ACME CLEARING
          receiver_id: ACMECLEAR
        routing:
          payers: [MEDICARE-JL, AETNA]
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import string
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gateway.config_file import read_yaml, validate
from gateway.errors import ConfigError
from gateway.transport.backoff import ContactBackoff
from gateway.transport.base import UnsafeNameError, safe_name
from gateway.transport.retry import RetryPolicy

PROFILES_KEY = "clearinghouses"
HOST_KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "ssh-rsa",  # the key type of RSA keys; paramiko 5 only signs with rsa-sha2-256/512
    }
)
NAME_FIELDS = frozenset(
    {"sender_id", "receiver_id", "control_number", "date", "time", "usage", "test_marker"}
)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_ISA_ID_RE = re.compile(r"^[A-Za-z0-9 ]{1,15}$")


class RetrySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts: int = Field(4, ge=1, le=10)
    base_delay: float = Field(1.0, gt=0, le=60)
    max_delay: float = Field(30.0, gt=0, le=600)

    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.attempts, self.base_delay, self.max_delay)


class BackoffSettings(BaseModel):
    """Waits between contacts with a clearinghouse that keeps failing (gateway.transport.backoff)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_delay: float = Field(60.0, gt=0, le=86400, description="seconds after the first failed contact")
    max_delay: float = Field(1800.0, gt=0, le=86400, description="the longest wait, seconds")
    jitter: float = Field(0.1, ge=0, le=0.5, description="up to this share of a wait is left out at random")
    alert_after_minutes: float = Field(30.0, gt=0, le=10080, description="failing this long raises an alert")

    @model_validator(mode="after")
    def _cap_above_base(self) -> Self:
        if self.max_delay < self.base_delay:
            raise ValueError(f"max_delay {self.max_delay:g} is below base_delay {self.base_delay:g}")
        return self

    def policy(self) -> ContactBackoff:
        return ContactBackoff(self.base_delay, self.max_delay, self.jitter, self.alert_after_minutes)


class Connection(BaseModel):
    """How to reach the clearinghouse: transport, server, key, pinned host key, folders, names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transport: Literal["sftp", "local"] = "sftp"
    host: str | None = None
    port: int = Field(22, ge=1, le=65535)
    user: str | None = None
    private_key: Path | None = None
    private_key_passphrase_env: str | None = None
    host_key: str | None = Field(None, description="pinned public host key: 'TYPE BASE64'")
    known_hosts: Path | None = Field(None, description="our own known_hosts file (never ~/.ssh)")
    upload_dir: str
    response_dir: str
    archive_dir: str | None = None
    response_glob: str = "*"
    file_name_template: str = "{sender_id}_{control_number}_{date}{time}{test_marker}.x12"
    test_marker: str = ""
    timeout: float = Field(30.0, gt=0, le=600)
    retry: RetrySettings = RetrySettings()
    backoff: BackoffSettings = BackoffSettings()

    @field_validator("host_key")
    @classmethod
    def _host_key_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.split()
        if len(parts) != 2 or parts[0] not in HOST_KEY_TYPES:
            raise ValueError(f"expected 'TYPE BASE64' with TYPE one of {sorted(HOST_KEY_TYPES)}")
        try:
            base64.b64decode(parts[1], validate=True)
        except binascii.Error:
            raise ValueError("the key part is not base64") from None
        return " ".join(parts)

    @field_validator("file_name_template")
    @classmethod
    def _template_fields(cls, value: str) -> str:
        used = {field for _, field, _, _ in string.Formatter().parse(value) if field is not None}
        unknown = used - NAME_FIELDS
        if unknown:
            raise ValueError(f"unknown placeholders {sorted(unknown)}; known: {sorted(NAME_FIELDS)}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.transport == "sftp":
            missing = [key for key in ("host", "user", "private_key") if getattr(self, key) is None]
            if missing:
                raise ValueError(f"an sftp clearinghouse needs {', '.join(missing)}")
            if (self.host_key is None) == (self.known_hosts is None):
                raise ValueError("pin the server with exactly one of host_key or known_hosts")
        return self


class Identity(BaseModel):
    """Who we are to this clearinghouse: envelope ids and the 837's submitter and receiver.

    Every value comes from the clearinghouse enrollment (ISA/GS ids, submitter id, name and
    contact, receiver name and id); none has a default, because a wrong one is a rejected file.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    usage_indicator: Literal["T", "P"] = Field("T", description="ISA15: T = test, P = production")
    isa_sender_qualifier: str = Field("ZZ", pattern=r"^[A-Z0-9]{2}$")
    isa_sender_id: str = Field(pattern=_ISA_ID_RE.pattern)
    isa_receiver_qualifier: str = Field("ZZ", pattern=r"^[A-Z0-9]{2}$")
    isa_receiver_id: str = Field(pattern=_ISA_ID_RE.pattern)
    gs_sender_code: str = Field(pattern=r"^[A-Za-z0-9]{2,15}$")
    gs_receiver_code: str = Field(pattern=r"^[A-Za-z0-9]{2,15}$")
    submitter_id: str = Field(min_length=2, max_length=80, description="1000A NM109")
    submitter_name: str = Field(min_length=1, max_length=60, description="1000A NM103")
    contact_name: str = Field(min_length=1, max_length=60, description="1000A PER02")
    contact_phone: str | None = Field(None, pattern=r"^[0-9]{10}$", description="1000A PER TE: 10 digits")
    contact_email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$", description="1000A PER EM")
    receiver_name: str = Field(min_length=1, max_length=60, description="1000B NM103")
    receiver_id: str = Field(min_length=2, max_length=80, description="1000B NM109")

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if not (self.contact_phone or self.contact_email):
            raise ValueError("give contact_phone or contact_email (1000A PER needs one)")
        return self


class Routing(BaseModel):
    """Which claims go to this clearinghouse: the payer ids it takes (none listed: all others)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    payers: tuple[str, ...] = ()


SECTIONS: dict[str, type[BaseModel]] = {"connection": Connection, "identity": Identity, "routing": Routing}


class ClearinghouseProfile(BaseModel):
    """One clearinghouse: how to reach it, who we are to it, which claims go there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    connection: Connection
    identity: Identity
    routing: Routing = Routing()

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError("use letters, digits, '-' and '_' (max 40), starting with a letter or digit")
        return value

    @model_validator(mode="after")
    def _safe_file_names(self) -> Self:
        try:
            render_file_name(self, 1, datetime(2000, 1, 1))
        except (UnsafeNameError, ValueError) as error:
            raise ValueError(f"connection.file_name_template gives an unsafe name: {error}") from None
        return self

    # The folders and payers are asked for everywhere; the rest is read through its section.
    @property
    def transport(self) -> str:
        return self.connection.transport

    @property
    def upload_dir(self) -> str:
        return self.connection.upload_dir

    @property
    def response_dir(self) -> str:
        return self.connection.response_dir

    @property
    def payers(self) -> tuple[str, ...]:
        return self.routing.payers

    @property
    def known_hosts_name(self) -> str:
        """The host as known_hosts spells it: ``[host]:port`` unless the port is 22."""
        host = self.connection.host or ""
        return host if self.connection.port == 22 else f"[{host}]:{self.connection.port}"

    @property
    def endpoint(self) -> str:
        c = self.connection
        return f"sftp://{c.user}@{c.host}:{c.port}" if c.transport == "sftp" else "local"


def render_file_name(profile: ClearinghouseProfile, control_number: int | str, when: datetime) -> str:
    """The remote file name for one interchange, from the profile's template."""
    identity, connection = profile.identity, profile.connection
    name = connection.file_name_template.format(
        sender_id=identity.isa_sender_id.strip(),
        receiver_id=identity.isa_receiver_id.strip(),
        control_number=f"{int(control_number):09d}",
        date=when.strftime("%Y%m%d"),
        time=when.strftime("%H%M%S"),
        usage=identity.usage_indicator,
        test_marker=connection.test_marker if identity.usage_indicator == "T" else "",
    )
    return safe_name(name)


def _resolve(raw: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Relative key, known_hosts and local folder paths are relative to the config file."""
    data = dict(raw)
    if not isinstance(data.get("connection"), Mapping):
        return data  # pydantic names the missing or malformed section
    connection = data["connection"] = dict(data["connection"])
    data, whole = connection, data
    keys = ["private_key", "known_hosts"]
    if data.get("transport") == "local":
        keys += ["upload_dir", "response_dir", "archive_dir"]
    for key in keys:
        value = data.get(key)
        if isinstance(value, str):
            path = Path(os.path.expanduser(value))
            data[key] = os.path.normpath(path if path.is_absolute() else base / path)
    return whole


def _section_of(key: str) -> str | None:
    """The section a key written at the top of a profile belongs to (profiles before sections)."""
    for section, model in SECTIONS.items():
        if key in model.model_fields:
            return section
    return None


def parse_profiles(document: Any, source: Path) -> dict[str, ClearinghouseProfile]:
    """Validate an already-parsed config document; errors name the file and the key."""
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise ConfigError(f"{source}: the top level must be a mapping")
    entries = document.get(PROFILES_KEY) or {}
    if not isinstance(entries, Mapping):
        raise ConfigError(f"{source}: {PROFILES_KEY} must map names to settings")
    profiles: dict[str, ClearinghouseProfile] = {}
    for name, raw in entries.items():
        where = f"{source}: {PROFILES_KEY}.{name}"
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{where} must be a mapping")
        if "name" in raw:
            raise ConfigError(f"{where}.name: the name is the key itself, do not repeat it")
        for key in raw:
            section = _section_of(str(key))
            if section is not None:
                raise ConfigError(
                    f"{where}.{key}: belongs under {section}: (a profile has connection:, identity: "
                    "and routing: sections)"
                )
        resolved = {"name": str(name), **_resolve(raw, source.parent)}
        profiles[str(name)] = validate(ClearinghouseProfile, resolved, where)
    return profiles


def load_profiles(config_file: Path) -> dict[str, ClearinghouseProfile]:
    return parse_profiles(read_yaml(config_file), config_file)


def get_profile(config_file: Path, name: str) -> ClearinghouseProfile:
    profiles = load_profiles(config_file)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"{config_file}: {PROFILES_KEY}.{name} is not configured (known: {known})")
    return profiles[name]
