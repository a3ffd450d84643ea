"""What the Center hands the provider and the provider's answers (Annex 1 step 2, §14 item 1, Annex 4): the
registers of originals, which applications went with which, the provider's acceptance of each register, the
recall request as sent and the provider's answer returning the result.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "originals_register",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("slot_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("intake_ids", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("signed", sa.JSON(), nullable=True),
        sa.Column("formed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drafted_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("ack", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("originals_register", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_originals_register_branch"), ["branch"], unique=False)
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("originals_register_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_intake_originals_register_id"), ["originals_register_id"], unique=False)
    with op.batch_alter_table("unclaimed_register", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("accepted_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column("ack", sa.JSON(), nullable=True))
    with op.batch_alter_table("result_recall", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("ack", sa.JSON(), nullable=True))
        batch_op.alter_column(
            "returned_by",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            type_=sqlmodel.sql.sqltypes.AutoString(length=200),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("result_recall", schema=None) as batch_op:
        batch_op.alter_column(
            "returned_by",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
            type_=sqlmodel.sql.sqltypes.AutoString(length=64),
            existing_nullable=True,
        )
        batch_op.drop_column("ack")
        batch_op.drop_column("request")
    with op.batch_alter_table("unclaimed_register", schema=None) as batch_op:
        batch_op.drop_column("ack")
        batch_op.drop_column("accepted_by")
        batch_op.drop_column("accepted_at")
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_originals_register_id"))
        batch_op.drop_column("originals_register_id")
    with op.batch_alter_table("originals_register", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_originals_register_branch"))
    op.drop_table("originals_register")
