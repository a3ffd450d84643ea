"""The registration of the outgoing result (§18 Process 8): the gateway registers the provider's result
under a number of its own (the same numbering as incoming documents) and stamps it; the application's
row keeps that registration and the relayed message's id.

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
    with op.batch_alter_table("gw_application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_document_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("result_registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("result_registered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("result_message_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
        batch_op.create_unique_constraint(
            "uq_gw_application_result_registration_number", ["result_registration_number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("gw_application", schema=None) as batch_op:
        batch_op.drop_constraint("uq_gw_application_result_registration_number", type_="unique")
        batch_op.drop_column("result_message_id")
        batch_op.drop_column("result_registered_at")
        batch_op.drop_column("result_registration_number")
        batch_op.drop_column("result_document_id")
