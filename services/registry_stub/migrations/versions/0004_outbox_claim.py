"""The outbox relay's claim on a row it is publishing (architecture §3).

Revision ID: 0004
Revises: 0003
"""

from shared.models import add_outbox_claim, drop_outbox_claim

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_claim()


def downgrade() -> None:
    drop_outbox_claim()
