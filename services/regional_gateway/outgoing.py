"""Everything the gateway sends goes through here: into the outbox (published after the transaction
commits) and into the message log, in the same transaction — nothing leaves unlogged. The gateway is
the sender of everything it sends (`shared.participants.GATEWAY`); a relayed message keeps its origin
in the log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import message_log
from services.regional_gateway.models import GatewayApplication
from shared.bus import outbox
from shared.bus.envelope import Envelope, new_id
from shared.housing.messages import (
    BusinessStatus,
    DeliveryState,
    Receipt,
    Registration,
    StatusChange,
    receipt_key,
    status_key,
)
from shared.participants import GATEWAY

SENDER = GATEWAY.address
"""``KZ/GOV/140440000309/gateway``: the sender of what the gateway sends."""


def registration_of(application: GatewayApplication) -> Registration | None:
    if application.registration_number is None or application.registered_at is None or application.district is None:
        return None
    return Registration(
        number=application.registration_number, registered_at=application.registered_at, district=application.district
    )


def result_registration_of(application: GatewayApplication) -> Registration | None:
    """The registration the gateway gave the provider's result about ``application`` (Process 8)."""
    number, at, district = (
        application.result_registration_number,
        application.result_registered_at,
        application.district,
    )
    if number is None or at is None or district is None:
        return None
    return Registration(number=number, registered_at=at, district=district)


def envelope_about(
    application: GatewayApplication,
    *,
    routing_key: str,
    document: dict[str, Any],
    message_id: str | None = None,
    correlation_id: str | None = None,
) -> Envelope:
    """An envelope from the gateway about ``application``: under its issue, with the correlation id, user
    and party of its submission (answers go back to its sender with them, and its delivery carries them on)."""
    return Envelope(
        message_id=message_id or new_id(),
        correlation_id=correlation_id or application.correlation_id,
        message_type=routing_key,
        sender=SENDER,
        user_id=application.user_id,
        represented_party=application.represented_party,
        issue=application.application_id,
        document=document,
    )


async def send(
    session: AsyncSession,
    *,
    envelope: Envelope,
    routing_key: str,
    kind: str,
    direction: str = "out",
    origin: str | None = None,
    registration_number: str | None = None,
    note: dict[str, Any] | None = None,
) -> None:
    """Enqueue ``envelope`` to ``routing_key`` and log it (``origin``: who it came from when relayed)."""
    outbox.enqueue(session, envelope, routing_key)
    await message_log.append(
        session,
        envelope=envelope,
        kind=kind,
        direction=direction,
        recipient=routing_key,
        application_id=envelope.issue,
        sender=origin,
        registration_number=registration_number,
        note=note,
    )


async def send_again(
    session: AsyncSession,
    *,
    envelope: Envelope,
    routing_key: str,
    note: dict[str, Any],
    kind: str = "replayed",
    direction: str = "out",
    origin: str | None = None,
    registration_number: str | None = None,
) -> None:
    """Publish ``envelope`` once more under its own message id, to ``routing_key`` — as it is now: unchanged
    (a dead letter replayed), or with a new document (a result re-stamped: restamp.py) — and log it as
    ``kind`` (``origin``: who it came from when relayed)."""
    await outbox.requeue(session, envelope, routing_key)
    await message_log.append(
        session,
        envelope=envelope,
        kind=kind,
        direction=direction,
        recipient=routing_key,
        application_id=envelope.issue,
        sender=origin,
        registration_number=registration_number,
        note=note,
    )


async def send_receipt(
    session: AsyncSession, *, application: GatewayApplication, note: dict[str, Any] | None = None
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
    envelope = envelope_about(application, routing_key=key, document=receipt.model_dump(mode="json"))
    await send(
        session,
        envelope=envelope,
        routing_key=key,
        kind="receipt",
        registration_number=application.registration_number,
        note=note,
    )


async def send_status(
    session: AsyncSession,
    *,
    application: GatewayApplication,
    status: BusinessStatus,
    at: datetime,
    reason: dict[str, Any] | None = None,
) -> None:
    """A business status the gateway itself sets (REGISTERED_AT_GATEWAY, REFUSED_AT_GATEWAY)."""
    change = StatusChange(
        application_id=application.application_id,
        status=status,
        at=at,
        registration_number=application.registration_number,
        reason=reason,
    )
    key = status_key(application.sender)
    envelope = envelope_about(application, routing_key=key, document=change.model_dump(mode="json"))
    await send(
        session, envelope=envelope, routing_key=key, kind="status", registration_number=application.registration_number
    )
