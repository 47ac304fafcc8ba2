"""Ledger set-up for the post-835 tests: claims recorded as sent, 835s and 277CAs ingested."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus
from gateway.pipeline.inbound import ingest_file
from gateway.store.db import Store
from gateway.store.intake_ops import insert_version
from gateway.store.schema import ClaimRow
from tests.inbound.x12_fixtures import interchange, remit_835, transaction

# Medicare's 835 answer to the facet claim, as in tests.cob.claims.MEDICARE_ANSWER.
MEDICARE_CLAIM = [
    "CLP*MBB2026061004*1*1660*311.6*280*MB*26182000123401*11*1",
    "CAS*CO*253*6.4",
    "CAS*PI*94*2",
    "NM1*QC*1*OLSEN*KAREN****MI*3GJ6VG7PM95",
    "SVC*HC:64493:50*1100*320**1",
    "DTM*472*20260610",
    "CAS*CO*45*700",
    "CAS*PR*2*80",
    "SVC*HC:64494:50*560*0**1",
    "DTM*472*20260610",
    "CAS*CO*45*360",
    "CAS*PR*1*200",
]
DENIED_CLAIM = [
    "CLP*MBB2026061004*4*1660*0**MB*26182000999901*11*1",
    "CAS*CO*16*1660",
    "MOA***MA130",
    "NM1*QC*1*OLSEN*KAREN****MI*3GJ6VG7PM95",
]


def record_sent(store: Store, claim: dict[str, Any], status: str = "sent") -> int:
    with store.session() as session:
        return insert_version(session, Claim.model_validate(claim), ClaimStatus(status)).id


def ingest(store: Store, folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text)
    ingest_file(store, path, folder / "quarantine")


def remit_text(
    claims: Sequence[Sequence[str]], amount: str, date: str = "20260701", control: str = "000000701"
) -> str:
    body = remit_835(claims, amount=amount)
    body = [s.replace("*20261127", f"*{date}") if s.startswith("BPR") else s for s in body]
    return interchange([body], functional_id="HP", implementation="005010X221A1", control=control)


def status_277ca(pcn: str, charge: str, payer_number: str) -> str:
    body = ["HL*1**20*1", "HL*2*1*21*1", "HL*3*2*19*1", "HL*4*3*PT", f"TRN*2*{pcn}",
            f"STC*A2:20*20260620*WQ*{charge}", f"REF*1K*{payer_number}"]  # fmt: skip
    return interchange(
        [transaction("277", "0001", body, "005010X214")],
        functional_id="HN", implementation="005010X214", control="000000702",
    )  # fmt: skip


def claim_rows(store: Store, pcn: str) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(id, status, payer id, payload) of every row of ``pcn``, oldest first."""
    with store.session() as session:
        rows = session.execute(
            select(ClaimRow.id, ClaimRow.status, ClaimRow.payer_id, ClaimRow.payload)
            .where(ClaimRow.patient_control_number == pcn)
            .order_by(ClaimRow.id)
        ).all()
    return [(i, s, p, json.loads(text)) for i, s, p, text in rows]


def count_claims(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(ClaimRow)) or 0
