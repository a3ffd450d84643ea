"""The idempotent inbox (architecture §3): a consumer records ``(message_id, consumer)`` in the
same transaction as its effects, so a redelivered message is acked and skipped. Services do not use
it directly: the kernel runs their handler tables (`shared.handlers`) through it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.port import Delivery, Handler
from shared.db import Database
from shared.logging import get_logger
from shared.models import InboxMessage

log = get_logger(__name__)

Effect = Callable[[AsyncSession, Delivery], Awaitable[None]]


async def applied(db: Database, consumer: str, message_id: str) -> bool:
    """True when ``consumer`` has applied the message (its inbox row is committed)."""
    async with db.sessions() as session:
        return await session.get(InboxMessage, (message_id, consumer)) is not None


def idempotent(db: Database, consumer: str, effect: Effect) -> Handler:
    """Wrap ``effect`` into a bus handler that applies each message at most once for ``consumer``.

    The effect runs inside the transaction that records the message; the handler returns (and the
    bus acks) only after that transaction committed. If the effect raises, nothing is recorded and
    the bus redelivers. Two concurrent deliveries of one message: the second insert waits for, then
    collides with, the first; it raises, is redelivered, and is then skipped as a repeat.
    """

    async def handle(delivery: Delivery) -> None:
        message_id = delivery.envelope.message_id
        async with db.transaction() as session:
            if await session.get(InboxMessage, (message_id, consumer)) is not None:
                log.info("repeat delivery skipped", consumer=consumer)
                return
            session.add(InboxMessage(message_id=message_id, consumer=consumer))
            await session.flush()
            await effect(session, delivery)

    return handle
