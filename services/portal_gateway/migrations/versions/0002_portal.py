"""The portal's own tables: citizens' accounts, failed logins (the lockout), EDS login challenges,
uploaded e-copies, and the applications with their status history (the personal cabinet).

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_account",
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("iin"),
    )
    op.create_table(
        "portal_application",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("active_for", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("signed", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_result_date", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("delivery_state", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        sa.Column("result_signed", sa.Text(), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portal_application", schema=None) as batch_op:
        batch_op.create_index("ix_portal_application_iin", ["iin", "submitted_at"], unique=False)
        batch_op.create_index("ux_portal_application_active_for", ["active_for"], unique=True)

    op.create_table(
        "portal_attachment",
        sa.Column("owner_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner_iin", "sha256"),
    )
    op.create_table(
        "portal_auth_challenge",
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce"),
    )
    op.create_table(
        "portal_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portal_login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_portal_login_failure_iin_at", ["iin", "at"], unique=False)

    op.create_table(
        "portal_application_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["portal_application.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portal_application_event", schema=None) as batch_op:
        batch_op.create_index("ix_portal_application_event_application", ["application_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("portal_application_event", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_application_event_application")

    op.drop_table("portal_application_event")
    with op.batch_alter_table("portal_login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_login_failure_iin_at")

    op.drop_table("portal_login_failure")
    op.drop_table("portal_auth_challenge")
    op.drop_table("portal_attachment")
    with op.batch_alter_table("portal_application", schema=None) as batch_op:
        batch_op.drop_index("ux_portal_application_active_for")
        batch_op.drop_index("ix_portal_application_iin")

    op.drop_table("portal_application")
    op.drop_table("portal_account")
