"""The regional gateway (§18 Process 6, architecture §3): applications with their registration and
delivery state, the per-day registration counter, the hash-chained message log and its head (one row,
made here: every append locks it), and dead letters.

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
        "gw_application",
        sa.Column("application_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("represented_party", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("inbound_message_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("document_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_message_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("delivery_state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("application_id"),
        sa.UniqueConstraint("registration_number"),
    )
    op.create_table(
        "gw_dead_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("routing_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("death_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gw_dead_letter", schema=None) as batch_op:
        batch_op.create_index("ix_gw_dead_letter_message_id", ["message_id"], unique=False)

    log_head = op.create_table(
        "gw_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(log_head, [{"id": 1, "seq": 0, "entry_hash": "0" * 64}])  # the chain's genesis
    op.create_table(
        "gw_message_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("application_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("document_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("gw_message_log", schema=None) as batch_op:
        batch_op.create_index("ix_gw_message_log_application_id", ["application_id"], unique=False)
        batch_op.create_index("ix_gw_message_log_message_id", ["message_id"], unique=False)

    op.create_table(
        "gw_registration_counter",
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("gw_registration_counter")
    with op.batch_alter_table("gw_message_log", schema=None) as batch_op:
        batch_op.drop_index("ix_gw_message_log_message_id")
        batch_op.drop_index("ix_gw_message_log_application_id")

    op.drop_table("gw_message_log")
    op.drop_table("gw_log_head")
    with op.batch_alter_table("gw_dead_letter", schema=None) as batch_op:
        batch_op.drop_index("ix_gw_dead_letter_message_id")

    op.drop_table("gw_dead_letter")
    op.drop_table("gw_application")
