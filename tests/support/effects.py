"""A test consumer's effect table: one row per application of a message, so a message applied
twice shows up as two rows (a unique key would hide it)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.port import Delivery
from shared.db import Database
from shared.models import KernelModel


class TestModel(SQLModel, registry=registry()):
    pass


class Effect(TestModel, table=True):
    __tablename__ = "effect"
    __test__ = False

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True)


async def create_tables(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(KernelModel.metadata.create_all)
        await connection.run_sync(TestModel.metadata.create_all)


async def record_effect(session: AsyncSession, delivery: Delivery) -> None:
    session.add(Effect(message_id=delivery.envelope.message_id))


async def effect_counts(db: Database) -> tuple[int, int]:
    """(rows, distinct message ids) in the effect table."""
    async with db.sessions() as session:
        rows = (await session.exec(select(func.count()).select_from(Effect))).one()
        distinct = (await session.exec(select(func.count(func.distinct(Effect.message_id))))).one()
    return int(rows), int(distinct)


async def wait_until_effects(db: Database, expected: int, timeout: float = 15.0) -> None:
    """Wait for ``expected`` effect rows, then check that none was applied twice."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (counts := await effect_counts(db))[0] < expected:
        if loop.time() > deadline:
            raise AssertionError(f"{counts[0]} of {expected} effects within {timeout}s")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)
    assert await effect_counts(db) == (expected, expected)
