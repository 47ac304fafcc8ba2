"""`gateway demo`: one command, every example claim settled, under a minute."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gateway.cli.main import main
from gateway.store.db import Store
from gateway.store.ledger_read import timeline
from tests.simulator.helpers import example_claims


def test_demo_settles_every_claim_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "demo"
    started = time.monotonic()
    with pytest.raises(SystemExit) as done:
        main(["demo", "--dir", str(home)])
    elapsed = time.monotonic() - started
    out = capsys.readouterr()
    assert done.value.code == 0, out.err
    assert elapsed < 60
    rows = {line.split("│")[1].strip(): line for line in out.out.splitlines() if line.count("│") >= 8}
    pcns = [claim.patient_control_number for claim in example_claims()]
    assert sorted(rows) == sorted(pcns)
    store = Store.open(f"sqlite:///{home / 'gateway.db'}")
    try:
        for pcn in pcns:
            status = timeline(store, pcn).claims[-1].status
            assert status in {"paid", "denied", "held"}, (pcn, status)
            assert status in rows[pcn]
            if pcn.startswith("HELD") and pcn != "HELDWISER1":
                assert status == "held" and "held: " in rows[pcn]
    finally:
        store.close()
    assert "prior auth CERT" in rows["HELDWISER1"] and "paid" in rows["HELDWISER1"]
    assert "denied (CO-50 310.00)" in rows["TPI2026082409"]
    assert "A2:20" in rows["ESI2026091501"] and "PR-1 100.00" in rows["ESI2026091501"]
    assert "278 request PA-HELDWISER1 sent" in out.out
    assert "nothing new" in out.out  # it stopped because a round changed nothing
    reasons = out.out.split("why the held claims are held")[1]
    assert "HELDESI005: esi.frequency [" in reasons and "HELDWISER1" not in reasons


def test_demo_refuses_to_wipe_a_folder_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(SystemExit) as done:
        main(["demo", "--dir", str(tmp_path)])
    assert done.value.code == 2
    assert "not a demo folder" in capsys.readouterr().err
    assert (tmp_path / "precious.txt").read_text() == "keep me"
