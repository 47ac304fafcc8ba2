"""Offline checks of clearinghouse profiles: what is missing on this machine before a connect.

Each problem is one line naming the clearinghouse and the config key, so ``gateway
clearinghouse check`` can print them and the daemon can refuse to start a broken profile.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from gateway.errors import ConfigError
from gateway.transport.profiles import ClearinghouseProfile


class ProfileProblems(ConfigError):
    """Profiles that are not ready; ``problems`` has one line each (main.py prints them)."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


def _known_hosts_has(path: Path, host_name: str) -> bool:
    """True if a plain (unhashed) known_hosts line names ``host_name``; hashed lines count too."""
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) < 3 or line.lstrip().startswith("#"):
            continue
        hosts = fields[0].split(",")
        if host_name in hosts or any(host.startswith("|1|") for host in hosts):
            return True
    return False


def _check_sftp(profile: ClearinghouseProfile, environ: Mapping[str, str]) -> list[str]:
    where = f"clearinghouse {profile.name}"
    problems: list[str] = []
    key = profile.connection.private_key
    if key is not None:
        try:
            mode = key.stat().st_mode
        except OSError as error:
            problems.append(f"{where}: private_key {key}: {error.strerror}")
        else:
            if not stat.S_ISREG(mode):
                problems.append(f"{where}: private_key {key} is not a file")
            elif mode & 0o077:
                problems.append(f"{where}: private_key {key} is readable by others (chmod 600 it)")
            elif not os.access(key, os.R_OK):
                problems.append(f"{where}: private_key {key} is not readable by this user")
    passphrase_env = profile.connection.private_key_passphrase_env
    if passphrase_env and not environ.get(passphrase_env):
        problems.append(f"{where}: private_key_passphrase_env {passphrase_env} is not set")
    if profile.connection.known_hosts is not None:
        try:
            pinned = _known_hosts_has(profile.connection.known_hosts, profile.known_hosts_name)
        except OSError as error:
            problems.append(f"{where}: known_hosts {profile.connection.known_hosts}: {error.strerror}")
        else:
            if not pinned:
                problems.append(
                    f"{where}: known_hosts {profile.connection.known_hosts} has no entry for {profile.known_hosts_name}"
                )
    return problems


def _check_local(profile: ClearinghouseProfile) -> list[str]:
    problems = []
    for key in ("upload_dir", "response_dir", "archive_dir"):
        folder = getattr(profile.connection, key)
        if folder is not None and not Path(folder).is_dir():
            problems.append(f"clearinghouse {profile.name}: {key} {folder} is not a folder")
    return problems


def check_profiles(
    profiles: Mapping[str, ClearinghouseProfile], environ: Mapping[str, str] | None = None
) -> list[str]:
    """Everything wrong with these profiles on this machine; an empty list means ready."""
    env = os.environ if environ is None else environ
    problems: list[str] = []
    routed: dict[str, str] = {}
    for name, profile in sorted(profiles.items()):
        if profile.transport == "sftp":
            problems += _check_sftp(profile, env)
        else:
            problems += _check_local(profile)
        for payer in profile.payers:
            if payer in routed:
                problems.append(f"clearinghouse {name}: payers: {payer} is already routed to {routed[payer]}")
            routed.setdefault(payer, name)
    return problems
