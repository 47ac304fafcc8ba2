"""clearinghouse_contacts: a streak of temporary failures (count, since, next attempt, kind, alert)

The daemon backs off from a clearinghouse that keeps failing (gateway.transport.backoff); the
streak is kept here so a restart, a cron ``gateway run --once`` or a second daemon on the same
PostgreSQL database waits too, and the unreachable alert is raised once, not per process.

Revision ID: 0014_contact_backoff
Revises: 0013_auth_consumption_claim
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014_contact_backoff"
down_revision: str | None = "0013_auth_consumption_claim"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("clearinghouse_contacts") as table:
        table.add_column(sa.Column("contact_failures", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("failure_kind", sa.String(length=40), nullable=True))
        table.add_column(sa.Column("unreachable_alert_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clearinghouse_contacts") as table:
        table.drop_column("unreachable_alert_at")
        table.drop_column("failure_kind")
        table.drop_column("next_attempt_at")
        table.drop_column("failing_since")
        table.drop_column("contact_failures")
