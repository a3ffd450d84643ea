"""The relay claims rows and commits before it publishes (architecture §3): a slow broker holds no
database lock, a row being published cannot be withdrawn, and a requeued message goes out again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

import pytest

from shared.bus.envelope import Envelope
from shared.bus.memory import InMemoryBus
from shared.bus.outbox import OutboxRelay, enqueue, requeue, withdraw
from shared.db import Database
from tests.support.bus import Collector, envelope, portal_sealer, wait_until
from tests.support.effects import Effect

PUBLISH_TAKES_S = 3.0


class SlowBroker(InMemoryBus):
    """An in-memory bus whose confirms take seconds to come (a broker under load)."""

    def __init__(self) -> None:
        super().__init__("slow")
        self.publishing = asyncio.Event()

    async def publish_many(self, messages: Sequence[tuple[Envelope, str]]) -> list[BaseException | None]:
        self.publishing.set()
        await asyncio.sleep(PUBLISH_TAKES_S)
        return await super().publish_many(messages)


@pytest.fixture
async def slow() -> AsyncIterator[SlowBroker]:
    bus = SlowBroker()
    await bus.start()
    yield bus
    await bus.close()


async def test_a_slow_broker_does_not_block_a_concurrent_writer(db: Database, slow: SlowBroker) -> None:
    received = Collector()
    await slow.subscribe("consumer", ["case.*"], received)
    async with db.transaction() as session:
        enqueue(session, envelope("case.registered"))
    relaying = asyncio.create_task(OutboxRelay(db, slow, portal_sealer()).relay_once())
    await asyncio.wait_for(slow.publishing.wait(), 5)

    started = time.monotonic()
    async with db.transaction() as session:  # SQLite: the process-wide writer lock
        session.add(Effect(message_id="a concurrent state change"))
    waited = time.monotonic() - started

    assert waited < PUBLISH_TAKES_S / 3, f"the writer waited {waited:.2f}s for the relay's publish"
    assert await relaying == 1
    await wait_until(lambda: len(received) == 1)


async def test_a_message_being_published_cannot_be_withdrawn(db: Database, slow: SlowBroker) -> None:
    await slow.subscribe("consumer", ["case.*"], Collector())
    message = envelope("case.registered")
    async with db.transaction() as session:
        enqueue(session, message)
    relaying = asyncio.create_task(OutboxRelay(db, slow, portal_sealer()).relay_once())
    await asyncio.wait_for(slow.publishing.wait(), 5)

    async with db.transaction() as session:
        assert await withdraw(session, message.message_id) is False
    assert await relaying == 1
    async with db.transaction() as session:
        assert await withdraw(session, message.message_id) is False  # sent: too late as well


async def test_a_pending_message_withdrawn_is_never_published(db: Database) -> None:
    bus = InMemoryBus("quick")
    await bus.start()
    received = Collector()
    await bus.subscribe("consumer", ["case.*"], received)
    message = envelope("case.registered")
    async with db.transaction() as session:
        enqueue(session, message)
    async with db.transaction() as session:
        assert await withdraw(session, message.message_id) is True

    assert await OutboxRelay(db, bus, portal_sealer()).relay_once() == 0
    await bus.close()
    assert len(received) == 0


async def test_a_requeued_message_goes_out_again_under_its_own_id(db: Database) -> None:
    bus = InMemoryBus("quick")
    await bus.start()
    received = Collector()
    await bus.subscribe("consumer", ["case.*"], received)
    message = envelope("case.registered")
    relay = OutboxRelay(db, bus, portal_sealer())
    async with db.transaction() as session:
        enqueue(session, message)
    assert await relay.relay_once() == 1
    async with db.transaction() as session:
        await requeue(session, message, "case.replayed")

    assert await relay.relay_once() == 1
    await wait_until(lambda: len(received) == 2)
    await bus.close()
    assert [d.envelope.message_id for d in received.deliveries] == [message.message_id] * 2
    assert received.deliveries[1].routing_key == "case.replayed"
