"""What the Public Service Center hands the department on the bus (``handover.<district>``): its registers of
originals (Annex 1 step 2) and of unclaimed results (Annex 4), and its late recalls (§14 item 1), each kept as
it came signed, with the staff member's draft and signed acknowledgment.

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


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "center_handover",
        sa.Column("id", _text(36), nullable=False),
        sa.Column("kind", _text(16), nullable=False),
        sa.Column("district", _text(32), nullable=False),
        sa.Column("branch", _text(200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("application_ids", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("state", _text(16), nullable=False),
        sa.Column("draft_ack", sa.JSON(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", _text(64), nullable=True),
        sa.Column("signed_ack", sa.JSON(), nullable=True),
        sa.Column("returned_in_time", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_center_handover_district_received", "center_handover", ["district", "received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_center_handover_district_received", table_name="center_handover")
    op.drop_table("center_handover")
