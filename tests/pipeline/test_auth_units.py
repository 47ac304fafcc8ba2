"""Prior-authorization units: taken once when a claim goes into a batch, never past the last one,
given back when the batch is cancelled."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus, HoldKind
from gateway.pipeline import cycles
from gateway.pipeline.outbound import build_837p_file
from gateway.rules import load_rule_book
from gateway.settings import REPO_ROOT
from gateway.store import operator_ops
from gateway.store.auths import AuthConsumptionRow, AuthServiceRow
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow
from tests.daemon.helpers import local_profile, make_daemon, write_pending
from tests.foundation.helpers import PARTNERS
from tests.pipeline.test_one_outbound_path import WISER, _approve_wiser


def _wiser(pcn: str) -> dict[str, Any]:
    (data,) = json.loads((REPO_ROOT / "examples" / "claims" / WISER).read_text())["claims"]
    data["patient_control_number"] = pcn
    return dict(data)


def _units(store: Store) -> tuple[Decimal, list[tuple[str, int | None]]]:
    with store.session() as session:
        consumed = session.scalars(select(AuthServiceRow.units_consumed)).one()
        rows = session.scalars(select(AuthConsumptionRow).order_by(AuthConsumptionRow.id)).all()
        return consumed, [(row.patient_control_number, row.claim_id) for row in rows]


def _claims(store: Store) -> dict[str, tuple[ClaimStatus, HoldKind | None, str | None]]:
    with store.session() as session:
        return {
            row.patient_control_number: (row.status, row.hold_kind, row.status_reason)
            for row in session.scalars(select(ClaimRow).order_by(ClaimRow.id))
        }


def test_two_claims_for_the_last_unit_one_is_built_the_other_held_for_auth(
    any_store: Store, tmp_path: Path
) -> None:
    """Both are screened while the unit is free (same chunk); the conditional UPDATE lets one take it."""
    _approve_wiser(any_store, tmp_path)
    write_pending(tmp_path / "outbound", [_wiser("WISERA"), _wiser("WISERB")], per_file=2)
    # Work locks are advisory locks of the whole PostgreSQL database, shared with every other
    # test run on it: a clearinghouse name of its own keeps another run's build lock out.
    name = f"units{uuid.uuid4().hex[:8]}"
    daemon = make_daemon(any_store, tmp_path, {name: local_profile(tmp_path, name)})
    daemon.start()
    try:
        cycles.intake_cycle(daemon.ctx)
        assert {pcn: status for pcn, (status, _, _) in _claims(any_store).items()} == {
            "WISERA": ClaimStatus.QUEUED,
            "WISERB": ClaimStatus.QUEUED,
        }
        first = cycles.outbound_cycle(daemon.ctx, send=False)
        assert (first.counts.get("batches_abandoned"), first.counts.get("claims_held")) == (1, 1)
        second = cycles.outbound_cycle(daemon.ctx, send=False)
        assert second.counts.get("batches_built") == 1
    finally:
        daemon.close()
    claims = _claims(any_store)
    assert claims["WISERA"][:2] == (ClaimStatus.BUILT, None)
    assert claims["WISERB"] == (
        ClaimStatus.HELD,
        HoldKind.AUTH,
        (
            "prior authorization: authorization CERT7100 for 64483 has fewer than 1 unit(s) left for line 1: "
            "another claim took them"
        ),
    )
    consumed, rows = _units(any_store)
    with any_store.session() as session:
        built_id = session.scalars(
            select(ClaimRow.id).where(ClaimRow.patient_control_number == "WISERA")
        ).one()
    assert (consumed, rows) == (Decimal("1.000"), [("WISERA", built_id)])


def test_cancelling_an_operators_batch_holds_its_claims_and_gives_their_units_back(
    sqlite_store: Store, tmp_path: Path
) -> None:
    _approve_wiser(sqlite_store, tmp_path)
    claim = Claim.model_validate(_wiser("WISERC"))
    book = load_rule_book(REPO_ROOT / "payer_configs")
    build_837p_file([claim], PARTNERS, sqlite_store, tmp_path / "one.x12", book=book)
    assert _units(sqlite_store)[0] == Decimal("1.000")
    with sqlite_store.session() as session:
        batch = session.scalars(select(BatchRow)).one()
        assert (batch.status, batch.clearinghouse) == ("built", "")
        batch_id = batch.id
    assert operator_ops.cancel(sqlite_store, batch_id, "operator:ann", "wrong payer") == 1
    assert _units(sqlite_store) == (Decimal("0.000"), [])
    assert _claims(sqlite_store)["WISERC"] == (
        ClaimStatus.HELD,
        HoldKind.OPERATOR,
        f"batch {batch_id} cancelled by operator:ann: wrong payer",
    )
    with sqlite_store.session() as session:
        held = session.scalars(select(EventRow.detail).where(EventRow.kind == "claim.held")).one()
    assert json.loads(held or "{}") == {"hold": "operator", "batch": batch_id, "reason": "wrong payer"}
