"""The staff accounts' login state under the names every account table uses (shared.lockout:
``failures``, ``first_failure_at``, ``locked_until``, as the portal's), in place of
``failed_logins`` and ``first_failed_at``.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.alter_column(
            "failed_logins",
            new_column_name="failures",
            existing_type=sa.Integer(),
            existing_nullable=False,
            server_default="0",
        )
        batch_op.alter_column(
            "first_failed_at",
            new_column_name="first_failure_at",
            existing_type=sa.DateTime(timezone=True),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.alter_column(
            "first_failure_at",
            new_column_name="first_failed_at",
            existing_type=sa.DateTime(timezone=True),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "failures",
            new_column_name="failed_logins",
            existing_type=sa.Integer(),
            existing_nullable=False,
            server_default=None,
            existing_server_default="0",
        )
