"""The issuance window and unclaimed results (§17, §14 item 1, Annex 4): each result's custody and who took it
at the window, the Annex 4 registers of unclaimed results handed to the provider, and the late recalls.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("center_result", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "custody",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="AT_BRANCH",
            )
        )
        batch_op.add_column(sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("issued_to", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
        batch_op.add_column(sa.Column("presented_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("issue_journal_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("register_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
        batch_op.add_column(sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_center_result_register_id"), ["register_id"], unique=False)

    op.create_table(
        "unclaimed_register",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("application_ids", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("signed", sa.JSON(), nullable=True),
        sa.Column("formed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drafted_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unclaimed_register", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unclaimed_register_branch"), ["branch"], unique=False)

    op.create_table(
        "result_recall",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("application_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("register_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("visit_on", sa.Date(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("presented_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("presenter_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("ask_by", sa.Date(), nullable=False),
        sa.Column("return_by", sa.Date(), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("returned_in_time", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("result_recall", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_recall_application_id"), ["application_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("result_recall", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_recall_application_id"))
    op.drop_table("result_recall")
    with op.batch_alter_table("unclaimed_register", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unclaimed_register_branch"))
    op.drop_table("unclaimed_register")
    with op.batch_alter_table("center_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_center_result_register_id"))
        batch_op.drop_column("handed_at")
        batch_op.drop_column("register_id")
        batch_op.drop_column("issue_journal_number")
        batch_op.drop_column("presented_by")
        batch_op.drop_column("issued_to")
        batch_op.drop_column("issued_by")
        batch_op.drop_column("issued_at")
        batch_op.drop_column("custody")
