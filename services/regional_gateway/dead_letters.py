"""Dead letters (architecture §3): a message the gateway's handlers failed on past the delivery limit
lands in its queue's ``.dlq``; the gateway keeps each one here for the operator, who can replay it: the
original envelope (same message id, so consumers that did apply it skip it) goes back to its original
routing key through the outbox."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import outgoing
from services.regional_gateway.models import DeadLetter
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.errors import AppError
from shared.logging import get_logger

log = get_logger(__name__)


def original_routing_key(namespace: str, queue: str, delivery: Delivery) -> str:
    """The key the message was first published with. The in-memory bus keeps it; RabbitMQ re-routes a
    dead letter through the dead-letter exchange under the queue's name, so there the envelope's message
    type (which is the routing key of everything the gateway consumes) stands for it."""
    if delivery.routing_key and delivery.routing_key not in (queue, f"{namespace}.{queue}"):
        return delivery.routing_key
    return delivery.envelope.message_type


async def keep(session: AsyncSession, *, queue: str, namespace: str, delivery: Delivery) -> None:
    """Store a dead letter of ``queue`` once (a redelivered dead letter is not stored twice; one that
    dies again after a replay is a new dead letter)."""
    envelope = delivery.envelope
    pending = select(DeadLetter).where(
        DeadLetter.queue == queue, DeadLetter.message_id == envelope.message_id, col(DeadLetter.replayed_at).is_(None)
    )
    if (await session.exec(pending)).first() is not None:
        return
    key = original_routing_key(namespace, queue, delivery)
    session.add(
        DeadLetter(
            queue=queue,
            message_id=envelope.message_id,
            routing_key=key,
            envelope=envelope.model_dump_json(),
            death_reason=delivery.death_reason,
        )
    )
    log.error("dead letter stored", queue=queue, routing_key=key, reason=delivery.death_reason)


async def page(
    session: AsyncSession, *, limit: int, offset: int, queue: str | None = None, replayed: bool | None = None
) -> tuple[list[DeadLetter], int]:
    """Dead letters, newest first, and how many there are in all (with the same filters)."""
    query = select(DeadLetter)
    counting = select(func.count()).select_from(DeadLetter)
    conditions: list[ColumnElement[bool]] = []
    if queue is not None:
        conditions.append(col(DeadLetter.queue) == queue)
    if replayed is not None:
        conditions.append(
            col(DeadLetter.replayed_at).is_not(None) if replayed else col(DeadLetter.replayed_at).is_(None)
        )
    for condition in conditions:
        query, counting = query.where(condition), counting.where(condition)
    rows = (await session.exec(query.order_by(col(DeadLetter.id).desc()).offset(offset).limit(limit))).all()
    total = (await session.exec(counting)).one()
    return list(rows), int(total)


async def replay(session: AsyncSession, *, dead_letter_id: int) -> DeadLetter:
    """Publish the dead letter's envelope again, unchanged, through the outbox; mark it replayed."""
    query = select(DeadLetter).where(DeadLetter.id == dead_letter_id).with_for_update()
    row = (await session.exec(query)).first()
    if row is None:
        raise AppError("NOT_FOUND", {"dead_letter": dead_letter_id})
    if row.replayed_at is not None:
        raise AppError("CONFLICT", {"reason": "already replayed", "replayed_at": row.replayed_at.isoformat()})
    envelope = Envelope.model_validate_json(row.envelope)
    await outgoing.send_again(
        session, envelope=envelope, routing_key=row.routing_key, note={"dead_letter": row.id, "queue": row.queue}
    )
    row.replayed_at = utcnow()
    session.add(row)
    log.info("dead letter replayed", dead_letter=dead_letter_id, routing_key=row.routing_key)
    return row
