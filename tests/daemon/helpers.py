"""Helpers for the daemon tests: claim files in outbound/pending, profiles, a daemon to run."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gateway.daemon.config import DaemonConfig
from gateway.daemon.lifecycle import Daemon
from gateway.rules import load_rule_book
from gateway.store.db import Store
from gateway.transport import ClearinghouseProfile
from tests.conftest import EXAMPLES, REPO
from tests.profile_sections import sectioned

PCN_RE = re.compile(rb"~CLM\*([^*]+)\*")


def clean_templates() -> list[dict[str, Any]]:
    """Example claims the payer rules let through (the held_* examples are held on purpose)."""
    claims: list[dict[str, Any]] = []
    for path in sorted(EXAMPLES.glob("*.json")):
        if not path.name.startswith("held_"):
            claims.extend(json.loads(path.read_text())["claims"])
    return claims


def held_templates() -> list[dict[str, Any]]:
    claims: list[dict[str, Any]] = []
    for path in sorted(EXAMPLES.glob("held_*.json")):
        claims.extend(json.loads(path.read_text())["claims"])
    return claims


def make_claims(
    count: int, prefix: str = "D", templates: Sequence[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """``count`` distinct claims (own PCN and member id) cycled from ``templates``."""
    source = list(templates if templates is not None else clean_templates())
    made = []
    for n in range(count):
        data = json.loads(json.dumps(source[n % len(source)]))
        data["patient_control_number"] = f"{prefix}{n:07d}"
        data["subscriber"]["member_id"] = f"{prefix}M{n:08d}"
        made.append(data)
    return made


def write_pending(outbound: Path, claims: Sequence[dict[str, Any]], per_file: int = 50) -> int:
    pending = outbound / "pending"
    pending.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, len(claims), per_file):
        chunk = list(claims[start : start + per_file])
        (pending / f"claims_{start:07d}.json").write_text(json.dumps({"claims": chunk}))
        files += 1
    return files


def local_profile(root: Path, name: str = "localch", **overrides: Any) -> ClearinghouseProfile:
    upload, response = root / f"{name}-upload", root / f"{name}-response"
    upload.mkdir(parents=True, exist_ok=True)
    response.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "transport": "local",
        "upload_dir": str(upload),
        "response_dir": str(response),
        "isa_sender_id": "CLINIC042",
        "isa_receiver_id": "LOCALCLEAR",
        "gs_sender_code": "CLINIC042",
        "gs_receiver_code": "LOCALCLEAR",
    }
    data.update(overrides)
    return ClearinghouseProfile(name=name, **sectioned(data))


def make_daemon(
    store: Store,
    home: Path,
    profiles: dict[str, ClearinghouseProfile],
    actor: str = "daemon:test",
    **config: Any,
) -> Daemon:
    return Daemon(
        store,
        DaemonConfig(**config),
        profiles,
        load_rule_book(REPO / "payer_configs"),
        home / "outbound",
        home / "inbound",
        actor=actor,
    )


def pcns_in(files: Sequence[Path]) -> list[str]:
    """Every CLM01 in these 837P files (with repeats, so duplicates show)."""
    found: list[str] = []
    for path in files:
        found.extend(match.decode() for match in PCN_RE.findall(path.read_bytes()))
    return found
