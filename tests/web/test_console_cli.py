"""`gateway users ...` and `gateway audit` through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gateway.cli.main import _register, cli
from gateway.domain.accounts import AuditAction, Role
from gateway.errors import GatewayError
from gateway.store import console, operator_ops
from gateway.store.db import Store
from gateway.web.security import verify_password
from tests.web.conftest import ConsoleData


def _gateway(home: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    _register()
    env = {"GATEWAY_HOME": str(home), "GATEWAY_DB_URL": f"sqlite:///{home / 'gateway.db'}"}
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    if isinstance(result.exception, GatewayError):  # what gateway.cli.main.main prints and exits with
        return result.exception.exit_code, f"{result.output}error: {result.exception}\n"
    return result.exit_code, result.output


def test_users_add_stores_an_argon2_hash_and_refuses_a_second_add(tmp_path: Path) -> None:
    code, out = _gateway(
        tmp_path,
        "users",
        "add",
        "ann",
        "--role",
        "operator",
        "--password-stdin",
        stdin="a long enough secret\n",
    )
    assert (code, out) == (0, "user ann added (operator); actions are recorded as operator:ann\n")
    with Store.open(f"sqlite:///{tmp_path / 'gateway.db'}") as store:
        user = console.find_user(store, "ann")
    assert user is not None and user.role is Role.OPERATOR and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "a long enough secret")
    assert not verify_password(user.password_hash, "a long enough secreT")
    code, out = _gateway(
        tmp_path, "users", "add", "ann", "--role", "viewer", "--password-stdin", stdin="another long secret\n"
    )
    assert code == 2 and "user ann exists already" in out


def test_users_add_refuses_a_short_password_and_a_bad_name(tmp_path: Path) -> None:
    code, out = _gateway(
        tmp_path, "users", "add", "ann", "--role", "viewer", "--password-stdin", stdin="short\n"
    )
    assert code == 2 and "the password must have at least 12 characters" in out
    code, out = _gateway(
        tmp_path,
        "users",
        "add",
        "Ann Smith",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="a long enough secret\n",
    )
    assert code == 2 and "user name 'Ann Smith': use 2-40 characters" in out


def test_passwd_ends_sessions_and_disable_stops_logins(data: ConsoleData) -> None:
    code, out = _gateway(
        data.home,
        "users",
        "passwd",
        "victor",
        "--role",
        "operator",
        "--password-stdin",
        stdin="a brand new secret\n",
    )
    assert (code, out) == (0, "user victor: new password set (operator); open sessions ended\n")
    code, out = _gateway(data.home, "users", "disable", "victor")
    assert (code, out) == (0, "user victor: disabled\n")
    code, out = _gateway(data.home, "users", "list")
    assert out == "alice                operator \nvictor               operator  disabled\n"


def test_audit_lists_views_logins_and_cli_and_console_actions(data: ConsoleData) -> None:
    with Store.open(data.url) as store:
        console.record_audit(store, "operator:alice", AuditAction.CLAIM_VIEW, claim_id=data.held_claim)
        operator_ops.release(store, data.held_pcn, "operator:bob", "payer agreed")  # what the CLI calls
    code, out = _gateway(data.home, "audit", "--claim", data.held_pcn)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].split()[2:] == [
        "operator:bob",
        "operator.release",
        "claim",
        data.held_pcn,
        f"(#{data.held_claim})",
        "reason:",
        "payer",
        "agreed",
    ]
    assert lines[1].split()[2:] == [
        "operator:alice",
        "claim.view",
        "claim",
        data.held_pcn,
        f"(#{data.held_claim})",
    ]
    code, out = _gateway(data.home, "audit", "--user", "alice")
    assert out.splitlines()[0].split()[2:4] == ["operator:alice", "claim.view"] and len(out.splitlines()) == 1
    code, out = _gateway(data.home, "audit", "--claim", "NOSUCH")
    assert code == 2 and "no claim with patient control number NOSUCH" in out
