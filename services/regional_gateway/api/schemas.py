"""Response bodies of the gateway's API."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.regional_gateway.domain.chain import ChainReport, sha256_hex
from services.regional_gateway.message_log import as_entry
from services.regional_gateway.models import DeadLetter, GatewayApplication, LogEntry
from services.regional_gateway.outgoing import registration_of, result_registration_of
from shared.housing.messages import DeliveryState, Registration


class DeadLetterView(BaseModel):
    id: int
    queue: str = Field(description="the gateway's queue that gave up on it")
    message_id: str
    routing_key: str = Field(description="the routing key it was first published with (a replay goes there)")
    death_reason: str | None = Field(description="delivery_limit, rejected, …")
    received_at: datetime
    replayed_at: datetime | None
    envelope: dict[str, Any] = Field(description="the envelope as it was dead-lettered")

    @classmethod
    def of(cls, row: DeadLetter) -> DeadLetterView:
        return cls.model_validate({**row.model_dump(), "envelope": json.loads(row.envelope)})


class DeadLetterPage(BaseModel):
    items: list[DeadLetterView]
    total: int
    limit: int
    offset: int


class LogEntryView(BaseModel):
    """One entry of the message log with its hashes, and the document as stored."""

    seq: int
    message_id: str
    correlation_id: str | None
    kind: str = Field(description="received | refused | delivered | receipt | status | result | replayed")
    direction: str = Field(description="in | out | relay")
    sender: str
    recipient: str = Field(description="the routing key it went to (or came on)")
    application_id: str | None
    registration_number: str | None
    note: Any = Field(description="why it was refused, what it repeats, …")
    logged_at: datetime
    document_sha256: str = Field(description="SHA-256 of the document's stored RFC 8785 text")
    prev_hash: str
    entry_hash: str = Field(description="SHA-256(prev_hash ‖ JCS(entry fields))")
    intact: bool = Field(description="the document and the entry still hash to what was sealed")
    document: Any = Field(description="the document as stored: the signed e-document, a receipt, a status")

    @classmethod
    def of(cls, row: LogEntry) -> LogEntryView:
        intact = sha256_hex(row.document) == row.document_sha256 and as_entry(row).expected_hash() == row.entry_hash
        note = json.loads(row.note) if row.note else None
        return cls.model_validate(
            {**row.model_dump(), "note": note, "document": json.loads(row.document), "intact": intact}
        )


class MessageEvidence(BaseModel):
    message_id: str
    entries: list[LogEntryView] = Field(description="the log entries of this message (usually one), in order")


class ChainVerdict(BaseModel):
    valid: bool
    entries: int = Field(description="entries walked")
    first_broken_seq: int | None = Field(description="the first entry whose link or hashes do not hold")
    reason: str | None

    @classmethod
    def of(cls, report: ChainReport) -> ChainVerdict:
        return cls(
            valid=report.valid, entries=report.entries, first_broken_seq=report.first_broken_seq, reason=report.reason
        )


class LoggedMessage(BaseModel):
    seq: int
    kind: str
    direction: str
    message_id: str
    recipient: str
    logged_at: datetime


class DeliveryView(BaseModel):
    """An application's transport state at the gateway, apart from its business status."""

    application_id: str
    delivery_state: DeliveryState
    state_changed_at: datetime
    sender: str = Field(description="the original sender: receipts, statuses and the result go back there")
    registration: Registration | None
    last_status: str | None = Field(description="the last business status relayed from the provider")
    result_registration: Registration | None = Field(
        default=None, description="the provider's result as the gateway registered it (Process 8): its own number"
    )
    error: dict[str, Any] | None = Field(description="why it was not delivered: {code, details}")
    messages: list[LoggedMessage] = Field(description="the application's messages in the log")

    @classmethod
    def of(cls, application: GatewayApplication, entries: list[LogEntry]) -> DeliveryView:
        return cls(
            application_id=application.application_id,
            delivery_state=application.delivery_state,
            state_changed_at=application.state_changed_at,
            sender=application.sender,
            registration=registration_of(application),
            last_status=application.last_status,
            result_registration=result_registration_of(application),
            error=json.loads(application.error) if application.error else None,
            messages=[LoggedMessage.model_validate(e.model_dump()) for e in entries],
        )


class RouteView(BaseModel):
    district: str
    name_kk: str
    provider: str = Field(description="the provider's address")
    routing_key: str
