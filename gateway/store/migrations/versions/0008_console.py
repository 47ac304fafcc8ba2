"""console: console_users, console_sessions, audit_events; two indexes on claims for its lists

Revision ID: 0008_console
Revises: 0007_claim_hold_kind
Create Date: 2026-12-03 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_console"
down_revision: str | None = "0007_claim_hold_kind"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flash", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["console_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_sha256"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"])
    op.create_index("ix_audit_events_claim_id", "audit_events", ["claim_id"])
    # The console on 100,000 claims.  SQLite keeps the columns after ``payload`` (a few KB of JSON)
    # on overflow pages, so a query that reads updated_at, created_at or hold_kind of many rows
    # walks them all; these indexes answer such queries on their own.
    op.create_index("ix_claims_payer_id", "claims", ["payer_id"])
    op.create_index("ix_claims_first_service_date", "claims", ["first_service_date"])
    op.create_index("ix_claims_status_updated_at", "claims", ["status", "updated_at"])
    op.create_index("ix_claims_status_created_at", "claims", ["status", "created_at"])
    op.create_index("ix_claims_status_hold_kind", "claims", ["status", "hold_kind"])


def downgrade() -> None:
    for index in (
        "status_hold_kind",
        "status_created_at",
        "status_updated_at",
        "first_service_date",
        "payer_id",
    ):
        op.drop_index(f"ix_claims_{index}", "claims")
    op.drop_table("audit_events")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
