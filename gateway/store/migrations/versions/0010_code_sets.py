"""code sets: imported ICD-10-CM releases, NCCI PTP edits and MUE values by quarter

Revision ID: 0010_code_sets
Revises: 0009_clearinghouse_stops
Create Date: 2026-12-03 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010_code_sets"
down_revision: str | None = "0009_clearinghouse_stops"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "code_set_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "name"),
    )
    op.create_table(
        "ncci_ptp_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("column1", sa.String(length=5), nullable=False),
        sa.Column("column2", sa.String(length=5), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("deletion", sa.Date(), nullable=True),
        sa.Column("modifier_indicator", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["code_set_releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ncci_ptp_edits_release_column1", "ncci_ptp_edits", ["release_id", "column1"])
    op.create_table(
        "ncci_mue_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("mue_value", sa.Integer(), nullable=False),
        sa.Column("mai", sa.Integer(), nullable=False),
        sa.Column("mai_text", sa.String(length=80), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["code_set_releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ncci_mue_values_release_code", "ncci_mue_values", ["release_id", "code"])


def downgrade() -> None:
    op.drop_index("ix_ncci_mue_values_release_code", table_name="ncci_mue_values")
    op.drop_table("ncci_mue_values")
    op.drop_index("ix_ncci_ptp_edits_release_column1", table_name="ncci_ptp_edits")
    op.drop_table("ncci_ptp_edits")
    op.drop_table("code_set_releases")
