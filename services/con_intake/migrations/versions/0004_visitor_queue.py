"""The visitor queue of each branch (§12 item 3): its tickets, one called ticket per window at a time,
and the last sequence given out per branch, day and service.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERVING = sa.text("status = 'called'")


def upgrade() -> None:
    op.create_table(
        "queue_ticket",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("called_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("over_limit", sa.Boolean(), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("branch", "day", "service", "sequence", name="uq_queue_ticket_sequence"),
    )
    with op.batch_alter_table("queue_ticket", schema=None) as batch_op:
        batch_op.create_index("ix_queue_ticket_branch_day_status", ["branch", "day", "status"], unique=False)
        batch_op.create_index(
            "uq_queue_ticket_window_serving",
            ["branch", "day", "window"],
            unique=True,
            sqlite_where=_SERVING,
            postgresql_where=_SERVING,
        )

    op.create_table(
        "ticket_counter",
        sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("branch", "day", "service"),
    )


def downgrade() -> None:
    op.drop_table("ticket_counter")
    with op.batch_alter_table("queue_ticket", schema=None) as batch_op:
        batch_op.drop_index("uq_queue_ticket_window_serving", sqlite_where=_SERVING, postgresql_where=_SERVING)
        batch_op.drop_index("ix_queue_ticket_branch_day_status")

    op.drop_table("queue_ticket")
