"""inbound ledger: ledger_claim_refs (claim-level inbound events by patient control number)

Revision ID: 0003_ledger
Revises: 0002_auths
Create Date: 2026-11-28 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_ledger"
down_revision: str | None = "0002_auths"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_claim_refs",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("payer_claim_control_number", sa.String(length=50), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("ledger_claim_refs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_claim_refs_patient_control_number"),
            ["patient_control_number"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_claim_refs_payer_claim_control_number"),
            ["payer_claim_control_number"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_ledger_claim_refs_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_claim_refs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_claim_refs_source"))
        batch_op.drop_index(batch_op.f("ix_ledger_claim_refs_payer_claim_control_number"))
        batch_op.drop_index(batch_op.f("ix_ledger_claim_refs_patient_control_number"))
    op.drop_table("ledger_claim_refs")
