"""Clearinghouse profiles: the ``clearinghouses:`` key of the gateway config file (YAML).

One entry per clearinghouse, validated into a frozen pydantic model at startup.  Config files
hold no secrets: a private key is named by its path and a passphrase, if any, by the name of an
environment variable.  ``check_profiles`` lists what is missing on this machine (key files,
environment variables, pinned host keys, folders) without connecting anywhere.

Example (more in examples/clearinghouses/)::

    clearinghouses:
      acme:
        host: sftp.acme-clearing.example
        user: clinic042
        private_key: keys/acme_ed25519
        host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI...
        upload_dir: inbound
        response_dir: outbound
        isa_sender_id: CLINIC042
        isa_receiver_id: ACMECLEAR
        gs_sender_code: CLINIC042
        gs_receiver_code: ACMECLEAR
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

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gateway.errors import ConfigError
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


class ClearinghouseProfile(BaseModel):
    """How to reach one clearinghouse and how to address files to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
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
    usage_indicator: Literal["T", "P"] = Field("T", description="ISA15: T = test, P = production")
    isa_sender_qualifier: str = Field("ZZ", pattern=r"^[A-Z0-9]{2}$")
    isa_sender_id: str = Field(pattern=_ISA_ID_RE.pattern)
    isa_receiver_qualifier: str = Field("ZZ", pattern=r"^[A-Z0-9]{2}$")
    isa_receiver_id: str = Field(pattern=_ISA_ID_RE.pattern)
    gs_sender_code: str = Field(pattern=r"^[A-Za-z0-9]{2,15}$")
    gs_receiver_code: str = Field(pattern=r"^[A-Za-z0-9]{2,15}$")
    payers: tuple[str, ...] = ()
    timeout: float = Field(30.0, gt=0, le=600)
    retry: RetrySettings = RetrySettings()

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError("use letters, digits, '-' and '_' (max 40), starting with a letter or digit")
        return value

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
        try:
            render_file_name(self, 1, datetime(2000, 1, 1))
        except (UnsafeNameError, ValueError) as error:
            raise ValueError(f"file_name_template gives an unsafe name: {error}") from None
        return self

    @property
    def known_hosts_name(self) -> str:
        """The host as known_hosts spells it: ``[host]:port`` unless the port is 22."""
        host = self.host or ""
        return host if self.port == 22 else f"[{host}]:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"sftp://{self.user}@{self.host}:{self.port}" if self.transport == "sftp" else "local"


def render_file_name(profile: ClearinghouseProfile, control_number: int | str, when: datetime) -> str:
    """The remote file name for one interchange, from the profile's template."""
    name = profile.file_name_template.format(
        sender_id=profile.isa_sender_id.strip(),
        receiver_id=profile.isa_receiver_id.strip(),
        control_number=f"{int(control_number):09d}",
        date=when.strftime("%Y%m%d"),
        time=when.strftime("%H%M%S"),
        usage=profile.usage_indicator,
        test_marker=profile.test_marker if profile.usage_indicator == "T" else "",
    )
    return safe_name(name)


def _resolve(raw: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Relative key, known_hosts and local folder paths are relative to the config file."""
    data = dict(raw)
    keys = ["private_key", "known_hosts"]
    if data.get("transport") == "local":
        keys += ["upload_dir", "response_dir", "archive_dir"]
    for key in keys:
        value = data.get(key)
        if isinstance(value, str):
            path = Path(os.path.expanduser(value))
            data[key] = os.path.normpath(path if path.is_absolute() else base / path)
    return data


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
        try:
            profiles[str(name)] = ClearinghouseProfile(name=str(name), **_resolve(raw, source.parent))
        except ValidationError as error:
            first = error.errors()[0]
            key = ".".join(str(part) for part in first["loc"])
            dotted = f"{where}.{key}" if key else where
            raise ConfigError(f"{dotted}: {first['msg']}") from None
    return profiles


def load_profiles(config_file: Path) -> dict[str, ClearinghouseProfile]:
    try:
        text = config_file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{config_file}: cannot read the config file ({error.strerror})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{config_file}:{line} is not valid YAML") from None
    return parse_profiles(document, config_file)


def get_profile(config_file: Path, name: str) -> ClearinghouseProfile:
    profiles = load_profiles(config_file)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"{config_file}: {PROFILES_KEY}.{name} is not configured (known: {known})")
    return profiles[name]
