"""ledger_response_keys: 999/997 acknowledgments and 277CA/277 claim statuses by meaning

A clearinghouse that re-sends an acknowledgment or a claim status report in a new interchange
(new ISA13/GS06, same content) was recorded a second time; with this table the copy becomes a
``999.duplicate`` / ``277CA.duplicate`` event that changes nothing (gateway.store.ledger).
Answers recorded before this revision have no key, so their first re-sent copy is recorded
once more as before; copies after that are recognised.

Revision ID: 0015_response_keys
Revises: 0014_contact_backoff
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0015_response_keys"
down_revision: str | None = "0014_contact_backoff"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_response_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["x12_files.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("ledger_response_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_response_keys_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_response_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_response_keys_file_id"))
    op.drop_table("ledger_response_keys")
