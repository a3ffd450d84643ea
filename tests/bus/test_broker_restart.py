"""The whole chain survives a RabbitMQ restart (architecture §3): the broker's app is stopped and
started (`rabbitmqctl stop_app` / `start_app`) while the outbox relay is publishing 1,000 messages;
in the end every message has been applied exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import pytest
from sqlmodel import col, func, select

from shared.bus.amqp import AmqpBus
from shared.bus.envelope import Envelope
from shared.bus.inbox import idempotent
from shared.bus.outbox import OutboxRelay, enqueue
from shared.db import Database
from shared.models import OutboxMessage
from tests.support.bus import envelope, portal_sealer
from tests.support.effects import create_tables, effect_counts, record_effect, wait_until_effects
from tests.support.servers import delete_namespace

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]

MESSAGES = 1000


class PacedBus(AmqpBus):
    """Publishes in small paced batches, so that the restart lands in the middle of relaying."""

    async def publish_many(self, messages: Sequence[tuple[Envelope, str]]) -> list[BaseException | None]:
        await asyncio.sleep(0.02)
        return await super().publish_many(messages)


async def rabbitmqctl(*args: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, f"rabbitmqctl {' '.join(args)} failed: {out.decode()[-500:]}"


async def sent_count(db: Database) -> int:
    async with db.sessions() as session:
        query = select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.sent_at).is_not(None))
        return int((await session.exec(query)).one())


async def test_broker_restart_while_relaying_applies_every_message_exactly_once(
    amqp_url: str, postgres_url: str
) -> None:
    namespace = f"test.{uuid.uuid4().hex[:10]}"
    db = Database(postgres_url)
    await create_tables(db)
    consumer_bus = AmqpBus(amqp_url, namespace, connection_name="restart-consumer")
    relay_bus = PacedBus(amqp_url, namespace, connection_name="restart-relay")
    await consumer_bus.start()
    await relay_bus.start()
    relay = OutboxRelay(db, relay_bus, portal_sealer(), batch_size=10, poll_interval=0.2)
    broker_stopped = False
    try:
        await consumer_bus.subscribe("consumer", ["case.*"], idempotent(db, "consumer", record_effect), prefetch=50)
        async with db.transaction() as session:
            for n in range(MESSAGES):
                enqueue(session, envelope("case.registered", {"n": n}))
        relay.start()

        while await sent_count(db) < 150:
            await asyncio.sleep(0.01)
        await rabbitmqctl("stop_app")
        broker_stopped = True
        sent_when_stopped = await sent_count(db)
        applied_when_stopped = (await effect_counts(db))[0]
        await asyncio.sleep(3)
        await rabbitmqctl("start_app")
        broker_stopped = False
        await rabbitmqctl("await_startup")

        print(f"\nat stop: {sent_when_stopped} sent, {applied_when_stopped} applied")
        await wait_until_effects(db, MESSAGES, timeout=180)
        assert sent_when_stopped < MESSAGES, "the restart must land in the middle of relaying"
        assert applied_when_stopped < MESSAGES
        assert await sent_count(db) == MESSAGES
        assert await effect_counts(db) == (MESSAGES, MESSAGES)
    finally:
        if broker_stopped:
            await rabbitmqctl("start_app")
            await rabbitmqctl("await_startup")
        await relay.stop()
        await relay_bus.close()
        await consumer_bus.close()
        await delete_namespace(amqp_url, namespace, consumer_bus.declared_queues)
        await db.dispose()
