"""The mobile-citizens database (база мобильных граждан): a person's mobile number by IIN. Its rows are
filled by the population loader from the population's seed at the next start (a migration does not
know the seed), also in a database populated before this table existed.

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
    op.create_table(
        "reg_mobile_phone",
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("iin"),
    )
    with op.batch_alter_table("reg_mobile_phone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_mobile_phone_phone"), ["phone"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reg_mobile_phone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_mobile_phone_phone"))
    op.drop_table("reg_mobile_phone")
    op.execute(sa.text("DELETE FROM reg_persona_trait WHERE trait = 'mobile:none'"))
