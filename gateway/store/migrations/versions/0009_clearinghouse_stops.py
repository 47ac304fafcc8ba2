"""clearinghouse_contacts: a permanent transport stop (when, why) that survives a restart

Revision ID: 0009_clearinghouse_stops
Revises: 0008_console
Create Date: 2026-12-03 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009_clearinghouse_stops"
down_revision: str | None = "0008_console"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("clearinghouse_contacts") as table:
        table.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("stop_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clearinghouse_contacts") as table:
        table.drop_column("stop_reason")
        table.drop_column("stopped_at")
