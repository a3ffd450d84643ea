"""Tables of regional_gateway (architecture §1: registration numbers, the message log, delivery states,
dead letters). Its own registry keeps them apart from the other services' tables when all five run in
one process."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.calendar import utcnow
from shared.db import UtcDateTime
from shared.models import KernelModel


class RegionalGatewayModel(SQLModel, registry=registry()):
    """Base of regional_gateway's tables."""


class RegistrationCounter(RegionalGatewayModel, table=True):
    """The last registration sequence of a day (Kazakhstan time). Its row is locked while a number is
    taken, so concurrent consumers never take the same one."""

    __tablename__ = "gw_registration_counter"

    day: str = Field(primary_key=True, max_length=8, description="YYYYMMDD")
    last: int = 0


class GatewayApplication(RegionalGatewayModel, table=True):
    """One submitted application as the gateway knows it: who sent it (where receipts, statuses and the
        result go back to), its registration, its transport state (apart from business statuses), and the
        registration the gateway gave the provider's result about it (Process 8: a number of its own) and the
    certificate that stamped it (re-stamped when that certificate is revoked: restamp.py)."""

    __tablename__ = "gw_application"

    application_id: str = Field(primary_key=True, max_length=64, description="the envelope's issue")
    sender: str = Field(max_length=200, description="the original sender's address: KZ/GOV/<BIN>/<subsystem>")
    user_id: str | None = Field(default=None, max_length=20)
    represented_party: str | None = Field(default=None, max_length=20)
    correlation_id: str = Field(max_length=64)
    inbound_message_id: str = Field(max_length=36)
    document_id: str | None = Field(default=None, max_length=36, description="the signed application's id")
    district: str | None = Field(default=None, max_length=40)
    registration_number: str | None = Field(default=None, max_length=40, unique=True)
    registered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivered_message_id: str | None = Field(default=None, max_length=36, description="the stamped outbound message")
    delivery_state: str = Field(max_length=20, description="ON_DELIVERY | DELIVERED | NOT_DELIVERED | DELIVERY_STOPPED")
    state_changed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_status: str | None = Field(default=None, max_length=40, description="the last business status relayed")
    error: str | None = Field(default=None, sa_type=sa.Text, description="JSON {code, details} when not delivered")
    result_document_id: str | None = Field(default=None, max_length=36, description="the result's id (Process 8)")
    result_registration_number: str | None = Field(
        default=None, max_length=40, unique=True, description="the result's own registration number at the gateway"
    )
    result_registered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    result_message_id: str | None = Field(default=None, max_length=36, description="the stamped result relayed")
    result_stamp_serial: str | None = Field(
        default=None,
        max_length=40,
        index=True,
        description="the serial (hex) of the certificate whose stamp the relayed result carries (re-stamping)",
    )


class LogHead(RegionalGatewayModel, table=True):
    """The message log's head: the last entry's seq and hash. One row, locked by every append, which
    serialises appends (PostgreSQL: SELECT … FOR UPDATE; SQLite: its one writer)."""

    __tablename__ = "gw_log_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    entry_hash: str = Field(max_length=64)


class LogEntry(RegionalGatewayModel, table=True):
    """The message log: append-only, hash-chained (domain/chain.py). Every message the gateway receives,
    refuses, forwards, answers or relays, with the document as it was."""

    __tablename__ = "gw_message_log"
    __table_args__ = (
        sa.Index("ix_gw_message_log_message_id", "message_id"),
        sa.Index("ix_gw_message_log_application_id", "application_id"),
    )

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    message_id: str = Field(max_length=36)
    correlation_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(
        max_length=20, description="received | refused | delivered | receipt | status | result | replayed"
    )
    direction: str = Field(max_length=8, description="in | out | relay")
    sender: str = Field(max_length=200)
    recipient: str = Field(max_length=200, description="the routing key it went to (or came on)")
    application_id: str | None = Field(default=None, max_length=64)
    registration_number: str | None = Field(default=None, max_length=40)
    document: str = Field(sa_type=sa.Text, description="the document as stored: RFC 8785 JSON text")
    document_sha256: str = Field(max_length=64)
    note: str | None = Field(default=None, sa_type=sa.Text, description="JSON: why refused, what changed")
    logged_at: datetime = Field(sa_type=UtcDateTime)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class DeadLetter(RegionalGatewayModel, table=True):
    """A message one of the gateway's queues gave up on (delivery limit reached), kept for the operator
    to inspect and replay."""

    __tablename__ = "gw_dead_letter"
    __table_args__ = (sa.Index("ix_gw_dead_letter_message_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(max_length=200)
    message_id: str = Field(max_length=200, description="as the envelope says (kept even when it is not a UUID)")
    routing_key: str = Field(max_length=255, description="the routing key it was first published with")
    envelope: str = Field(sa_type=sa.Text, description="the envelope as received (JSON)")
    death_reason: str | None = Field(default=None, max_length=40)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    replayed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


METADATA = [KernelModel.metadata, RegionalGatewayModel.metadata]
