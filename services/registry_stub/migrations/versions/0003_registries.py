"""The state registries (§14): individuals, family links, civil status, real
estate (dwellings and ownership), addresses, social status, employment, powers of attorney, court
decisions; the personas index, the query log and the population's provenance.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reg_civil_event",
        sa.Column("record_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("office", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.PrimaryKeyConstraint("record_no"),
    )
    op.create_table(
        "reg_civil_party",
        sa.Column("record_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.PrimaryKeyConstraint("record_no", "role", "iin"),
    )
    with op.batch_alter_table("reg_civil_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_civil_party_iin"), ["iin"], unique=False)

    op.create_table(
        "reg_court_decision",
        sa.Column("case_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("court", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("family_member_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.PrimaryKeyConstraint("case_no"),
    )
    with op.batch_alter_table("reg_court_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_court_decision_iin"), ["iin"], unique=False)

    op.create_table(
        "reg_dwelling",
        sa.Column("cadastral_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("locality", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("state_fund", sa.Boolean(), nullable=False),
        sa.Column("emergency_finding_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("emergency_found_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("cadastral_no"),
    )
    op.create_table(
        "reg_employment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("employer_bin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("employer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reg_employment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_employment_iin"), ["iin"], unique=False)

    op.create_table(
        "reg_family_link",
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("relative_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("iin", "relative_iin"),
    )
    op.create_table(
        "reg_ownership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dwelling", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("share", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("acquired_on", sa.Date(), nullable=False),
        sa.Column("acquired_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("preferential_credit", sa.Boolean(), nullable=False),
        sa.Column("disposed_on", sa.Date(), nullable=True),
        sa.Column("disposed_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("counterparty", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reg_ownership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_ownership_dwelling"), ["dwelling"], unique=False)
        batch_op.create_index(batch_op.f("ix_reg_ownership_iin"), ["iin"], unique=False)

    op.create_table(
        "reg_person",
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("surname", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("given_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("patronymic", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("citizenship", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("iin"),
    )
    op.create_table(
        "reg_persona_trait",
        sa.Column("trait", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.PrimaryKeyConstraint("trait", "iin"),
    )
    op.create_table(
        "reg_population",
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seed"),
    )
    op.create_table(
        "reg_power_of_attorney",
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("principal_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("attorney_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("covers_service", sa.Boolean(), nullable=False),
        sa.Column("notarised", sa.Boolean(), nullable=False),
        sa.Column("notary", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("number"),
    )
    with op.batch_alter_table("reg_power_of_attorney", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_power_of_attorney_attorney_iin"), ["attorney_iin"], unique=False)
        batch_op.create_index(batch_op.f("ix_reg_power_of_attorney_principal_iin"), ["principal_iin"], unique=False)

    op.create_table(
        "reg_query_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("query", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("requester", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("application", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("consent", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reg_query_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_query_log_subject"), ["subject"], unique=False)

    op.create_table(
        "reg_residence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("locality", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("registered_from", sa.Date(), nullable=False),
        sa.Column("registered_to", sa.Date(), nullable=True),
        sa.Column("dwelling", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("host_iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("left_voluntarily", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reg_residence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_residence_dwelling"), ["dwelling"], unique=False)
        batch_op.create_index(batch_op.f("ix_reg_residence_iin"), ["iin"], unique=False)

    op.create_table(
        "reg_social_status",
        sa.Column("document_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("iin", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("group", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("monthly_income_per_member", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("document_no"),
    )
    with op.batch_alter_table("reg_social_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_social_status_iin"), ["iin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reg_social_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_social_status_iin"))

    op.drop_table("reg_social_status")
    with op.batch_alter_table("reg_residence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_residence_iin"))
        batch_op.drop_index(batch_op.f("ix_reg_residence_dwelling"))

    op.drop_table("reg_residence")
    with op.batch_alter_table("reg_query_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_query_log_subject"))

    op.drop_table("reg_query_log")
    with op.batch_alter_table("reg_power_of_attorney", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_power_of_attorney_principal_iin"))
        batch_op.drop_index(batch_op.f("ix_reg_power_of_attorney_attorney_iin"))

    op.drop_table("reg_power_of_attorney")
    op.drop_table("reg_population")
    op.drop_table("reg_persona_trait")
    op.drop_table("reg_person")
    with op.batch_alter_table("reg_ownership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_ownership_iin"))
        batch_op.drop_index(batch_op.f("ix_reg_ownership_dwelling"))

    op.drop_table("reg_ownership")
    op.drop_table("reg_family_link")
    with op.batch_alter_table("reg_employment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_employment_iin"))

    op.drop_table("reg_employment")
    op.drop_table("reg_dwelling")
    with op.batch_alter_table("reg_court_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_court_decision_iin"))

    op.drop_table("reg_court_decision")
    with op.batch_alter_table("reg_civil_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_civil_party_iin"))

    op.drop_table("reg_civil_party")
    op.drop_table("reg_civil_event")
