"""The 837P's 1000A submitter and 1000B receiver come from the clearinghouse profile's identity."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gateway.errors import BuildError
from gateway.intake import load_claims
from gateway.pipeline.cycles import partners_for
from gateway.transport.profiles import load_profiles
from gateway.x12.build_837p import build_837p
from gateway.x12.envelope import ControlNumbers, TradingPartners
from tests.conftest import EXAMPLES, REPO

PROFILES = REPO / "examples" / "clearinghouses"
NORTHGATE_1000 = (
    "NM1*41*2*RIVERSIDE PAIN BILLING*****46*CLINIC042~"
    "PER*IC*EDI COORDINATOR*TE*5035550142*EM*edi@riverside-pain.example~"
    "NM1*40*2*NORTHGATE CLEARING*****46*NORTHGATE~"
)


def _segments_1000(text: str) -> str:
    start = text.index("~NM1*41*") + 1
    end = text.index("~", text.index("~NM1*40*", start) + 1) + 1
    return text[start:end]


def _gateway(home: Path, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GATEWAY_HOME": str(home), "GATEWAY_CONFIG": str(config)}
    env.pop("GATEWAY_DB_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def test_the_daemon_path_puts_the_profile_identity_into_1000a_and_1000b() -> None:
    profile = load_profiles(PROFILES / "inbound_outbound.yaml")["northgate"]
    partners = partners_for(profile)
    claims = load_claims(EXAMPLES / "rfa_lumbar_bilateral.json")
    text = build_837p(claims, partners, ControlNumbers(7, 7, 1), dt.datetime(2026, 12, 1, 9, 0)).text
    assert _segments_1000(text) == NORTHGATE_1000
    assert text.startswith(
        "ISA*00*          *00*          *ZZ*CLINIC042      *ZZ*NORTHGATE      *261201*0900*"
    )
    assert "~GS*HC*CLINIC042*NORTHGATE*20261201*0900*7*X*005010X222A1~" in text


def test_an_email_only_contact_and_the_test_marker_profile() -> None:
    profile = load_profiles(PROFILES / "test_marker.yaml")["summit-test"]
    claims = load_claims(EXAMPLES / "rfa_lumbar_bilateral.json")
    text = build_837p(claims, partners_for(profile), ControlNumbers(1, 1, 1), dt.datetime(2026, 12, 1)).text
    assert _segments_1000(text) == (
        "NM1*41*2*RIVERSIDE PAIN BILLING*****46*SUB0042~"
        "PER*IC*BILLING OFFICE*EM*billing@riverside-pain.example~"
        "NM1*40*2*SUMMIT EDI*****46*SUMMITEDI~"
    )


def test_no_identity_no_837p() -> None:
    claims = load_claims(EXAMPLES / "rfa_lumbar_bilateral.json")
    with pytest.raises(
        BuildError, match=r"^no submitter/receiver identity for 1000A/1000B: set identity: in"
    ):
        build_837p(claims, TradingPartners("A", "B"), ControlNumbers(1, 1, 1), dt.datetime(2026, 12, 1))


def test_gateway_build_837p_with_clearinghouse_uses_that_identity(tmp_path: Path) -> None:
    config = tmp_path / "gateway.yaml"
    both = {
        **yaml.safe_load((PROFILES / "inbound_outbound.yaml").read_text())["clearinghouses"],
        **yaml.safe_load((PROFILES / "test_marker.yaml").read_text())["clearinghouses"],
    }
    config.write_text(yaml.safe_dump({"clearinghouses": both}))
    out = tmp_path / "rfa.x12"
    claims_file = EXAMPLES / "rfa_lumbar_bilateral.json"
    done = _gateway(tmp_path, "build", "837p", str(claims_file), "--clearinghouse", "northgate", "-o", str(out),
                    config=config)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _segments_1000(out.read_text()) == NORTHGATE_1000

    unnamed = _gateway(tmp_path, "build", "837p", str(claims_file), "-o", str(out), config=config)
    assert unnamed.returncode == 2
    assert unnamed.stderr == (
        f"error: {config}: name the clearinghouse whose identity the file carries with --clearinghouse NAME "
        "(known: northgate, summit-test)\n"
    )


def test_clearinghouse_check_refuses_a_profile_without_identity_naming_file_and_key(tmp_path: Path) -> None:
    document = yaml.safe_load((PROFILES / "local_folders.yaml").read_text())
    del document["clearinghouses"]["demo-local"]["identity"]["receiver_name"]
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump(document))
    done = _gateway(tmp_path, "clearinghouse", "check", config=config)
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr == f"error: {config}: clearinghouses.demo-local.identity.receiver_name: Field required\n"
    )
