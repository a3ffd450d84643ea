"""The test certification authority (architecture §5): its own keys and certificates, the certificates
it has issued (with their revocations), and its CRLs.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nca_ca",
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("certificate_pem", sa.Text, nullable=False),
        sa.Column("private_key_pem", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "nca_certificate",
        sa.Column("serial", sa.String(40), primary_key=True),
        sa.Column("iin", sa.String(12), nullable=False),
        sa.Column("bin", sa.String(12), nullable=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("profile", sa.String(8), nullable=False),
        sa.Column("holder", sa.String(16), nullable=False),
        sa.Column("key_type", sa.String(16), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("certificate_der", sa.LargeBinary, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_nca_certificate_iin", "nca_certificate", ["iin"])
    op.create_index("ix_nca_certificate_revoked_at", "nca_certificate", ["revoked_at"])
    op.create_table(
        "nca_crl",
        sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("this_update", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_update", sa.DateTime(timezone=True), nullable=False),
        sa.Column("crl_der", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("nca_crl")
    op.drop_index("ix_nca_certificate_revoked_at", table_name="nca_certificate")
    op.drop_index("ix_nca_certificate_iin", table_name="nca_certificate")
    op.drop_table("nca_certificate")
    op.drop_table("nca_ca")
