"""Registration numbers (§18 Process 6): one counter row per day, created if missing (an insert that
ignores a conflict, so two consumers starting a day do not collide) and then locked while incremented.
On PostgreSQL the row lock makes concurrent consumers take turns; on SQLite the one writer does. The
unique constraint on `GatewayApplication.registration_number` is the last line of defence: a collision
fails the transaction and the bus redelivers the message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway.domain.registration import registration_day, registration_number
from services.regional_gateway.models import RegistrationCounter


async def next_registration_number(session: AsyncSession, *, prefix: str, at: datetime) -> str:
    """The next number of ``at``'s day, taken in the caller's transaction."""
    day = registration_day(at)
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(RegistrationCounter).values(day=day, last=0).on_conflict_do_nothing(index_elements=["day"])
    await connection.execute(insert)
    query = select(RegistrationCounter).where(RegistrationCounter.day == day).with_for_update()
    counter = (await session.exec(query)).one()
    counter.last += 1
    session.add(counter)
    return registration_number(prefix, day, counter.last)
