"""auth_consumptions.claim_id: which claim row took the units, so they can be given back

Units are now taken in the transaction that puts a claim into its batch (daemon and
``gateway build 837p`` alike) and given back when that batch is cancelled or the gate holds the
claim; both need the claim row, not only its PCN (a PCN repeats across versions and NPIs).
Rows recorded before this revision keep claim_id NULL: they were taken by claims that were
already built, and are never given back automatically.

Revision ID: 0013_auth_consumption_claim
Revises: 0012_payment_keys
Create Date: 2026-12-03 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013_auth_consumption_claim"
down_revision: str | None = "0012_payment_keys"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_consumptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_auth_consumptions_claim_id"), ["claim_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_auth_consumptions_claim_id_claims"),
            "claims",
            ["claim_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_consumptions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_auth_consumptions_claim_id_claims"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_auth_consumptions_claim_id"))
        batch_op.drop_column("claim_id")
