"""post-835: claim_links (replacement, void, secondary), followup_cursors

Revision ID: 0006_claim_links
Revises: 0005_documentation
Create Date: 2026-12-03 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_claim_links"
down_revision: str | None = "0005_documentation"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "claim_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_claim_id", sa.Integer(), nullable=False),
        sa.Column("to_claim_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["from_claim_id"], ["claims.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_claim_id"], ["claims.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("from_claim_id", "kind"),
    )
    with op.batch_alter_table("claim_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_links_from_claim_id"), ["from_claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_links_to_claim_id"), ["to_claim_id"], unique=False)
    op.create_table(
        "followup_cursors",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("followup_cursors")
    with op.batch_alter_table("claim_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_links_to_claim_id"))
        batch_op.drop_index(batch_op.f("ix_claim_links_from_claim_id"))
    op.drop_table("claim_links")
