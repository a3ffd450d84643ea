"""Annex 1 steps 4–9: each case's step (and since when), its executor, §15's assessment, the proposal,
the commission's decision, the draft and the signed result, its list and queue number; every completed
step (`case_step`); the housing commission's meetings and their counter. Cases opened before wait at
step 4 (registered) or step 7 (Process 7: the refusal to draft), since they were opened.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("step_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("executor", _text(64), nullable=True))
        batch_op.add_column(sa.Column("assessment", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("proposal", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("meeting_id", _text(36), nullable=True))
        batch_op.add_column(sa.Column("decision", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("waiting_list", _text(16), nullable=True))
        batch_op.add_column(sa.Column("queue_number", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_step"), ["step"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_meeting_id"), ["meeting_id"], unique=False)
    op.execute("UPDATE cases SET step = 4, step_since = opened_at WHERE status = 'REGISTERED'")
    op.execute("UPDATE cases SET step = 7, step_since = opened_at WHERE status = 'REFUSED_DOCUMENTS'")
    op.execute("UPDATE cases SET step = 5, step_since = updated_at WHERE status = 'IN_REVIEW'")
    op.create_table(
        "case_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", _text(36), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("actor", _text(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("note", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_step_case_id"), "case_step", ["case_id"], unique=False)
    op.create_table(
        "commission_meeting",
        sa.Column("id", _text(36), nullable=False),
        sa.Column("number", _text(64), nullable=False),
        sa.Column("district", _text(32), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", _text(64), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("present", sa.JSON(), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("signed", sa.JSON(), nullable=True),
        sa.Column("signed_by", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(op.f("ix_commission_meeting_district"), "commission_meeting", ["district"], unique=False)
    op.create_table(
        "meeting_counter",
        sa.Column("district", _text(32), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("district", "year"),
    )


def downgrade() -> None:
    op.drop_table("meeting_counter")
    op.drop_index(op.f("ix_commission_meeting_district"), table_name="commission_meeting")
    op.drop_table("commission_meeting")
    op.drop_index(op.f("ix_case_step_case_id"), table_name="case_step")
    op.drop_table("case_step")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_cases_step"))
        for column in (
            "queue_number",
            "waiting_list",
            "result",
            "draft",
            "decision",
            "meeting_id",
            "proposal",
            "assessment",
            "executor",
            "step_since",
            "step",
        ):
            batch_op.drop_column(column)
