"""The address register by host: an index on ``reg_residence.host_iin``, since the ``addresses`` answer now
carries ``hosted``, the registrations a person made as host (whom they registered in their home, §15
item 5), looked up by the host's IIN.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reg_residence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_residence_host_iin"), ["host_iin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reg_residence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_residence_host_iin"))
