"""Statuses of one application handled at the same time (prefetch runs handlers concurrently) must
not overwrite each other: on PostgreSQL, without a row lock, the lower status read before the higher
one committed would win — the citizen would see their case go back to an earlier state."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from services.portal_gateway.handlers import on_status
from services.portal_gateway.models import Application
from shared.bus.envelope import Envelope
from shared.bus.inbox import idempotent
from shared.bus.port import Delivery
from shared.db import Database
from shared.housing.messages import StatusChange
from shared.migrate import migrate

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "portal_gateway" / "migrations"


def status(application_id: str, value: str, at: datetime) -> Delivery:
    change = StatusChange(application_id=application_id, status=value, at=at)  # type: ignore[arg-type]
    envelope = Envelope(message_type="status.portal", sender="KZ/GOV/140440000309/gateway", issue=application_id,
                        document=change.model_dump(mode="json"))  # fmt: skip
    return Delivery(envelope, "status.portal", "portal_gateway.statuses", 1)


async def test_concurrent_statuses_never_move_an_application_back(database_url: str) -> None:
    db = Database(database_url)
    await migrate(db, MIGRATIONS)
    now = datetime.now(UTC)
    handler = idempotent(db, "portal_gateway.statuses", on_status)
    try:
        for n in range(15):
            application_id = f"00000000-0000-4000-8000-{n:012d}"
            async with db.transaction() as session:
                session.add(Application(id=application_id, iin="900101300017" if n == 0 else f"9001013{n:05d}",
                                        district="karaganda", signed="{}", submitted_at=now, status="SUBMITTED",
                                        status_at=now, expected_result_date=date.today()))  # fmt: skip
            await asyncio.gather(
                handler(status(application_id, "REGISTERED_AT_GATEWAY", now + timedelta(seconds=1))),
                handler(status(application_id, "REFUSED_DOCUMENTS", now + timedelta(seconds=2))),
            )
            async with db.sessions() as session:
                row = await session.get(Application, application_id)
            assert row is not None and row.status == "REFUSED_DOCUMENTS", f"round {n}: {row and row.status}"
    finally:
        await db.dispose()
