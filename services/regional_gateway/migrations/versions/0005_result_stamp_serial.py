"""The certificate that stamped the relayed result: its serial, kept on the application's row, so that
the results stamped by a certificate revoked since are found without reading the message log (the
gateway re-stamps them: restamp.py). Rows from before keep NULL; their serial is read from the log.

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
    with op.batch_alter_table("gw_application", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("result_stamp_serial", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.create_index("ix_gw_application_result_stamp_serial", ["result_stamp_serial"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gw_application", schema=None) as batch_op:
        batch_op.drop_index("ix_gw_application_result_stamp_serial")
        batch_op.drop_column("result_stamp_serial")
