"""The CLI build path: prior auth on file and payer rules decide before anything is built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.domain.claim import Claim
from gateway.errors import ClaimsHeld
from gateway.pipeline.outbound import build_837p_file
from gateway.store.auths import apply_response, record_request
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow
from gateway.x12.reader import read_segments
from tests.conftest import EXAMPLES
from tests.foundation.helpers import BOOK, PARTNERS
from tests.x12_278.test_auth_flow import auth_request, umo_response


def example(name: str) -> list[Claim]:
    return [Claim.model_validate(c) for c in json.loads((EXAMPLES / name).read_text())["claims"]]


def opd_facet_claim() -> Claim:
    """The MBB example done in a hospital outpatient department (POS 22): OPD prior auth applies."""
    (claim,) = example("facet_mbb_lumbar_bilateral.json")
    lines = [
        line.model_copy(update={"service_date": claim.service_lines[0].service_date.replace(day=15)})
        for line in claim.service_lines
    ]
    return claim.model_copy(
        update={"place_of_service": "22", "service_lines": lines, "patient_control_number": "OPDMBB01"}
    )


def statuses(store: Store) -> dict[str, str]:
    with store.session() as session:
        return {row.patient_control_number: row.status for row in session.scalars(select(ClaimRow))}


def test_a_held_claim_stops_the_build_and_is_recorded(sqlite_store: Store, tmp_path: Path) -> None:
    claims = example("rfa_lumbar_bilateral.json") + example("held_esi_bilateral_interlaminar.json")
    out = tmp_path / "out.x12"
    with pytest.raises(ClaimsHeld) as caught:
        build_837p_file(claims, PARTNERS, sqlite_store, out, book=BOOK)
    assert not out.exists()
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert (
        problem.startswith("claim HELDIL0001: esi.il_bilateral [L39015 v16; verified]") and "Fix:" in problem
    )
    assert statuses(sqlite_store) == {"HELDIL0001": "held"}
    with sqlite_store.session() as session:
        event = session.scalars(select(EventRow).where(EventRow.kind == "claim.held")).one()
        assert json.loads(event.detail or "{}")["rules"] == ["esi.il_bilateral"]


def test_skip_held_builds_the_rest_and_records_the_pack_version(sqlite_store: Store, tmp_path: Path) -> None:
    claims = example("rfa_lumbar_bilateral.json") + example("held_esi_bilateral_interlaminar.json")
    outcome = build_837p_file(claims, PARTNERS, sqlite_store, tmp_path / "out.x12", skip_held=True, book=BOOK)
    assert outcome.built is not None and outcome.built.claim_count == 1
    assert statuses(sqlite_store) == {"HELDIL0001": "held", "RFA2026072005": "built"}
    with sqlite_store.session() as session:
        row = session.scalars(select(ClaimRow).where(ClaimRow.status == "built")).one()
        assert row.rule_pack_version and row.rule_pack_version.startswith("medicare-noridian@")


def test_opd_facet_without_auth_is_sent_with_the_rules_warning(sqlite_store: Store, tmp_path: Path) -> None:
    # The pack makes OPD facet PA a warning on the professional claim (the facility claim carries
    # the UTN); with no authorization on file at all, the rule's finding is what the office sees.
    outcome = build_837p_file([opd_facet_claim()], PARTNERS, sqlite_store, tmp_path / "out.x12", book=BOOK)
    assert outcome.built is not None
    (ready,) = outcome.screened.ready
    assert [f.rule_id for f in ready.rules.warnings if "prior_auth" in f.rule_id] == ["facet.opd_prior_auth"]


def test_an_approved_auth_on_file_goes_into_ref_g1(sqlite_store: Store, tmp_path: Path) -> None:
    request = auth_request()
    with sqlite_store.session() as session:
        record_request(session, request)
    with sqlite_store.session() as session:
        apply_response(session, umo_response(request, "A1", "CERT7788"))
    out = tmp_path / "out.x12"
    outcome = build_837p_file([opd_facet_claim()], PARTNERS, sqlite_store, out, book=BOOK)
    assert outcome.built is not None
    refs = [seg.elements for seg in read_segments(out.read_bytes()) if seg.id == "REF"]
    assert ["REF", "G1", "CERT7788"] in refs


def test_a_denied_auth_holds_the_claim_with_its_reason(sqlite_store: Store, tmp_path: Path) -> None:
    request = auth_request()
    with sqlite_store.session() as session:
        record_request(session, request)
    with sqlite_store.session() as session:
        apply_response(session, umo_response(request, "A3", reason="CO"))
    with pytest.raises(ClaimsHeld) as caught:
        build_837p_file([opd_facet_claim()], PARTNERS, sqlite_store, tmp_path / "out.x12", book=BOOK)
    assert any("prior authorization:" in p and "denied" in p for p in caught.value.problems), (
        caught.value.problems
    )
