"""Everything the gateway sends goes through here: into the outbox (published after the transaction
commits) and into the message log, in the same transaction — nothing leaves unlogged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway.message_log import Record, append
from services.regional_gateway.models import GatewayApplication
from shared.bus.envelope import Envelope, new_id
from shared.bus.outbox import enqueue
from shared.housing.messages import (
    BusinessStatus,
    DeliveryState,
    Receipt,
    Registration,
    StatusChange,
    receipt_key,
    status_key,
)


def as_utc(moment: datetime) -> datetime:
    """Timestamps read back from SQLite are naive UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def registration_of(application: GatewayApplication) -> Registration | None:
    if application.registration_number is None or application.registered_at is None or application.district is None:
        return None
    return Registration(
        number=application.registration_number,
        registered_at=as_utc(application.registered_at),
        district=application.district,
    )


def to_sender(
    application: GatewayApplication, *, gateway: str, routing_key: str, document: dict[str, Any],
    message_id: str | None = None, correlation_id: str | None = None,
) -> Envelope:  # fmt: skip
    """An envelope back to the application's original sender: its correlation id, user and party kept."""
    return Envelope(
        message_id=message_id or new_id(), correlation_id=correlation_id or application.correlation_id,
        message_type=routing_key, sender=gateway, user_id=application.user_id,
        represented_party=application.represented_party, issue=application.application_id, document=document,
    )  # fmt: skip


async def send(
    session: AsyncSession, envelope: Envelope, routing_key: str, *, kind: str, direction: str = "out",
    origin: str | None = None, registration_number: str | None = None, note: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """Enqueue ``envelope`` to ``routing_key`` and log it (``origin``: who it came from when relayed)."""
    enqueue(session, envelope, routing_key)
    await append(
        session,
        Record(
            message_id=envelope.message_id, correlation_id=envelope.correlation_id, kind=kind, direction=direction,
            sender=origin or envelope.sender, recipient=routing_key, document=envelope.document,
            application_id=envelope.issue, registration_number=registration_number, note=note,
        ),
    )  # fmt: skip


async def send_receipt(
    session: AsyncSession, application: GatewayApplication, *, gateway: str, note: dict[str, Any] | None = None
) -> None:
    """The receipt (қолхат) to the sender: the application's transport state and registration."""
    state: DeliveryState = application.delivery_state  # type: ignore[assignment]
    receipt = Receipt(
        application_id=application.application_id,
        state=state,
        registration=registration_of(application),
        error=json.loads(application.error) if state == "NOT_DELIVERED" and application.error else None,
    )
    key = receipt_key(application.sender)
    envelope = to_sender(application, gateway=gateway, routing_key=key, document=receipt.model_dump(mode="json"))
    await send(session, envelope, key, kind="receipt", registration_number=application.registration_number, note=note)


async def send_status(
    session: AsyncSession, application: GatewayApplication, status: BusinessStatus, *, gateway: str,
    at: datetime, reason: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """A business status the gateway itself sets (REGISTERED_AT_GATEWAY, REFUSED_AT_GATEWAY)."""
    change = StatusChange(
        application_id=application.application_id, status=status, at=at,
        registration_number=application.registration_number, reason=reason,
    )  # fmt: skip
    key = status_key(application.sender)
    envelope = to_sender(application, gateway=gateway, routing_key=key, document=change.model_dump(mode="json"))
    await send(session, envelope, key, kind="status", registration_number=application.registration_number)
