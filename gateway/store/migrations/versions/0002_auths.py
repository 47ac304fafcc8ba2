"""prior authorizations: auths, auth_services, auth_events, auth_consumptions

Revision ID: 0002_auths
Revises: 0001
Create Date: 2026-11-28 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_auths"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "auths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=50), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("patient_key", sa.String(length=64), nullable=False),
        sa.Column("requester_npi", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("certification_number", sa.String(length=50), nullable=True),
        sa.Column("decision_code", sa.String(length=2), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    with op.batch_alter_table("auths", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auths_patient_key"), ["patient_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_auths_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_auths_certification_number"), ["certification_number"], unique=False
        )
    op.create_table(
        "auth_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auth_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(length=11), nullable=False),
        sa.Column("units_requested", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("units_approved", sa.Numeric(precision=10, scale=3), nullable=True),
        sa.Column("units_consumed", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("decision_code", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(["auth_id"], ["auths.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("auth_id", "line_number"),
    )
    with op.batch_alter_table("auth_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_services_auth_id"), ["auth_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_services_procedure_code"), ["procedure_code"], unique=False)
    op.create_table(
        "auth_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auth_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["auth_id"], ["auths.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auth_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_events_auth_id"), ["auth_id"], unique=False)
    op.create_table(
        "auth_consumptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auth_service_id", sa.Integer(), nullable=False),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("units", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["auth_service_id"], ["auth_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("auth_service_id", "patient_control_number", "line_number"),
    )
    with op.batch_alter_table("auth_consumptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_consumptions_auth_service_id"), ["auth_service_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("auth_consumptions")
    op.drop_table("auth_events")
    op.drop_table("auth_services")
    op.drop_table("auths")
