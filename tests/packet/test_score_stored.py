"""The completeness score is stored with the claim when the build path records it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from gateway.domain.claim import Claim
from gateway.packet.completeness import review
from gateway.pipeline.outbound import build_837p_file
from gateway.rules.book import load_rule_book
from gateway.store.db import Store
from gateway.store.documentation import DocumentationRecordRow
from gateway.store.schema import ClaimRow
from tests.foundation.helpers import BOOK, PARTNERS

REPO = Path(__file__).resolve().parents[2]


def test_built_claims_carry_their_documentation_score(sqlite_store: Store, tmp_path: Path) -> None:
    document = json.loads((REPO / "examples" / "claims" / "rfa_lumbar_bilateral.json").read_text())
    for item in document["claims"]:  # without its procedure notes, so missing elements are stored too
        item["evidence"].pop("procedure_notes", None)
    claims = [Claim.model_validate(item) for item in document["claims"]]
    outcome = build_837p_file(claims, PARTNERS, sqlite_store, tmp_path / "out.x12", book=BOOK)
    assert outcome.path is not None
    expected, _ = review(claims[0], load_rule_book(REPO / "payer_configs"))
    with sqlite_store.session() as session:
        claim_row = session.scalars(select(ClaimRow)).one()
        record = session.scalars(select(DocumentationRecordRow)).one()
        assert record.claim_id == claim_row.id and record.subject_id == claims[0].patient_control_number
        assert (record.present, record.required) == (
            len(expected.required) - len(expected.missing),
            len(expected.required),
        )
        assert json.loads(record.missing) == [check.element for check in expected.missing] != []
        assert record.pack_version == claim_row.rule_pack_version
        assert record.packet_control_number is None  # no packet rendered on the build path
