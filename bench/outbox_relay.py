"""Outbox → bus → inbox throughput, beside raw confirmed publishing measured in the same run.

For each bus (in-memory; RabbitMQ when AMQP_URL or TEST_AMQP_URL answers): N messages are written
to a SQLite outbox in one transaction, the relay publishes them with confirms, and a consumer applies
each through the inbox (one transaction per message). The baseline is `publish_many` of the same
envelopes straight to a queue with no database at all. The relay signs every envelope as it publishes
it (architecture §9) with a P-256 key, as the services do; the key's certificate is self-signed here,
since nothing in this benchmark verifies it.

    python -m bench outbox_relay        # N=3000 by default; BENCH_N to change
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid

from shared.bus.amqp import AmqpBus
from shared.bus.envelope import Envelope
from shared.bus.inbox import idempotent
from shared.bus.memory import InMemoryBus
from shared.bus.outbox import OutboxRelay, enqueue
from shared.bus.port import Bus, Delivery
from shared.bus.proof import Sealer
from shared.db import Database
from shared.participants import PORTAL
from tests.support.bus import SelfSigned
from tests.support.effects import create_tables, effect_counts, record_effect
from tests.support.servers import delete_namespace

N = int(os.environ.get("BENCH_N", "3000"))
SENDER = PORTAL.address


def envelopes(n: int) -> list[Envelope]:
    return [
        Envelope(message_type="case.registered", sender=SENDER, document={"n": i, "pad": "x" * 1500}) for i in range(n)
    ]


async def raw_publish(bus: Bus) -> float:
    done = asyncio.Event()
    seen = 0

    async def count(_: Delivery) -> None:
        nonlocal seen
        seen += 1
        if seen == N:
            done.set()

    await bus.subscribe("bench.raw", ["case.*"], count, prefetch=100)
    batch = [(e, "case.registered") for e in envelopes(N)]
    started = time.perf_counter()
    for i in range(0, N, 200):
        await bus.publish_many(batch[i : i + 200])
    await done.wait()
    return N / (time.perf_counter() - started)


async def outbox_to_inbox(bus: Bus, directory: str) -> float:
    db = Database(f"sqlite+aiosqlite:///{directory}/bench-{uuid.uuid4().hex[:6]}.db")
    await create_tables(db)
    await bus.subscribe("bench.inbox", ["case.*"], idempotent(db, "bench", record_effect), prefetch=100)
    relay = OutboxRelay(db, bus, Sealer(SelfSigned(), PORTAL.service), batch_size=200)
    async with db.transaction() as session:
        for e in envelopes(N):
            enqueue(session, e)
    started = time.perf_counter()
    relay.start()
    while (await effect_counts(db))[0] < N:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    await relay.stop()
    assert await effect_counts(db) == (N, N)
    await db.dispose()
    return N / elapsed


async def forget(bus: Bus) -> None:
    """Remove the queues this benchmark declared on RabbitMQ (left behind, they slow the broker)."""
    if isinstance(bus, AmqpBus):
        await delete_namespace(bus.url, bus.namespace, bus.declared_queues)


async def run(label: str, make_bus: type[Bus] | None, **kwargs: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        raw_bus = make_bus(**kwargs) if make_bus else InMemoryBus(**kwargs)  # type: ignore[arg-type]
        await raw_bus.start()
        raw = await raw_publish(raw_bus)
        await raw_bus.close()
        await forget(raw_bus)
        full_bus = make_bus(**kwargs) if make_bus else InMemoryBus(**kwargs)  # type: ignore[arg-type]
        await full_bus.start()
        full = await outbox_to_inbox(full_bus, directory)
        await full_bus.close()
        await forget(full_bus)
    print(
        f"  {label:<10} raw publish+consume {raw:>9,.0f} msg/s"
        f"   outbox→relay→inbox {full:>8,.0f} msg/s   ratio {full / raw:.2f}"
    )


async def main() -> None:
    print(f"  N={N} messages of ~1.6 KB; SQLite (synchronous=FULL) outbox and inbox")
    await run("in-memory", None, namespace=f"bench.{uuid.uuid4().hex[:6]}")
    url = os.environ.get("AMQP_URL") or os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    try:
        probe = AmqpBus(url, connect_timeout=2)
        await probe.start()
        await probe.close()
    except Exception as exc:  # noqa: BLE001 - the benchmark reports and goes on
        print(f"  RabbitMQ   skipped: {exc}")
        return
    await run("RabbitMQ", AmqpBus, url=url, namespace=f"bench.{uuid.uuid4().hex[:6]}")
