"""`gateway build 837p` and the daemon run the same outbound path and leave the same records."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.domain.claim import Claim
from gateway.pipeline import cycles
from gateway.pipeline.inbound import ingest_file
from gateway.pipeline.outbound import build_837p_file
from gateway.rules import load_rule_book
from gateway.settings import REPO_ROOT
from gateway.store.auths import AuthConsumptionRow, AuthRow, AuthServiceRow, record_request
from gateway.store.batches import BatchRow
from gateway.store.db import Store
from gateway.store.documentation import DocumentationRecordRow
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow
from tests.daemon.helpers import clean_templates, held_templates, local_profile, make_daemon, write_pending
from tests.foundation.helpers import PARTNERS
from tests.pipeline.test_auth_requeue import request_for, response_file

WISER = "held_esi_wiser_texas_no_prior_auth.json"
DAEMON_CLEARINGHOUSE = f"same{uuid.uuid4().hex[:8]}"


def _claims() -> list[dict[str, Any]]:
    return clean_templates() + held_templates()


def _approve_wiser(store: Store, tmp_path: Path) -> None:
    """An approved authorization on file for the WISeR claim, so it is built with REF*G1 and takes units."""
    (data,) = json.loads((REPO_ROOT / "examples" / "claims" / WISER).read_text())["claims"]
    request = request_for(Claim.model_validate(data))
    with store.session() as session:
        record_request(session, request)
    ingest_file(store, response_file(tmp_path, request, "A1", "CERT7100"), tmp_path / "quarantine")


def _through_the_cli(store: Store, tmp_path: Path) -> None:
    claims = [Claim.model_validate(data) for data in _claims()]
    book = load_rule_book(REPO_ROOT / "payer_configs")
    outcome = build_837p_file(
        claims, PARTNERS, store, tmp_path / "claims.json.x12", skip_held=True, book=book
    )
    assert outcome.built is not None


def _through_the_daemon(store: Store, tmp_path: Path) -> None:
    write_pending(tmp_path / "outbound", _claims(), per_file=1000)
    # Work locks are advisory locks of the whole PostgreSQL database, shared with every other
    # test run on it: a clearinghouse name of its own keeps another run's build lock out.
    daemon = make_daemon(
        store, tmp_path, {DAEMON_CLEARINGHOUSE: local_profile(tmp_path, DAEMON_CLEARINGHOUSE)}
    )
    daemon.start()
    try:
        cycles.intake_cycle(daemon.ctx)
        cycles.outbound_cycle(daemon.ctx, send=False)
    finally:
        daemon.close()


@dataclass(frozen=True)
class Records:
    claims: dict[str, tuple[str, str | None, str | None]]  # PCN -> status, hold kind, REF*G1
    events: dict[str, list[tuple[str, str | None]]]  # PCN -> (kind, status) in order
    batches: list[tuple[int, list[str]]]  # claim count, PCNs
    batch_states: list[tuple[str, str]]  # status, clearinghouse (where the paths differ on purpose)
    units: list[tuple[str, int, Decimal, Decimal | None]]  # request, service line, consumed, approved
    consumptions: list[tuple[str, int, Decimal]]  # PCN, claim line, units
    documentation: dict[str, tuple[int, int, list[str], bool]]  # PCN -> present, required, missing, pack set


def _records(store: Store) -> Records:
    with store.session() as session:
        rows = session.scalars(select(ClaimRow).order_by(ClaimRow.id)).all()
        pcn_of = {row.id: row.patient_control_number for row in rows}
        claims = {
            row.patient_control_number: (
                row.status.value,
                row.hold_kind.value if row.hold_kind else None,
                Claim.model_validate_json(row.payload).prior_authorization,
            )
            for row in rows
        }
        events: dict[str, list[tuple[str, str | None]]] = {}
        for event in session.scalars(
            select(EventRow).where(EventRow.claim_id.is_not(None)).order_by(EventRow.id)
        ):
            assert event.claim_id is not None
            events.setdefault(pcn_of[event.claim_id], []).append((event.kind, event.status))
        batches, batch_states = [], []
        for batch in session.scalars(select(BatchRow).order_by(BatchRow.id)):
            ids = session.scalars(select(FileClaimRow.claim_id).where(FileClaimRow.file_id == batch.file_id))
            batches.append((batch.claim_count, sorted(pcn_of[claim_id] for claim_id in ids)))
            batch_states.append((batch.status, batch.clearinghouse))
        units = [
            (request_id, service.line_number, service.units_consumed, service.units_approved)
            for request_id, service in session.execute(
                select(AuthRow.request_id, AuthServiceRow)
                .join(AuthServiceRow.auth)
                .order_by(AuthServiceRow.id)
            ).tuples()
        ]
        consumptions = [
            (c.patient_control_number, c.line_number, c.units)
            for c in session.scalars(select(AuthConsumptionRow).order_by(AuthConsumptionRow.id))
        ]
        documentation = {
            record.subject_id: (
                record.present,
                record.required,
                json.loads(record.missing),
                bool(record.pack_version),
            )
            for record in session.scalars(select(DocumentationRecordRow).order_by(DocumentationRecordRow.id))
        }
    return Records(claims, events, batches, batch_states, units, consumptions, documentation)


BUILT = ["ESI2026092203", "ESI2026091602", "ESI2026091501", "MBB2026061004", "RFA2026072005", "RFA2026080306",
         "SCS2026090310", "SIJ2026091408", "SIJ2026090807", "TPI2026082409", "HELDWISER1"]  # fmt: skip
HELD_BY_RULES = ["HELDIL0001", "HELDESI005", "HELDRFA001", "HELDSCS001"]
REF_G1 = {"ESI2026092203": "AUTH7781205", "ESI2026091602": "AZ26WSR0091602", "ESI2026091501": "AZ26WSR0091501",
          "RFA2026080306": "AUTH7790021", "SCS2026090310": "AUTH7801187", "HELDWISER1": "CERT7100"}  # fmt: skip
DOCUMENTED = {"ESI2026092203": (0, 0), "ESI2026091602": (15, 15), "ESI2026091501": (15, 15), "MBB2026061004": (13, 13),
              "RFA2026072005": (17, 17), "RFA2026080306": (0, 0), "SCS2026090310": (0, 0), "SIJ2026091408": (14, 14),
              "SIJ2026090807": (14, 14), "TPI2026082409": (8, 8), "HELDIL0001": (7, 15), "HELDESI005": (10, 19),
              "HELDWISER1": (7, 15), "HELDRFA001": (9, 17), "HELDSCS001": (5, 13)}  # fmt: skip
PROCEDURE_NOTE = ["procedure_note", "procedure_site", "procedure_levels", "procedure_laterality", "procedure_approach",
                  "procedure_medications", "procedure_imaging", "procedure_contrast"]  # fmt: skip
RESTING = {
    "cli": [("built", "")],
    "daemon": [("spooled", DAEMON_CLEARINGHOUSE)],
}  # an operator's batch is never sent


@pytest.mark.parametrize("path", ["cli", "daemon"])
def test_the_cli_and_the_daemon_leave_the_same_claims_batches_events_units_and_documentation(
    path: str, any_store: Store, tmp_path: Path
) -> None:
    _approve_wiser(any_store, tmp_path)
    (_through_the_cli if path == "cli" else _through_the_daemon)(any_store, tmp_path)
    records = _records(any_store)
    assert records.claims == {
        **{pcn: ("built", None, REF_G1.get(pcn)) for pcn in BUILT},
        **{pcn: ("held", "rules", None) for pcn in HELD_BY_RULES},
    }
    built = [("claim.received", "received"), ("claim.queued", "queued"), ("claim.built", "built")]
    held = [("claim.received", "received"), ("claim.held", "held")]
    assert records.events == {**{pcn: built for pcn in BUILT}, **{pcn: held for pcn in HELD_BY_RULES}}
    assert records.batches == [(11, sorted(BUILT))]
    assert records.batch_states == RESTING[path]
    # The WISeR claim took the one unit its approval certified, once, when it went into the batch.
    assert records.units == [("PA-TEST-0001", 1, Decimal("1.000"), Decimal("1.000"))]
    assert records.consumptions == [("HELDWISER1", 1, Decimal("1.000"))]
    assert {
        pcn: (present, required) for pcn, (present, required, _, _) in records.documentation.items()
    } == DOCUMENTED
    assert records.documentation["HELDIL0001"][2] == PROCEDURE_NOTE
    assert all(pack for *_, pack in records.documentation.values())
