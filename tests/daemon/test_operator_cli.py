"""`gateway batches ...`, `gateway claims hold/release`, `gateway status`, `gateway run` end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from gateway.cli.main import _register, cli
from gateway.domain.batch import BatchStatus, ReplayMode, decide_replay, summarize_claims
from gateway.domain.status import ClaimStatus as C
from gateway.store.db import Store
from gateway.store.schema import EventRow
from tests.daemon.helpers import held_templates, make_claims, write_pending
from tests.profile_sections import sectioned


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    for folder in ("up", "down"):
        (tmp_path / folder).mkdir()
    config = {
        "clearinghouses": {
            "localch": sectioned({
                "transport": "local", "upload_dir": "up", "response_dir": "down",
                "isa_sender_id": "CLINIC042", "isa_receiver_id": "LOCALCLEAR",
                "gs_sender_code": "CLINIC042", "gs_receiver_code": "LOCALCLEAR",
            })
        },
        "daemon": {"intake_interval": 0.2, "outbound_interval": 0.2, "poll_interval": 0.5, "max_claims_per_batch": 4},
    }  # fmt: skip
    (tmp_path / "gateway.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def _env(home: Path) -> dict[str, str]:
    return {"GATEWAY_HOME": str(home), "GATEWAY_DB_URL": f"sqlite:///{home / 'gateway.db'}"}


def _gateway(home: Path, *args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, list(args), env=_env(home), obj=None, catch_exceptions=False)
    return result.exit_code, result.output


def _events(home: Path, kind: str) -> list[EventRow]:
    store = Store.open(f"sqlite:///{home / 'gateway.db'}")
    try:
        with store.session() as session:
            return list(session.scalars(select(EventRow).where(EventRow.kind == kind)))
    finally:
        store.close()


def test_operator_commands_record_who_and_why(home: Path) -> None:
    write_pending(home / "outbound", make_claims(6) + make_claims(1, "H", held_templates()))
    code, out = _gateway(home, "run", "--once")
    assert code == 0 and "idle after" in out

    code, out = _gateway(home, "status")
    assert "claims:  held 1, sent 6" in out and "batches: sent 2" in out
    assert "clearinghouse localch: last contact 20" in out

    code, out = _gateway(home, "batches", "list", "--status", "sent")
    assert code == 0 and len(out.strip().splitlines()) == 3

    code, out = _gateway(
        home, "batches", "replay", "1", "--reason", "clearinghouse lost it", "--actor", "operator:ann"
    )
    assert "re-sent as is" in out
    code, out = _gateway(home, "batches", "show", "1")
    assert "operator.replay_resend" in out and "operator:ann" in out and "clearinghouse lost it" in out
    code, out = _gateway(
        home, "batches", "cancel", "1", "--reason", "duplicate of paper claim", "--actor", "operator:bo"
    )
    assert "cancelled; 0 claim(s) held" in out  # its claims were sent before: nothing to hold again

    code, out = _gateway(
        home,
        "claims",
        "release",
        "H0000000",
        "--reason",
        "payer confirmed by phone",
        "--actor",
        "operator:ann",
    )
    assert "now queued" in out
    [release] = _events(home, "operator.release")
    assert release.actor == "operator:ann" and json.loads(release.detail or "{}") == {
        "reason": "payer confirmed by phone"
    }
    code, out = _gateway(
        home, "claims", "hold", "H0000000", "--reason", "second thoughts", "--actor", "operator:bo"
    )
    assert "held by operator:bo" in out
    [hold] = _events(home, "operator.hold")
    assert hold.actor == "operator:bo"


def test_operator_mistakes_are_one_line_errors_not_tracebacks(home: Path) -> None:
    write_pending(home / "outbound", make_claims(2))
    _gateway(home, "run", "--once")
    env = {**os.environ, **_env(home)}
    gateway = [sys.executable, "-m", "gateway"]
    done = subprocess.run(
        [*gateway, "batches", "replay", "99", "--reason", "x"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.strip() == "error: no batch 99"
    done = subprocess.run(
        [*gateway, "claims", "hold", "D0000000", "--reason", "x"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (
        done.returncode == 2
        and "is sent: it is in a batch; cancel or replay the batch instead" in done.stderr
    )
    done = subprocess.run(
        [*gateway, "batches", "replay", "1"], check=False, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "--reason" in done.stderr and "Traceback" not in done.stderr


def test_gateway_run_stops_cleanly_on_sigterm_with_json_health_lines(home: Path) -> None:
    write_pending(home / "outbound", make_claims(5))
    env = {**os.environ, **_env(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway", "run", "--json-logs", "--actor", "daemon:sigterm"],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    lines, sent = [], 0
    deadline = time.monotonic() + 60
    while sent < 2 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        sent += json.loads(line).get("health", {}).get("batches_sent", 0) if line.strip() else 0
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0
    entries = [json.loads(line) for line in [*lines, *rest.splitlines()] if line.strip()]
    health = [e["health"] for e in entries if e["message"].startswith("health")]
    assert {h["cycle"] for h in health} >= {"intake", "outbound"} and sum(
        h.get("batches_sent", 0) for h in health
    ) == 2
    assert any("stopped cleanly" in e["message"] for e in entries)
    assert len(list((home / "up").iterdir())) == 2


def test_replay_decisions_are_one_or_the_other_never_both() -> None:
    S = BatchStatus
    assert decide_replay(S.SENT, claims_corrected=False) is ReplayMode.RESEND
    assert decide_replay(S.FAILED, claims_corrected=False) is ReplayMode.RESEND
    assert decide_replay(S.SENT, claims_corrected=True) is ReplayMode.REBUILD
    assert decide_replay(S.REJECTED, claims_corrected=False) is ReplayMode.REBUILD
    assert decide_replay(S.PARTIALLY_ACCEPTED, claims_corrected=False) is ReplayMode.REBUILD
    for refused in (S.SPOOLED, S.SENDING, S.ACKNOWLEDGED, S.ACCEPTED, S.CANCELLED, S.REPLACED):
        assert isinstance(decide_replay(refused, claims_corrected=False), str)
        assert not isinstance(decide_replay(refused, claims_corrected=False), ReplayMode)
    assert summarize_claims([C.ACKNOWLEDGED, C.SENT]) is None
    assert summarize_claims([C.REJECTED, C.REJECTED]) is S.REJECTED
    assert summarize_claims([C.REJECTED, C.ACCEPTED]) is S.PARTIALLY_ACCEPTED
    assert summarize_claims([C.ACCEPTED, C.PAID]) is S.ACCEPTED
    assert summarize_claims([C.ACCEPTED, C.ACKNOWLEDGED]) is S.ACKNOWLEDGED
