"""The kernel's outbox and inbox (architecture §3).

Revision ID: 0001
Revises:
"""

from shared.models import create_kernel_tables, drop_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kernel_tables()


def downgrade() -> None:
    drop_kernel_tables()
