"""The ``daemon:`` key of the gateway config file (the same YAML as ``clearinghouses:``).

Example::

    daemon:
      intake_interval: 30        # seconds between intake cycles (watched folder + rules)
      outbound_interval: 60      # build one batch per clearinghouse, then send
      poll_interval: 300         # fetch responses into the ledger
      quiet_hours:               # local time; no clearinghouse contact (build still runs)
        - {start: "22:00", end: "06:00"}
      max_claims_per_batch: 5000
      max_file_bytes: 67108864
      max_inbound_bytes: 67108864  # a response larger than this is not fetched (left on the server)
      json_logs: false

Every key is optional; unknown keys are an error naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.config_file import read_yaml, validate
from gateway.errors import ConfigError
from gateway.transport.profiles import ClearinghouseProfile, parse_profiles

DAEMON_KEY = "daemon"


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: dt.time
    end: dt.time

    def contains(self, moment: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # spans midnight


class DaemonConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    intake_interval: float = Field(30.0, gt=0, le=86400)
    outbound_interval: float = Field(60.0, gt=0, le=86400)
    poll_interval: float = Field(300.0, gt=0, le=86400)
    quiet_hours: tuple[QuietHours, ...] = ()
    max_claims_per_batch: int = Field(5000, ge=1, le=100_000)
    max_file_bytes: int = Field(64 * 1024 * 1024, ge=4096)
    screen_chunk: int = Field(500, ge=1, le=10_000)
    max_inbound_bytes: int = Field(64 * 1024 * 1024, ge=4096)
    json_logs: bool = False

    def is_quiet(self, moment: dt.datetime) -> bool:
        return any(window.contains(moment.time()) for window in self.quiet_hours)


def parse_daemon_config(document: Any, source: Path) -> DaemonConfig:
    raw = document.get(DAEMON_KEY) if isinstance(document, dict) else None
    if raw is None:
        return DaemonConfig()
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: {DAEMON_KEY} must be a mapping")
    return validate(DaemonConfig, raw, f"{source}: {DAEMON_KEY}")


def load_daemon_config(config_file: Path) -> DaemonConfig:
    return parse_daemon_config(read_yaml(config_file), config_file)


@dataclass(frozen=True)
class GatewayConfig:
    """The whole config file, read once: the daemon's settings and the clearinghouse profiles."""

    path: Path
    daemon: DaemonConfig
    profiles: dict[str, ClearinghouseProfile]


def load_gateway_config(config_file: Path) -> GatewayConfig:
    document = read_yaml(config_file)
    return GatewayConfig(
        config_file, parse_daemon_config(document, config_file), parse_profiles(document, config_file)
    )
