"""Clearinghouse profiles: loading, validation messages, file names, offline checks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.errors import ConfigError
from gateway.transport.base import UnsafeNameError, safe_name
from gateway.transport.checks import check_profiles
from gateway.transport.profiles import ClearinghouseProfile, load_profiles, render_file_name
from tests.profile_sections import sectioned

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "clearinghouses"
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIryOOS8yhhrNZsmICnyQ/fj+YsOWPKeDLVnDxrSmu4H"
BASE = {
    "host": "sftp.example",
    "user": "clinic",
    "private_key": "/keys/id",
    "host_key": ED25519,
    "upload_dir": "inbound",
    "response_dir": "outbound",
    "isa_sender_id": "CLINIC042",
    "isa_receiver_id": "CH",
    "gs_sender_code": "CLINIC042",
    "gs_receiver_code": "CH",
}


def _profile(name: str, flat: dict[str, Any]) -> ClearinghouseProfile:
    return ClearinghouseProfile(name=name, **sectioned(flat))


def _yaml(flat: dict[str, Any], connection_extra: dict[str, Any] | None = None) -> str:
    """A config file with one profile ``ch``, written with ``yaml.safe_dump``."""
    data = sectioned(flat)
    data["connection"].update(connection_extra or {})
    return yaml.safe_dump({"clearinghouses": {"ch": data}})


def _write(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "gateway.yaml"
    config.write_text(text)
    return config


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../etc/passwd", "empty, dot or hidden"),  # the leading dot is checked first
        ("/abs", "contains a path separator"),
        ("a/b", "contains a path separator"),
        ("a\\b", "contains a path separator"),
        ("..", "empty, dot or hidden"),
        (".", "empty, dot or hidden"),
        ("", "empty, dot or hidden"),
        (".hidden", "empty, dot or hidden"),
        ("nul\x00l", "contains a control character"),
        ("x" * 201, "longer than 200 bytes"),
    ],
)
def test_unsafe_names_are_refused(name: str, why: str) -> None:
    with pytest.raises(UnsafeNameError, match=f": {why}$"):
        safe_name(name)


def test_plain_names_pass() -> None:
    assert safe_name("CLINIC042_000000001.x12") == "CLINIC042_000000001.x12"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_every_example_loads(path: Path) -> None:
    profiles = load_profiles(path)
    assert profiles
    for profile in profiles.values():
        assert safe_name(render_file_name(profile, 7, datetime(2026, 1, 2, 3, 4, 5)))


def test_examples_cover_the_common_conventions() -> None:
    profiles = {}
    for path in EXAMPLES.glob("*.yaml"):
        profiles.update(load_profiles(path))
    folders = {
        (profile.upload_dir.strip("/"), profile.response_dir.strip("/")) for profile in profiles.values()
    }
    assert ("inbound", "outbound") in folders and ("to-x", "from-x") in folders
    assert any(
        profile.connection.test_marker and profile.identity.usage_indicator == "T"
        for profile in profiles.values()
    )
    assert {profile.transport for profile in profiles.values()} == {"sftp", "local"}


def test_test_marker_only_while_usage_is_test() -> None:
    data = {
        **BASE,
        "file_name_template": "{sender_id}{test_marker}_{control_number}.x12",
        "test_marker": ".T",
    }
    when = datetime(2026, 1, 1)
    test = _profile("ch", {**data, "usage_indicator": "T"})
    production = _profile("ch", {**data, "usage_indicator": "P"})
    assert render_file_name(test, 12, when) == "CLINIC042.T_000000012.x12"
    assert render_file_name(production, 12, when) == "CLINIC042_000000012.x12"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"password": "hunter2"}, "clearinghouses.ch.connection.password: Extra inputs are not permitted"),
        ({"port": "many"}, "clearinghouses.ch.connection.port: Input should be a valid integer"),
        ({"file_name_template": "{patient}.x12"}, "unknown placeholders ['patient']"),
        ({"file_name_template": "../{sender_id}.x12"}, "unsafe name"),
        ({"known_hosts": "kh"}, "exactly one of host_key or known_hosts"),
    ],
)
def test_config_errors_name_file_and_key(tmp_path: Path, extra: dict[str, object], message: str) -> None:
    config = _write(tmp_path, _yaml(BASE, extra))
    with pytest.raises(ConfigError) as caught:
        load_profiles(config)
    assert str(config) in str(caught.value) and message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "key", ["submitter_id", "submitter_name", "contact_name", "receiver_name", "receiver_id"]
)
def test_a_profile_without_its_trading_partner_identity_is_refused(tmp_path: Path, key: str) -> None:
    data = sectioned(BASE)
    del data["identity"][key]
    config = _write(tmp_path, yaml.safe_dump({"clearinghouses": {"ch": data}}))
    with pytest.raises(ConfigError) as caught:
        load_profiles(config)
    assert str(caught.value) == f"{config}: clearinghouses.ch.identity.{key}: Field required"


def test_a_contact_needs_a_phone_or_an_email(tmp_path: Path) -> None:
    data = sectioned(BASE)
    del data["identity"]["contact_phone"]
    config = _write(tmp_path, yaml.safe_dump({"clearinghouses": {"ch": data}}))
    with pytest.raises(ConfigError) as caught:
        load_profiles(config)
    assert str(caught.value) == (
        f"{config}: clearinghouses.ch.identity: Value error, give contact_phone or contact_email "
        "(1000A PER needs one)"
    )


def test_a_flat_profile_says_which_section_a_key_belongs_to(tmp_path: Path) -> None:
    lines = "".join(f"    {key}: {value!r}\n" for key, value in BASE.items())
    config = _write(tmp_path, f"clearinghouses:\n  ch:\n{lines}")
    with pytest.raises(ConfigError) as caught:
        load_profiles(config)
    assert str(caught.value) == (
        f"{config}: clearinghouses.ch.host: belongs under connection: (a profile has connection:, "
        "identity: and routing: sections)"
    )


def test_sftp_profile_needs_host_user_and_key(tmp_path: Path) -> None:
    flat = {
        key: value for key, value in BASE.items() if key not in {"host", "user", "private_key", "host_key"}
    }
    with pytest.raises(ConfigError, match="needs host, user, private_key"):
        load_profiles(_write(tmp_path, _yaml(flat)))


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    text = "other_key: 1\n" + _yaml({**BASE, "private_key": "keys/id"})
    profile = load_profiles(_write(tmp_path, text))["ch"]
    assert profile.connection.private_key == tmp_path / "keys" / "id"


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_profiles(tmp_path / "absent.yaml")


def test_check_reports_missing_key_open_modes_env_known_hosts_and_double_routing(tmp_path: Path) -> None:
    loose_key = tmp_path / "loose"
    loose_key.write_text("key")
    loose_key.chmod(0o644)
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"otherhost {ED25519}\n")
    b_settings = {
        **BASE,
        "private_key": str(loose_key),
        "host_key": None,
        "known_hosts": str(known_hosts),
        "port": 2222,
        "private_key_passphrase_env": "B_PASS",
        "payers": ["P1"],
    }
    profiles = {
        "a": _profile("a", {**BASE, "private_key": str(tmp_path / "none"), "payers": ["P1"]}),
        "b": _profile("b", b_settings),
    }
    problems = check_profiles(profiles, environ={})
    assert problems == [
        f"clearinghouse a: private_key {tmp_path / 'none'}: No such file or directory",
        f"clearinghouse b: private_key {loose_key} is readable by others (chmod 600 it)",
        "clearinghouse b: private_key_passphrase_env B_PASS is not set",
        f"clearinghouse b: known_hosts {known_hosts} has no entry for [sftp.example]:2222",
        "clearinghouse b: payers: P1 is already routed to a",
    ]
    loose_key.chmod(0o600)
    known_hosts.write_text(f"[sftp.example]:2222 {ED25519}\n")
    fixed = {"b": profiles["b"]}
    assert check_profiles(fixed, environ={"B_PASS": "x"}) == []
