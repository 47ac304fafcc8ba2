"""packet: documentation_records (completeness score and packet control number per claim/auth)

Revision ID: 0005_documentation
Revises: 0004_batches
Create Date: 2026-11-28 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_documentation"
down_revision: str | None = "0004_batches"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "documentation_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=5), nullable=False),
        sa.Column("subject_id", sa.String(length=50), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("auth_id", sa.Integer(), nullable=True),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("pack_version", sa.String(length=80), nullable=True),
        sa.Column("packet_control_number", sa.String(length=50), nullable=True),
        sa.Column("packet_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["auth_id"], ["auths.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("documentation_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_documentation_records_packet_control_number"),
            ["packet_control_number"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_documentation_records_subject_id"), ["subject_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documentation_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentation_records_subject_id"))
        batch_op.drop_index(batch_op.f("ix_documentation_records_packet_control_number"))
    op.drop_table("documentation_records")
