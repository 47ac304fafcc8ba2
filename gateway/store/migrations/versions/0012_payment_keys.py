"""inbound ledger: ledger_payment_keys (835 claim payments recorded, by meaning)

Revision ID: 0012_payment_keys
Revises: 0011_batch_contents
Create Date: 2026-12-03 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012_payment_keys"
down_revision: str | None = "0011_batch_contents"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_payment_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("transaction_key", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["x12_files.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("ledger_payment_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_payment_keys_file_id"), ["file_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_payment_keys_transaction_key"), ["transaction_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_payment_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_payment_keys_transaction_key"))
        batch_op.drop_index(batch_op.f("ix_ledger_payment_keys_file_id"))
    op.drop_table("ledger_payment_keys")
