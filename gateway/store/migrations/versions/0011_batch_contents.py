"""batch_contents: a built file's bytes stored with its batch (the database is the shared spool)

Revision ID: 0011_batch_contents
Revises: 0010_code_sets
Create Date: 2026-12-03 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011_batch_contents"
down_revision: str | None = "0010_code_sets"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "batch_contents",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("batch_id"),
    )


def downgrade() -> None:
    op.drop_table("batch_contents")
