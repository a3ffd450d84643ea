"""The intake of applications at the Center (§19 Processes 2–6, §13, §16): each intake with its consent, the
registries' answers, the checklist and what was presented, the refusal or the signed application and its
receipt, the application's way on (its statuses, one row each); the branches' journal (Annex 1 step 1) and
its counters; the results received for issuance.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "center_result",
        sa.Column("application_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("intake_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signed", sa.JSON(), nullable=False),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id"),
    )
    with op.batch_alter_table("center_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_center_result_intake_id"), ["intake_id"], unique=False)

    op.create_table(
        "intake",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("application_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("recipient_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("recipient", sa.JSON(), nullable=True),
        sa.Column("representative", sa.JSON(), nullable=True),
        sa.Column("declared", sa.JSON(), nullable=False),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=True),
        sa.Column("presented", sa.JSON(), nullable=False),
        sa.Column("scans", sa.JSON(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("refusal_draft", sa.JSON(), nullable=True),
        sa.Column("refusal_signed", sa.JSON(), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("application_draft", sa.JSON(), nullable=True),
        sa.Column("application_signed", sa.JSON(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("result_ready_on", sa.Date(), nullable=True),
        sa.Column("acceptance_s", sa.Integer(), nullable=True),
        sa.Column("acceptance_within_limit", sa.Boolean(), nullable=True),
        sa.Column("journal_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("receipt_draft", sa.JSON(), nullable=True),
        sa.Column("receipt_signed", sa.JSON(), nullable=True),
        sa.Column("active_for", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_error", sa.JSON(), nullable=True),
        sa.Column("case_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("active_for"),
        sa.UniqueConstraint("application_id"),
    )
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_branch"), ["branch"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_recipient_iin"), ["recipient_iin"], unique=False)

    op.create_table(
        "intake_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_event_intake_id"), ["intake_id"], unique=False)

    op.create_table(
        "journal_counter",
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("branch", "year"),
    )
    op.create_table(
        "journal_entry",
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("intake_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("application_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("recipient_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("branch", "year", "sequence", name="uq_journal_entry_sequence"),
    )
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_entry_intake_id"), ["intake_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_entry_intake_id"))

    op.drop_table("journal_entry")
    op.drop_table("journal_counter")
    with op.batch_alter_table("intake_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_event_intake_id"))

    op.drop_table("intake_event")
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_recipient_iin"))
        batch_op.drop_index(batch_op.f("ix_intake_branch"))

    op.drop_table("intake")
    with op.batch_alter_table("center_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_center_result_intake_id"))

    op.drop_table("center_result")
