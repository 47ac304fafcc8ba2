"""claims.hold_kind: why a claim is held, as a type (gateway.domain.status.HoldKind)

Until now the kind of a hold lived only in the reason text, and code decided by searching it
(an approval requeued claims whose reason mentioned prior authorization; an operator's hold was
recognised by its "held by " prefix).  This converts the stored data once, from the texts the
earlier releases wrote, and writes the kind into each ``claim.held`` event's detail; from here on
the kind is set where the claim is held (gateway.store.repository.hold_claim) and nothing reads
the text to decide.

Revision ID: 0007_claim_hold_kind
Revises: 0006_claim_links
Create Date: 2026-12-03 09:50:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision: str = "0007_claim_hold_kind"
down_revision: str | None = "0006_claim_links"
branch_labels: str | None = None
depends_on: str | None = None

# The reason texts earlier releases wrote, in the order their writers could overlap.
_UNSENT_BATCH = "an earlier version of this claim is in a batch that has not been sent yet"
_GATE = "the 837P for this claim fails the pyx12 gate"
_ROUTING = "no clearinghouse in the config takes payer id"


def _kind_of(reason: str) -> str:
    if reason.startswith("held by ") or (reason.startswith("batch ") and " cancelled by " in reason):
        return "operator"
    if reason.startswith(_UNSENT_BATCH):
        return "unsent_batch"
    if reason.startswith(_GATE):
        return "gate"
    lines = [line for line in reason.splitlines() if line.strip()]
    if lines and all(_ROUTING in line for line in lines):
        return "routing"
    if "prior_auth" in reason or "prior authorization" in reason:
        return "auth"
    return "rules"


def _event_kind(detail: dict[str, object]) -> str:
    if "gate_problems" in detail:
        return "gate"
    if "file" in detail:
        return "unsent_batch"
    if detail.get("auth"):
        return "auth"
    return "rules"


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_kind", sa.String(length=20), nullable=True))
    connection = op.get_bind()
    claims = sa.table(
        "claims", sa.column("id", sa.Integer), sa.column("status", sa.String), sa.column("status_reason", sa.Text),
        sa.column("hold_kind", sa.String),
    )  # fmt: skip
    held = connection.execute(sa.select(claims.c.id, claims.c.status_reason).where(claims.c.status == "held"))
    for claim_id, reason in held.all():
        connection.execute(
            claims.update().where(claims.c.id == claim_id).values(hold_kind=_kind_of(reason or ""))
        )
    events = sa.table(
        "events", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("detail", sa.Text)
    )
    rows = connection.execute(sa.select(events.c.id, events.c.detail).where(events.c.kind == "claim.held"))
    for event_id, text in rows.all():
        detail = json.loads(text) if text else {}
        if not isinstance(detail, dict) or "hold" in detail:
            continue
        detail["hold"] = _event_kind(detail)
        connection.execute(
            events.update().where(events.c.id == event_id).values(detail=json.dumps(detail, sort_keys=True))
        )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("hold_kind")
