from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text

from gateway.domain.status import HoldKind
from gateway.store.db import Store, alembic_config
from gateway.store.intake_ops import IN_UNSENT_BATCH
from gateway.store.models import Base
from gateway.store.schema import ClaimRow, EventRow


def test_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_migrated_schema_matches_the_models(any_store: Store) -> None:
    with any_store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_opening_twice_is_idempotent(sqlite_store: Store) -> None:
    url = sqlite_store.engine.url.render_as_string(hide_password=False)
    with sqlite_store.engine.connect() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    with Store.open(url) as again, again.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    assert head == ScriptDirectory.from_config(alembic_config(url)).get_current_head()


_HELD_BEFORE_0006 = {
    "OP1": ("held by operator:ann: chart missing", "operator"),
    "OP2": ("batch 7 cancelled by operator:bo: duplicate", "operator"),
    "UNSENT": (IN_UNSENT_BATCH, "unsent_batch"),
    "GATE": ("the 837P for this claim fails the pyx12 gate: CLM02 differs", "gate"),
    "ROUTE": ("no clearinghouse in the config takes payer id 12345", "routing"),
    "AUTH": ("wiser.esi_prior_auth [WISeR; verified]: prior authorization missing Fix: request it", "auth"),
    "RULES": ("esi.il_bilateral [L39015 v16; verified]: bilateral interlaminar Fix: one side", "rules"),
}


def test_0007_converts_the_stored_hold_reasons_into_hold_kinds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0006_claim_links")
    engine = create_engine(url)
    with engine.begin() as connection:
        for number, (pcn, (reason, _)) in enumerate(_HELD_BEFORE_0006.items(), start=1):
            connection.execute(
                text(
                    "INSERT INTO claims (id, patient_control_number, payer_id, billing_npi, patient_key, "
                    "first_service_date, total_charge, frequency_code, status, status_reason, payload, "
                    "created_at, updated_at) VALUES (:id, :pcn, 'P', '1234567893', 'k', '2026-01-05', 10, "
                    "'1', 'held', :reason, '{}', '2026-01-05', '2026-01-05')"
                ),
                {"id": number, "pcn": pcn, "reason": reason},
            )
        connection.execute(
            text("INSERT INTO events (claim_id, kind, status, detail, actor, at) VALUES "
                 "(4, 'claim.held', 'held', :gate, 'daemon', '2026-01-05'), "
                 "(3, 'claim.held', 'held', :file, 'daemon', '2026-01-05')"),
            {"gate": json.dumps({"gate_problems": 2}), "file": json.dumps({"file": "a.json"})},
        )  # fmt: skip
    engine.dispose()
    with Store.open(url) as store, store.session() as session:
        kinds = dict(session.execute(select(ClaimRow.patient_control_number, ClaimRow.hold_kind)).all())
        details = [
            json.loads(d or "{}") for d in session.scalars(select(EventRow.detail).order_by(EventRow.id))
        ]
    assert kinds == {pcn: HoldKind(kind) for pcn, (_, kind) in _HELD_BEFORE_0006.items()}
    assert details == [{"gate_problems": 2, "hold": "gate"}, {"file": "a.json", "hold": "unsent_batch"}]
