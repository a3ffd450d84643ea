"""The outbox relay's claim on a row it is publishing (architecture §3).

Revision ID: 0003
Revises: 0002
"""

from shared.models import add_outbox_claim, drop_outbox_claim

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_claim()


def downgrade() -> None:
    drop_outbox_claim()
