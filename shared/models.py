"""The kernel's own tables, which every service's database has: the outbox and the inbox
(architecture §3). Each service's first migration creates them with `create_kernel_tables`, and a
later one adds the relay's claim with `add_outbox_claim`. Services never touch these tables: they
ask the kernel (`shared.bus.outbox`: enqueue, withdraw, requeue; `shared.handlers`: the inbox)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.calendar import utcnow
from shared.db import UtcDateTime


class KernelModel(SQLModel, registry=registry()):
    """Base of the kernel's tables; services have bases of their own (separate metadata, so five
    services in one process never mix their tables)."""


class OutboxMessage(KernelModel, table=True):
    """A message written in the same transaction as the state change it announces."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=36, description="= the envelope's message_id")
    routing_key: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    claimed_until: datetime | None = Field(
        default=None, sa_type=UtcDateTime, description="a relay is publishing the row until then (its lease)"
    )


class InboxMessage(KernelModel, table=True):
    """A message a consumer has applied; recorded in the same transaction as its effects."""

    __tablename__ = "inbox"

    message_id: str = Field(primary_key=True, max_length=36)
    consumer: str = Field(primary_key=True, max_length=200)
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


def create_kernel_tables() -> None:
    """For a service's first Alembic revision: create the outbox and the inbox."""
    from alembic import op

    op.create_table(
        "outbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_pending", "outbox", ["sent_at", "next_attempt_at"])
    op.create_table(
        "inbox",
        sa.Column("message_id", sa.String(36), primary_key=True),
        sa.Column("consumer", sa.String(200), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def add_outbox_claim() -> None:
    """For a service's migration after the first: the relay's claim on a row it is publishing."""
    from alembic import op

    op.add_column("outbox", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def drop_outbox_claim() -> None:
    from alembic import op

    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")


def drop_kernel_tables() -> None:
    from alembic import op

    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
