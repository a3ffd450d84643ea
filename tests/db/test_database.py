"""The database kernel on SQLite and on PostgreSQL (the ``database_url`` fixture gives both):
migrations, the unit of work, and the outbox and inbox under concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import col, func, select

from shared.bus.inbox import idempotent
from shared.bus.memory import InMemoryBus
from shared.bus.outbox import OutboxRelay, enqueue
from shared.bus.port import Delivery
from shared.db import Database
from shared.migrate import alembic_config, migrate
from shared.models import OutboxMessage
from tests.support.bus import Collector, envelope, portal_sealer, wait_until
from tests.support.effects import Effect, create_tables, effect_counts, record_effect

SERVICES = ["portal_gateway", "con_intake", "regional_gateway", "provider", "registry_stub"]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_each_services_migrations_build_exactly_its_models(db: Database, service: str) -> None:
    import importlib
    from pathlib import Path

    package = importlib.import_module(f"services.{service}")
    models = importlib.import_module(f"services.{service}.models")
    migrations = Path(package.__file__).parent / "migrations"  # type: ignore[arg-type]

    await migrate(db, migrations)
    await migrate(db, migrations)  # a restart: nothing left to do, nothing fails

    def schema_drift(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection)
        return compare_metadata(context, models.METADATA)

    async with db.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
        drift = await connection.run_sync(schema_drift)
    assert {"outbox", "inbox", "alembic_version"} <= tables
    assert version == ScriptDirectory.from_config(alembic_config(migrations, db.url)).get_current_head()
    assert drift == []


async def test_a_transaction_commits_everything_or_nothing(db: Database) -> None:
    await create_tables(db)
    async with db.transaction() as session:
        session.add(Effect(message_id="kept"))
    with pytest.raises(ValueError):
        async with db.transaction() as session:
            session.add(Effect(message_id="lost"))
            enqueue(session, envelope("case.registered"))
            await session.flush()
            raise ValueError("rule violated")

    async with db.sessions() as session:
        assert [e.message_id for e in (await session.exec(select(Effect))).all()] == ["kept"]
        assert (await session.exec(select(func.count()).select_from(OutboxMessage))).one() == 0


async def test_concurrent_read_then_write_transactions_all_succeed(db: Database) -> None:
    """Writers wait for each other (SQLite: BEGIN IMMEDIATE + busy timeout) instead of failing."""
    await create_tables(db)

    async def read_then_write(n: int) -> None:
        async with db.transaction() as session:
            await session.exec(select(func.count()).select_from(Effect))
            await asyncio.sleep(0.005)
            session.add(Effect(message_id=f"m{n}"))

    await asyncio.gather(*(read_then_write(n) for n in range(25)))
    assert await effect_counts(db) == (25, 25)


async def test_two_relays_on_one_outbox_publish_each_row_once(db: Database) -> None:
    await create_tables(db)
    bus = InMemoryBus("db-test")
    await bus.start()
    got = Collector()
    await bus.subscribe("consumer", ["case.*"], got)
    async with db.transaction() as session:
        for n in range(200):
            enqueue(session, envelope("case.registered", {"n": n}))

    relays = [
        OutboxRelay(db, bus, portal_sealer(), batch_size=15),
        OutboxRelay(db, bus, portal_sealer(), batch_size=15),
    ]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.relay_once():
            pass

    await asyncio.gather(*(drain(r) for r in relays))
    await wait_until(lambda: len(got) >= 200)
    await asyncio.sleep(0.1)
    assert sorted(d.envelope.document["n"] for d in got.deliveries) == list(range(200))
    async with db.sessions() as session:
        unsent = select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.sent_at).is_(None))
        assert (await session.exec(unsent)).one() == 0
    await bus.close()


async def test_concurrent_deliveries_of_one_message_apply_it_once(db: Database) -> None:
    await create_tables(db)
    handler = idempotent(db, "consumer", record_effect)
    delivery = Delivery(envelope("case.registered"), "case.registered", "q", 1)

    results = await asyncio.gather(*(handler(delivery) for _ in range(5)), return_exceptions=True)
    # The losers either saw the record or collided with it; a collision is redelivered, then skipped.
    for result in results:
        if isinstance(result, BaseException):
            await handler(delivery)

    assert await effect_counts(db) == (1, 1)
