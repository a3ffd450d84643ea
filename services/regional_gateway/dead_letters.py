"""Dead letters (ARCHITECTURE §3): a message the gateway's handlers failed on past the delivery limit
lands in its queue's ``.dlq``; the gateway keeps each one here for the operator, who can replay it: the
original envelope (same message id, so consumers that did apply it skip it) goes back to its original
routing key through the outbox."""

from __future__ import annotations

from sqlmodel import col, func, select

from services.regional_gateway.context import Gateway
from services.regional_gateway.message_log import Record, append
from services.regional_gateway.models import DeadLetter
from shared.bus.envelope import Envelope, utcnow
from shared.bus.outbox import enqueue
from shared.bus.port import Delivery, Handler
from shared.db import OUTBOX_WRITTEN
from shared.errors import AppError
from shared.logging import get_logger
from shared.models import OutboxMessage

log = get_logger(__name__)


def original_routing_key(namespace: str, queue: str, delivery: Delivery) -> str:
    """The key the message was first published with. The in-memory bus keeps it; RabbitMQ re-routes a
    dead letter through the dead-letter exchange under the queue's name, so there the envelope's message
    type (which is the routing key of everything the gateway consumes) stands for it."""
    if delivery.routing_key and delivery.routing_key not in (queue, f"{namespace}.{queue}"):
        return delivery.routing_key
    return delivery.envelope.message_type


def handler(gateway: Gateway, queue: str) -> Handler:
    """Store each dead letter of ``queue`` once (a redelivered dead letter is not stored twice; one that
    dies again after a replay is a new dead letter)."""

    async def handle(delivery: Delivery) -> None:
        envelope = delivery.envelope
        async with gateway.db.transaction() as session:
            pending = select(DeadLetter).where(
                DeadLetter.queue == queue,
                DeadLetter.message_id == envelope.message_id,
                col(DeadLetter.replayed_at).is_(None),
            )
            if (await session.exec(pending)).first() is not None:
                return
            key = original_routing_key(gateway.runtime.bus.namespace, queue, delivery)
            session.add(
                DeadLetter(
                    queue=queue, message_id=envelope.message_id, routing_key=key,
                    envelope=envelope.model_dump_json(), death_reason=delivery.death_reason,
                )
            )  # fmt: skip
        log.error("dead letter stored", queue=queue, routing_key=key, reason=delivery.death_reason)

    return handle


async def page(gateway: Gateway, *, limit: int, offset: int, queue: str | None = None,
               replayed: bool | None = None) -> tuple[list[DeadLetter], int]:  # fmt: skip
    """Dead letters, newest first, and how many there are in all (with the same filters)."""
    query = select(DeadLetter)
    counting = select(func.count()).select_from(DeadLetter)
    conditions = []
    if queue is not None:
        conditions.append(DeadLetter.queue == queue)
    if replayed is not None:
        conditions.append(
            col(DeadLetter.replayed_at).is_not(None) if replayed else col(DeadLetter.replayed_at).is_(None)
        )
    for condition in conditions:
        query, counting = query.where(condition), counting.where(condition)
    async with gateway.db.sessions() as session:
        rows = (await session.exec(query.order_by(col(DeadLetter.id).desc()).offset(offset).limit(limit))).all()
        total = (await session.exec(counting)).one()
    return list(rows), int(total)


async def replay(gateway: Gateway, dead_letter_id: int) -> DeadLetter:
    """Publish the dead letter's envelope again, unchanged, through the outbox; mark it replayed."""
    async with gateway.db.transaction() as session:
        query = select(DeadLetter).where(DeadLetter.id == dead_letter_id).with_for_update()
        row = (await session.exec(query)).first()
        if row is None:
            raise AppError("NOT_FOUND", {"dead_letter": dead_letter_id})
        if row.replayed_at is not None:
            raise AppError("CONFLICT", {"reason": "already replayed", "replayed_at": row.replayed_at.isoformat()})
        envelope = Envelope.model_validate_json(row.envelope)
        outbox = await session.get(OutboxMessage, envelope.message_id)
        if outbox is None:
            enqueue(session, envelope, row.routing_key)
        else:  # replayed before (and dead again): the same outbox row goes out once more
            outbox.routing_key, outbox.body, outbox.sent_at = row.routing_key, envelope.model_dump_json(), None
            outbox.attempts, outbox.next_attempt_at, outbox.last_error = 0, utcnow(), None
            session.add(outbox)
            session.info[OUTBOX_WRITTEN] = True
        row.replayed_at = utcnow()
        session.add(row)
        await append(
            session,
            Record(
                message_id=envelope.message_id, correlation_id=envelope.correlation_id, kind="replayed",
                direction="out", sender=envelope.sender, recipient=row.routing_key, document=envelope.document,
                application_id=envelope.issue, note={"dead_letter": row.id, "queue": row.queue},
            ),
        )  # fmt: skip
    log.info("dead letter replayed", dead_letter=dead_letter_id, routing_key=row.routing_key)
    return row
