"""Statuses of one application handled at the same time (prefetch runs handlers concurrently) must
not overwrite each other: on PostgreSQL, without a row lock, the lower status read before the higher
one committed would win — the citizen would see their case go back to an earlier state."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from services.portal_gateway import handlers
from services.portal_gateway.models import Application
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.bus.proof import Gatekeeper
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.revocation import HttpFetcher, RevocationSources
from shared.eds.trust import NcaTrust
from shared.eds.verify import Verifier
from shared.handlers import MessageHandler, handle
from shared.housing.messages import StatusChange, status_key
from shared.migrate import migrate
from shared.participants import GATEWAY, PORTAL

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "portal_gateway" / "migrations"


class Admitting(Gatekeeper):
    """Admits every message: this suite is about the row lock, not about who sent the statuses."""

    async def admit(self, envelope: Envelope, *, routing_key: str | None = None) -> Any:
        return None


async def unsigned_status(delivery: Delivery) -> StatusChange:
    return StatusChange.model_validate(delivery.envelope.document)


def status(application_id: str, value: str, at: datetime) -> Delivery:
    change = StatusChange(application_id=application_id, status=value, at=at)
    key = status_key(PORTAL.address)
    envelope = Envelope(
        message_type=key, sender=GATEWAY.address, issue=application_id, document=change.model_dump(mode="json")
    )
    return Delivery(envelope, key, handlers.QUEUES["statuses"], 1)


async def test_concurrent_statuses_never_move_an_application_back(database_url: str) -> None:
    db = Database(database_url)
    await migrate(db, MIGRATIONS)
    now = utcnow()
    fetcher = HttpFetcher()  # the statuses' entry verifies nothing: the verifier is never asked
    verifier = Verifier(NcaTrust("http://nca.invalid"), RevocationSources(fetcher))
    table = handlers.table(verifier=verifier)
    gatekeeper = Admitting(verifier)
    # The statuses' apply as it is; its check (the provider's signature) is not what this suite is about.
    entry: MessageHandler = replace(
        next(h for h in table if h.queue == handlers.QUEUES["statuses"]), check=unsigned_status
    )
    try:
        for n in range(15):
            application_id = f"00000000-0000-4000-8000-{n:012d}"
            async with db.transaction() as session:
                session.add(
                    Application(
                        id=application_id,
                        iin="900101300017" if n == 0 else f"9001013{n:05d}",
                        district="karaganda",
                        signed="{}",
                        submitted_at=now,
                        status="SUBMITTED",
                        status_at=now,
                        expected_result_date=date.today(),
                    )
                )
            await asyncio.gather(
                handle(
                    db, entry, status(application_id, "REGISTERED_AT_GATEWAY", now + timedelta(seconds=1)), gatekeeper
                ),
                handle(db, entry, status(application_id, "REFUSED_DOCUMENTS", now + timedelta(seconds=2)), gatekeeper),
            )
            async with db.sessions() as session:
                row = await session.get(Application, application_id)
            assert row is not None and row.status == "REFUSED_DOCUMENTS", f"round {n}: {row and row.status}"
    finally:
        await fetcher.aclose()
        await db.dispose()
