"""Identity proof: when and how an account was bound to its person (an EDS login or a one-time SMS code
to the number in the mobile-citizens database), and the one-time codes. Accounts an EDS login made are
proven by that login; password accounts made before stay unproven until their person proves.

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
    with op.batch_alter_table("portal_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity_proven_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("proven_by", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    op.execute(
        sa.text("UPDATE portal_account SET identity_proven_at = created_at, proven_by = 'eds' WHERE created_by = 'eds'")
    )

    op.create_table(
        "portal_sms_code",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portal_sms_code", schema=None) as batch_op:
        batch_op.create_index("ix_portal_sms_code_sent_at", ["sent_at"], unique=False)
        batch_op.create_index("ux_portal_sms_code_iin_slot", ["iin", "slot"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("portal_sms_code", schema=None) as batch_op:
        batch_op.drop_index("ux_portal_sms_code_iin_slot")
        batch_op.drop_index("ix_portal_sms_code_sent_at")
    op.drop_table("portal_sms_code")

    with op.batch_alter_table("portal_account", schema=None) as batch_op:
        batch_op.drop_column("proven_by")
        batch_op.drop_column("identity_proven_at")
