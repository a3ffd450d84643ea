"""Registration numbers and the message log under concurrent consumers, on SQLite and PostgreSQL (the
``database_url`` fixture gives both): every number is taken once, and the chain stays one line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.regional_gateway.app import SPEC
from services.regional_gateway.message_log import Record, append, verify_chain
from services.regional_gateway.numbering import next_registration_number
from shared.db import Database
from shared.migrate import migrate

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
            number = await next_registration_number(session, "KRG", at)
            await asyncio.sleep(0)  # let the others run into the locks
            record = Record(f"m-{index}", "c", "received", "in", "KZ/GOV/140440000100/portal", "document.submitted",
                            {"index": index}, application_id=f"a-{index}", registration_number=number)  # fmt: skip
            await append(session, record)
            return number

    numbers = await asyncio.gather(*(register(i) for i in range(CONSUMERS)))

    assert sorted(numbers) == [f"KRG-20261126-{n:06d}" for n in range(1, CONSUMERS + 1)]
    report = await verify_chain(db, batch=7)
    assert report.valid and report.entries == CONSUMERS
    async with db.transaction() as session:
        assert await next_registration_number(session, "KRG", datetime(2026, 11, 26, 19, 0, tzinfo=UTC)) == (
            "KRG-20261127-000001"
        )
