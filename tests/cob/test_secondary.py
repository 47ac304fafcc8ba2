"""Secondary and tertiary claims from the primary's 835: built, gated, routed; crossover stops it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus
from gateway.errors import InputError
from gateway.pipeline import secondary
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow
from tests.cob.claims import primary_with_other_coverage, secondary_claim, tertiary_claim
from tests.cob.ledger import (
    MEDICARE_CLAIM,
    claim_rows,
    count_claims,
    ingest,
    record_sent,
    remit_text,
)
from tests.daemon.helpers import local_profile, make_daemon, write_pending
from tests.foundation.helpers import build

PCN = "MBB2026061004"
SUPPLEMENT_CLAIM = [
    "CLP*MBB2026061004*2*1660*270*10*CI*SUP778812*11*1",
    "NM1*QC*1*OLSEN*KAREN****MI*AARP55501",
    "SVC*HC:64493:50*1100*80**1",
    "DTM*472*20260610",
    "CAS*OA*23*1020",
    "SVC*HC:64494:50*560*190**1",
    "DTM*472*20260610",
    "CAS*OA*23*360",
    "CAS*PR*3*10",
]
CROSSOVER_CLAIM = [
    "CLP*MBB2026061004*19*1660*311.6*280*MB*26182000123401*11*1",
    "CAS*CO*253*6.4",
    "CAS*PI*94*2",
    "NM1*QC*1*OLSEN*KAREN****MI*3GJ6VG7PM95",
    "NM1*TT*2*AARP MEDICARE SUPPLEMENT*****PI*36273",
    *MEDICARE_CLAIM[4:],
]


def _text(payload: dict[str, object]) -> str:
    return build([Claim.model_validate(payload)]).text


def _events(store: Store, kind: str) -> list[EventRow]:
    with store.session() as session:
        return list(session.scalars(select(EventRow).where(EventRow.kind == kind).order_by(EventRow.id)))


@pytest.mark.postgres
def test_secondary_claim_from_a_real_shaped_835(any_store: Store, tmp_path: Path) -> None:
    primary = record_sent(any_store, primary_with_other_coverage())
    ingest(any_store, tmp_path, "medicare.835", remit_text([MEDICARE_CLAIM], amount="311.6"))
    done = secondary.bill_next_payer(any_store, PCN, "operator:ann")
    assert (done.answered_id, done.payer_id, done.responsibility) == (primary, "36273", "S")
    rows = claim_rows(any_store, PCN)
    assert [(i, s, p) for i, s, p, _c in rows] == [
        (primary, "paid", "03102"),
        (done.new_id, "received", "36273"),
    ]
    # The claim built from the 835 renders exactly as the hand-written secondary claim of the COB tests.
    assert _text(rows[1][3]) == _text(secondary_claim())


def test_tertiary_claim_after_the_secondarys_835(sqlite_store: Store, tmp_path: Path) -> None:
    record_sent(sqlite_store, primary_with_other_coverage())
    ingest(sqlite_store, tmp_path, "medicare.835", remit_text([MEDICARE_CLAIM], amount="311.6"))
    second = secondary.bill_next_payer(sqlite_store, PCN, "operator:ann")
    with sqlite_store.session() as session:
        row = session.get(ClaimRow, second.new_id)
        assert row is not None
        row.status = ClaimStatus.SENT
    ingest(
        sqlite_store,
        tmp_path,
        "sup.835",
        remit_text([SUPPLEMENT_CLAIM], amount="270", date="20260720", control="000000703"),
    )
    third = secondary.bill_next_payer(sqlite_store, PCN, "operator:ann")
    assert (third.answered_id, third.payer_id, third.responsibility) == (second.new_id, "AZM01", "T")
    assert _text(claim_rows(sqlite_store, PCN)[2][3]) == _text(tertiary_claim())
    with pytest.raises(
        InputError, match=re.escape(f"claim {PCN}: no other coverage after payer AZM01 to bill")
    ):
        with sqlite_store.session() as session:
            row = session.get(ClaimRow, third.new_id)
            assert row is not None
            row.status = ClaimStatus.SENT
        tertiary_answer = [SUPPLEMENT_CLAIM[0].replace("*2*1660*270*10*CI*SUP778812", "*3*1660*10*0*MC*AZ1"),
                           *SUPPLEMENT_CLAIM[1:]]  # fmt: skip
        ingest(
            sqlite_store, tmp_path, "mcd.835", remit_text([tertiary_answer], amount="10", control="000000704")
        )
        secondary.bill_next_payer(sqlite_store, PCN, "operator:ann")


def test_crossover_stops_the_secondary_with_an_event(sqlite_store: Store, tmp_path: Path) -> None:
    primary = record_sent(sqlite_store, primary_with_other_coverage())
    ingest(sqlite_store, tmp_path, "medicare.835", remit_text([CROSSOVER_CLAIM], amount="311.6"))
    scan = secondary.queue_due(sqlite_store, "daemon:test")
    assert (scan.queued, scan.stopped) == (0, 1)
    message = (
        f"claim {PCN}: payer 03102 forwarded the claim to AARP MEDICARE SUPPLEMENT itself (crossover, CLP02 19); "
        "the next payer is not billed again"
    )
    [event] = _events(sqlite_store, "claim.crossover")
    assert (event.claim_id, event.actor) == (primary, "daemon:test")
    assert json.loads(event.detail or "") == {
        "reason": message,
        "crossover_payer": "AARP MEDICARE SUPPLEMENT",
    }
    assert count_claims(sqlite_store) == 1
    with pytest.raises(InputError, match=re.escape(message)):
        secondary.bill_next_payer(sqlite_store, PCN, "operator:ann")
    assert count_claims(sqlite_store) == 1
    assert secondary.queue_due(sqlite_store, "daemon:test").stopped == 0  # each 835 event is looked at once


def test_no_primary_835_and_unknown_pcn_queue_nothing(sqlite_store: Store) -> None:
    with pytest.raises(InputError, match=re.escape(f"no claim with patient control number {PCN}")):
        secondary.bill_next_payer(sqlite_store, PCN, "operator:ann")
    primary = record_sent(sqlite_store, primary_with_other_coverage())
    message = (
        f"claim {PCN} (#{primary}): no 835 from payer 03102 is on file; the next payer's claim carries that "
        "payer's adjudication, so it waits for the 835"
    )
    with pytest.raises(InputError, match=re.escape(message)):
        secondary.bill_next_payer(sqlite_store, PCN, "operator:ann")
    assert count_claims(sqlite_store) == 1


def test_a_claim_is_billed_to_its_next_payer_once(sqlite_store: Store, tmp_path: Path) -> None:
    primary = record_sent(sqlite_store, primary_with_other_coverage())
    ingest(sqlite_store, tmp_path, "medicare.835", remit_text([MEDICARE_CLAIM], amount="311.6"))
    scan = secondary.queue_due(sqlite_store, "daemon:test")
    assert (scan.queued, scan.stopped) == (1, 0)
    second = primary + 1
    with pytest.raises(
        InputError,
        match=re.escape(f"claim {PCN} (#{primary}) was already billed to its next payer as #{second}"),
    ):
        secondary.bill_next_payer(sqlite_store, PCN, "operator:ann")  # the newest answered version is #1
    assert count_claims(sqlite_store) == 2


def test_the_daemon_routes_the_secondary_to_the_next_payers_clearinghouse(
    sqlite_store: Store, tmp_path: Path
) -> None:
    medicare = local_profile(tmp_path, "medicarech", payers=["03102"])
    others = local_profile(tmp_path, "commercialch")
    daemon = make_daemon(sqlite_store, tmp_path, {medicare.name: medicare, others.name: others})
    write_pending(tmp_path / "outbound", [primary_with_other_coverage()])
    daemon.run_until_idle()
    [first] = sorted(Path(medicare.upload_dir).iterdir())
    assert "NM1*PR*2*NORIDIAN JF PART B*****PI*03102~" in first.read_text()
    (Path(medicare.response_dir) / "medicare.835").write_text(remit_text([MEDICARE_CLAIM], amount="311.6"))
    daemon.run_until_idle()
    [second] = sorted(Path(others.upload_dir).iterdir())
    text = second.read_text()
    assert "SBR*S*18*******CI~" in text and "SVD*03102*320*HC:64493:50**1~" in text and "AMT*D*311.6~" in text
    assert [(s, p) for _i, s, p, _c in claim_rows(sqlite_store, PCN)] == [
        ("paid", "03102"),
        ("sent", "36273"),
    ]


def test_an_other_payer_identical_to_the_claims_payer_is_refused_at_intake(
    sqlite_store: Store, tmp_path: Path
) -> None:
    claim = primary_with_other_coverage()
    claim["other_coverage"][0]["payer"] = dict(claim["payer"])
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", [claim])
    make_daemon(sqlite_store, tmp_path, {profile.name: profile}).run_until_idle()
    assert count_claims(sqlite_store) == 0
    [reason] = sorted((tmp_path / "outbound" / "pending" / "rejected").glob("*.reason"))
    assert reason.read_text().endswith(
        "claims[0] (claim MBB2026061004): other_coverage[0]: payer 03102 is the payer this claim is billed to\n"
    )
    assert list(Path(profile.upload_dir).iterdir()) == []


def test_an_835_that_does_not_balance_leaves_the_secondary_unsent_with_the_gates_findings(
    sqlite_store: Store, tmp_path: Path
) -> None:
    primary = record_sent(sqlite_store, primary_with_other_coverage())
    unbalanced = [
        s.replace("SVC*HC:64493:50*1100*320**1", "SVC*HC:64493:50*1100*330**1") for s in MEDICARE_CLAIM
    ]
    ingest(sqlite_store, tmp_path, "medicare.835", remit_text([unbalanced], amount="311.6"))
    assert secondary.queue_due(sqlite_store, "daemon:test").stopped == 1
    [event] = _events(sqlite_store, "claim.next_payer_waits")
    detail = json.loads(event.detail or "")
    assert (event.claim_id, detail["reason"]) == (
        primary,
        f"the secondary claim of {PCN} fails the gate; nothing queued",
    )
    assert any(
        p.endswith(f"claim {PCN}: 2430 of payer 03102: SVD02 330 + CAS 780 = 1110, not the line's SV102 1100")
        for p in detail["problems"]
    )
    assert count_claims(sqlite_store) == 1
