"""`gateway demo`: one command, every example claim settled, under a minute."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gateway.cli.main import main
from gateway.store.db import Store
from gateway.store.ledger_read import timeline
from tests.simulator.helpers import example_claims


def _table_rows(out: str) -> dict[str, str]:
    """Each table row's cells by claim, a folded cell's continuation lines joined to its row."""
    rows: dict[str, list[list[str]]] = {}
    last = ""
    for line in out.splitlines():
        if line.count("│") < 8:
            continue
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        last = cells[0] or last
        rows.setdefault(last, []).append(cells)
    return {
        pcn: "│".join(" ".join(part[n] for part in parts if part[n]) for n in range(len(parts[0])))
        for pcn, parts in rows.items()
    }


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
    rows = _table_rows(out.out)
    pcns = [claim.patient_control_number for claim in example_claims()]
    stories = ["COB2026061001", "DXFIX2026061101"]  # examples/after_835
    assert sorted(rows) == sorted(pcns + stories)
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
    # After the 835: one claim paid by two payers, one denied claim corrected and then paid.
    cob = " ".join(line.split("│")[6].strip() for line in out.out.splitlines()
                   if line.count("│") >= 8 and line.split("│")[1].strip() in ("COB2026061001", ""))  # fmt: skip
    assert (
        "NORIDIAN JF PART B: paid 630.40 (CO-45 747.00, PR-1 100.00, PR-2 182.60); then AARP MEDICARE" in cob
    )
    assert "SUPPLEMENT: paid 282.60" in cob and "(OA-23 1,377.40)" in cob
    assert (
        "NORIDIAN JF PART B: denied (CO-11 1,100.00); then NORIDIAN JF PART B: paid 384.00"
        in rows["DXFIX2026061101"]
    )
    assert "1 secondary claim(s) queued from the 835s" in out.out
    assert "claim DXFIX2026061101 denied: replacement #" in out.out
    store = Store.open(f"sqlite:///{home / 'gateway.db'}")
    try:
        assert [c.status for c in timeline(store, "COB2026061001").claims] == ["paid", "paid"]
        assert [(c.payer_id, c.status) for c in timeline(store, "DXFIX2026061101").claims] == [
            ("03102", "denied"), ("03102", "paid"),
        ]  # fmt: skip
    finally:
        store.close()
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
