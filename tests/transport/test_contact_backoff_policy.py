"""The wait between contacts with a failing clearinghouse: doubling, capped, jitter only shortens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from gateway.errors import ConfigError
from gateway.transport.backoff import ContactBackoff
from gateway.transport.profiles import load_profiles
from tests.profile_sections import sectioned

LOCAL = {
    "transport": "local",
    "upload_dir": "/srv/to",
    "response_dir": "/srv/from",
    "isa_sender_id": "CLINIC042",
    "isa_receiver_id": "CH",
    "gs_sender_code": "CLINIC042",
    "gs_receiver_code": "CH",
}


def _seconds(policy: ContactBackoff, failures: range, random: float) -> list[float]:
    return [policy.delay(n, lambda: random).total_seconds() for n in failures]


def test_the_wait_doubles_from_the_base_and_stops_at_the_cap() -> None:
    policy = ContactBackoff(base_delay=60, max_delay=1800, jitter=0.1)
    assert _seconds(policy, range(1, 9), random=0.0) == [60, 120, 240, 480, 960, 1800, 1800, 1800]


def test_jitter_only_shortens_a_wait_so_the_cap_is_a_real_maximum() -> None:
    policy = ContactBackoff(base_delay=60, max_delay=1800, jitter=0.1)
    assert _seconds(policy, range(1, 7), random=0.5) == [57, 114, 228, 456, 912, 1710]
    assert policy.delay(6, lambda: 0.999999).total_seconds() == pytest.approx(1620.0018)
    assert ContactBackoff(jitter=0).delay(3, lambda: 0.9) == dt.timedelta(seconds=240)


def test_a_very_long_streak_neither_overflows_nor_passes_the_cap() -> None:
    policy = ContactBackoff(base_delay=86400, max_delay=86400, jitter=0)
    assert policy.delay(10_000, lambda: 0.0) == dt.timedelta(days=1)
    assert ContactBackoff().delay(0, lambda: 0.0) == dt.timedelta(seconds=60)  # as the first failure


def test_the_defaults_and_the_config_keys(tmp_path: Path) -> None:
    data = sectioned(LOCAL)
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"clearinghouses": {"ch": data}}))
    assert load_profiles(config)["ch"].connection.backoff.policy() == ContactBackoff(60, 1800, 0.1, 30)
    data["connection"]["backoff"] = {
        "base_delay": 30,
        "max_delay": 600,
        "jitter": 0,
        "alert_after_minutes": 15,
    }
    config.write_text(yaml.safe_dump({"clearinghouses": {"ch": data}}))
    policy = load_profiles(config)["ch"].connection.backoff.policy()
    assert policy == ContactBackoff(30, 600, 0, 15)
    assert policy.alert_after == dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    ("backoff", "message"),
    [
        ({"base_delay": 600, "max_delay": 60}, "backoff: Value error, max_delay 60 is below base_delay 600"),
        ({"jitter": 0.9}, "backoff.jitter: Input should be less than or equal to 0.5"),
        ({"alert_after_minutes": 0}, "backoff.alert_after_minutes: Input should be greater than 0"),
        ({"every": 5}, "backoff.every: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_backoff_setting_names_the_file_and_key(
    tmp_path: Path, backoff: dict[str, float], message: str
) -> None:
    data = sectioned(LOCAL)
    data["connection"]["backoff"] = backoff
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"clearinghouses": {"ch": data}}))
    with pytest.raises(ConfigError) as raised:
        load_profiles(config)
    assert str(raised.value) == f"{config}: clearinghouses.ch.connection.{message}"
