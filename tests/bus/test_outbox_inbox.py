"""Outbox and inbox together (architecture §3): no message lost, no effect applied twice, whatever
fails when. Runs on both bus adapters; the database suite (tests/db) repeats the database side on
PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from shared.bus.inbox import idempotent
from shared.bus.outbox import OutboxRelay, enqueue, resend_sent_since
from shared.bus.port import Bus, Delivery
from shared.calendar import utcnow
from shared.db import Database
from shared.models import InboxMessage, OutboxMessage
from tests.support.bus import Collector, envelope, portal_sealer, wait_until
from tests.support.effects import effect_counts, record_effect, wait_until_effects


async def pending(db: Database) -> list[OutboxMessage]:
    async with db.sessions() as session:
        return list((await session.exec(select(OutboxMessage).where(col(OutboxMessage.sent_at).is_(None)))).all())


async def test_outbox_rows_go_out_after_commit_and_are_marked_sent(bus: Bus, db: Database) -> None:
    await bus.subscribe("consumer", ["case.*"], idempotent(db, "consumer", record_effect))
    relay = OutboxRelay(db, bus, portal_sealer(), poll_interval=5)  # only the commit's wake-up can make this fast
    relay.start()
    try:
        async with db.transaction() as session:
            for n in range(30):
                enqueue(session, envelope("case.registered", {"n": n}))

        await wait_until_effects(db, 30)
        assert await pending(db) == []
    finally:
        await relay.stop()


async def test_a_rolled_back_state_change_publishes_nothing(bus: Bus, db: Database) -> None:
    await bus.subscribe("consumer", ["case.*"], idempotent(db, "consumer", record_effect))
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            enqueue(session, envelope("case.registered"))
            raise RuntimeError("the state change failed")

    assert await OutboxRelay(db, bus, portal_sealer()).relay_once() == 0
    assert await effect_counts(db) == (0, 0)


async def test_an_unroutable_row_stays_pending_until_its_queue_exists(bus: Bus, db: Database) -> None:
    await bus.subscribe("other", ["other.*"], idempotent(db, "other", record_effect))
    relay = OutboxRelay(db, bus, portal_sealer())
    async with db.transaction() as session:
        enqueue(session, envelope("case.registered"))

    assert await relay.relay_once() == 0
    [row] = await pending(db)
    assert row.attempts == 1 and "Unroutable" in (row.last_error or "")
    assert row.next_attempt_at > row.created_at

    await bus.subscribe("consumer", ["case.*"], idempotent(db, "consumer", record_effect))
    async with db.transaction() as session:
        row.next_attempt_at = row.created_at  # due now
        session.add(row)
    assert await relay.relay_once() == 1
    await wait_until_effects(db, 1)


async def test_a_duplicate_delivery_is_applied_once(bus: Bus, db: Database) -> None:
    handler = idempotent(db, "consumer", record_effect)
    calls: list[Delivery] = []

    async def counting(delivery: Delivery) -> None:
        calls.append(delivery)
        await handler(delivery)

    await bus.subscribe("consumer", ["case.*"], counting)
    message = envelope("case.registered")

    await bus.publish(message)
    await bus.publish(message)  # the same message id again, as after a relay crash before marking sent

    await wait_until(lambda: len(calls) == 2)
    assert await effect_counts(db) == (1, 1)


async def test_a_crash_after_commit_but_before_the_ack_applies_once(bus: Bus, db: Database) -> None:
    handler = idempotent(db, "consumer", record_effect)
    calls: list[Delivery] = []

    async def crash_before_ack(delivery: Delivery) -> None:
        calls.append(delivery)
        await handler(delivery)
        if len(calls) == 1:
            raise ConnectionError("lost the channel before the ack")

    await bus.subscribe("consumer", ["case.*"], crash_before_ack)
    await bus.publish(envelope("case.registered"))

    await wait_until(lambda: len(calls) == 2)
    assert await effect_counts(db) == (1, 1)


async def test_a_failing_effect_records_nothing_and_is_retried(bus: Bus, db: Database) -> None:
    failures = [1]

    async def flaky(session, delivery: Delivery) -> None:  # type: ignore[no-untyped-def]
        await record_effect(session, delivery)
        if failures:
            failures.pop()
            raise RuntimeError("database hiccup")

    await bus.subscribe("consumer", ["case.*"], idempotent(db, "consumer", flaky))
    await bus.publish(envelope("case.registered"))

    await wait_until_effects(db, 1)
    async with db.sessions() as session:
        assert len((await session.exec(select(InboxMessage))).all()) == 1


async def test_what_was_sent_since_a_time_goes_out_again_under_its_own_ids(bus: Bus, db: Database) -> None:
    """After a service's certificate was found revoked (shared/service.py), what it sent since it was
    last known good is sent again, signed anew: receivers that refused it apply it, the others skip it."""
    seen = Collector()
    await bus.subscribe("consumer", ["case.*"], seen)
    relay = OutboxRelay(db, bus, portal_sealer())
    async with db.transaction() as session:
        enqueue(session, envelope("case.registered", {"n": "before"}))
    assert await relay.relay_once() == 1
    since = utcnow()
    async with db.transaction() as session:
        for n in range(3):
            enqueue(session, envelope("case.registered", {"n": n}))
    assert await relay.relay_once() == 3
    await wait_until(lambda: len(seen) == 4)

    assert await resend_sent_since(db, since) == 3
    assert await relay.relay_once() == 3
    await wait_until(lambda: len(seen) == 7)
    first = [d.envelope.message_id for d in seen.deliveries[1:4]]
    assert [d.envelope.message_id for d in seen.deliveries[4:]] == first
    assert all(d.envelope.proof is not None for d in seen.deliveries)
    assert await pending(db) == []
