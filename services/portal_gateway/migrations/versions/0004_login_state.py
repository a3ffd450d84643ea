"""The login lockout's state on the account (shared.lockout: failures, the first failure's time,
locked until), in place of the table of failed logins.

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


def upgrade() -> None:
    with op.batch_alter_table("portal_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("portal_login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_login_failure_iin_at")

    op.drop_table("portal_login_failure")


def downgrade() -> None:
    op.create_table(
        "portal_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portal_login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_portal_login_failure_iin_at", ["iin", "at"], unique=False)

    with op.batch_alter_table("portal_account", schema=None) as batch_op:
        batch_op.drop_column("first_failure_at")
        batch_op.drop_column("failures")
