"""`gateway denials --worklist`: one row per denied line, with category, rule, days left, action."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli.main import _register, cli
from gateway.errors import ConfigError
from gateway.pipeline import corrections
from gateway.pipeline.worklist import denial_worklist
from gateway.store.db import Store
from gateway.worklist.config import load_denial_config
from tests.cob.claims import facet_claim
from tests.cob.ledger import DENIED_CLAIM, MEDICARE_CLAIM, ingest, record_sent, remit_text
from tests.conftest import REPO

TODAY = dt.date(2026, 12, 3)
CONFIGS = REPO / "payer_configs"
MEDICARE_LIMITS = "42 CFR 424.44 (time limits for filing claims); 42 CFR 405.942 (time frame for filing a redetermination request)"
PARTLY_DENIED = [
    "CLP*MBB2*1*1660*320*80*MB*2618200077*11*1",
    "NM1*QC*1*OLSEN*KAREN****MI*3GJ6VG7PM95",
    "SVC*HC:64493:50*1100*320**1",
    "DTM*472*20260610",
    "CAS*CO*45*700",
    "CAS*PR*2*80",
    "SVC*HC:64494:50*560*0**1",
    "DTM*472*20260610",
    "CAS*CO*50*560",
    "LQ*HE*N115",
]


def _second_claim() -> dict[str, object]:
    claim = facet_claim()
    claim["patient_control_number"] = "MBB2"
    return claim


def _ledger(store: Store, folder: Path) -> None:
    record_sent(store, facet_claim())
    record_sent(store, _second_claim())
    ingest(store, folder, "a.835", remit_text([DENIED_CLAIM, PARTLY_DENIED], amount="320"))


def test_rows_for_a_claim_level_and_a_line_level_denial(sqlite_store: Store, tmp_path: Path) -> None:
    _ledger(sqlite_store, tmp_path)
    rows = [row.to_json() for row in denial_worklist(sqlite_store, CONFIGS, TODAY)]
    filing = {"name": "timely filing (one calendar year from the date of service)", "due": "2027-06-10",
              "days_left": 189, "source": MEDICARE_LIMITS, "verified": False}  # fmt: skip
    appeal = {"name": "redetermination (120 days from the initial determination)", "due": "2026-10-29",
              "days_left": -35, "source": MEDICARE_LIMITS, "verified": False}  # fmt: skip
    assert rows == [
        {
            "patient_control_number": "MBB2", "claim_id": 2, "payer": "ACME HEALTH PLAN", "line": 2,
            "procedure": "64494", "service_date": "2026-06-10", "charge": "560", "paid": "0", "denied": "560",
            "carcs": [{"group": "CO", "reason": "50", "amount": "560",
                       "text": "Non-covered service: not deemed a medical necessity by the payer"}],
            "rarcs": [{"code": "N115", "text": "decision based on a Local Coverage Determination (LCD)"}],
            "category": "medical necessity/LCD",
            "rule": {"rule_id": "facet.injection_levels", "source": "L38801 v23 (harmonized; number read in "
                     "L38773 v31)", "status": "derived", "fires": False},
            "filing": filing, "appeal": appeal,
            # The redetermination window closed 35 days ago: an appeal can no longer be filed.
            "next_action": "write off",
        },
        {
            "patient_control_number": "MBB2026061004", "claim_id": 1, "payer": "ACME HEALTH PLAN", "line": None,
            "procedure": "64493", "service_date": "2026-06-10", "charge": "1660", "paid": "0", "denied": "1660",
            "carcs": [{"group": "CO", "reason": "16", "amount": "1660",
                       "text": "Claim or service lacks information or has submission/billing errors"}],
            "rarcs": [{"code": "MA130", "text": "claim contains incomplete and/or invalid information; no appeal "
                       "rights, submit a corrected claim"}],
            "category": "coding",
            "rule": {"rule_id": "facet.kx_diagnostic", "source": "KX_FACET_QUOTE", "status": "unverified",
                     "fires": True},
            "filing": filing, "appeal": appeal,
            "next_action": "correct and resubmit",
        },
    ]  # fmt: skip


def test_paid_lines_and_replaced_claims_leave_the_list(sqlite_store: Store, tmp_path: Path) -> None:
    record_sent(sqlite_store, facet_claim())
    ingest(sqlite_store, tmp_path, "paid.835", remit_text([MEDICARE_CLAIM], amount="311.6"))
    assert denial_worklist(sqlite_store, CONFIGS, TODAY) == []  # CO-45, PR-1/2, CO-253 are routine

    (tmp_path / "later").mkdir()
    _ledger(sqlite_store, tmp_path / "later")
    assert [r.patient_control_number for r in denial_worklist(sqlite_store, CONFIGS, TODAY)] == [
        "MBB2",
        "MBB2026061004",
    ]
    corrected = tmp_path / "fixed.json"
    corrected.write_text(json.dumps({"claims": [_second_claim()]}))
    corrections.correct(sqlite_store, "MBB2", corrected, "add documentation", "operator:ann")
    assert [r.patient_control_number for r in denial_worklist(sqlite_store, CONFIGS, TODAY)] == [
        "MBB2026061004"
    ]


def test_late_filing_turns_a_correction_into_a_write_off(sqlite_store: Store, tmp_path: Path) -> None:
    _ledger(sqlite_store, tmp_path)
    [row] = [r for r in denial_worklist(sqlite_store, CONFIGS, dt.date(2027, 6, 11)) if r.line is None]
    assert row.filing is not None and row.filing.days_left == -1 and row.next_action == "write off"


def test_an_unknown_carc_is_uncategorised_for_review(sqlite_store: Store, tmp_path: Path) -> None:
    record_sent(sqlite_store, facet_claim())
    odd = ["CLP*MBB2026061004*4*1660*0**MB*X77*11*1", "CAS*OA*A1*1660"]
    ingest(sqlite_store, tmp_path, "odd.835", remit_text([odd], amount="0"))
    [row] = denial_worklist(sqlite_store, CONFIGS, TODAY)
    assert (row.category, row.next_action, row.rule, row.carcs[0]["reason"]) == (
        "uncategorised",
        "review",
        None,
        "A1",
    )


def test_a_carc_in_two_categories_is_a_config_error(tmp_path: Path) -> None:
    shutil.copytree(CONFIGS, tmp_path / "configs")
    path = tmp_path / "configs" / "denials.yaml"
    path.write_text(path.read_text().replace('carcs: ["18", "B13"]', 'carcs: ["18", "B13", "50"]'))
    with pytest.raises(
        ConfigError,
        match=re.escape(f"{path}: categories.duplicate.carcs: CARC 50 is already in medical necessity/LCD"),
    ):
        load_denial_config(tmp_path / "configs")


def test_cli_worklist_text_and_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    with Store.open(url) as store:
        _ledger(store, tmp_path)
    _register()
    env = {"GATEWAY_HOME": str(tmp_path), "GATEWAY_DB_URL": url}
    out = CliRunner().invoke(cli, ["denials", "--worklist"], env=env, catch_exceptions=False).output
    lines = out.splitlines()
    assert lines[0].startswith(
        "MBB2 (#2) ACME HEALTH PLAN, line 2 64494, service 2026-06-10: denied 560 of 560 -> "
    )
    assert (
        "    medical necessity/LCD: CO-50 560 Non-covered service: not deemed a medical necessity by the payer"
        in lines
    )
    assert "    our rule: facet.kx_diagnostic (fires on this claim; KX_FACET_QUOTE, unverified)" in lines
    data = json.loads(CliRunner().invoke(cli, ["denials", "--worklist", "--json"], env=env).output)
    assert [(r["patient_control_number"], r["category"]) for r in data] == [("MBB2", "medical necessity/LCD"),
                                                                          ("MBB2026061004", "coding")]  # fmt: skip
