"""Registration numbers and the message log under concurrent consumers, on SQLite and PostgreSQL (the
``database_url`` fixture gives both): every number is taken once, and the chain stays one line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.regional_gateway.app import SPEC
from services.regional_gateway.message_log import append, verify_chain
from services.regional_gateway.numbering import next_registration_number
from shared.bus.envelope import Envelope
from shared.db import Database
from shared.housing.messages import SUBMITTED
from shared.migrate import migrate
from shared.participants import PORTAL

CONSUMERS = 30


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await migrate(database, SPEC.migrations)
    yield database
    await database.dispose()


async def test_concurrent_registrations_take_distinct_numbers_and_keep_one_chain(db: Database) -> None:
    at = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)

    async def register(index: int) -> str:
        async with db.transaction() as session:
            number = await next_registration_number(session, prefix="KRG", at=at)
            await asyncio.sleep(0)  # let the others run into the locks
            envelope = Envelope(message_type=SUBMITTED, sender=PORTAL.address, document={"index": index})
            await append(
                session,
                envelope=envelope,
                kind="received",
                direction="in",
                recipient=SUBMITTED,
                application_id=f"a-{index}",
                registration_number=number,
            )
            return number

    numbers = await asyncio.gather(*(register(i) for i in range(CONSUMERS)))

    assert sorted(numbers) == [f"KRG-20261126-{n:06d}" for n in range(1, CONSUMERS + 1)]
    report = await verify_chain(db, batch=7)
    assert report.valid and report.entries == CONSUMERS
    async with db.transaction() as session:
        assert await next_registration_number(session, prefix="KRG", at=datetime(2026, 11, 26, 19, 0, tzinfo=UTC)) == (
            "KRG-20261127-000001"
        )
