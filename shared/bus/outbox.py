"""The transactional outbox (ARCHITECTURE §3): `enqueue` writes the message in the caller's
transaction; `OutboxRelay` publishes committed rows with confirms and marks them sent.

A row is marked sent only after the broker confirmed it, so a crash between the two publishes it
again: delivery is at-least-once and consumers dedupe with the inbox. A row the broker refuses
(unroutable: its consumer has not declared its queue yet; or the broker is down) stays pending and
is retried with a growing delay, never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.envelope import Envelope, utcnow
from shared.bus.port import Bus
from shared.db import OUTBOX_WRITTEN, Database
from shared.logging import get_logger
from shared.models import OutboxMessage

log = get_logger(__name__)


def enqueue(session: AsyncSession, envelope: Envelope, routing_key: str | None = None) -> None:
    """Add ``envelope`` to the outbox inside the caller's transaction (routing key defaults to the
    message type). It is published after the transaction commits, and not at all if it rolls back."""
    session.add(
        OutboxMessage(
            id=envelope.message_id, routing_key=routing_key or envelope.message_type, body=envelope.model_dump_json()
        )
    )
    session.info[OUTBOX_WRITTEN] = True


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(0.5 * 2 ** (attempts - 1), 30.0))


class OutboxRelay:
    """Publishes pending outbox rows in batches; woken after every commit that wrote one, and
    polling besides (for rows left by a crash or waiting for a retry)."""

    def __init__(self, db: Database, bus: Bus, *, batch_size: int = 200, poll_interval: float = 0.5) -> None:
        self.db = db
        self.bus = bus
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        db.on_outbox_commit(self.wake)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def relay_once(self) -> int:
        """Publish one batch of due rows; returns how many were confirmed."""
        now = utcnow()
        async with self.db.transaction() as session:
            query = (
                select(OutboxMessage)
                .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.next_attempt_at) <= now)
                .order_by(col(OutboxMessage.created_at))
                .limit(self.batch_size)
            )
            if self.db.dialect == "postgresql":
                # Several relays (replicas) share the table without publishing the same row twice.
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.exec(query)).all())
            if not rows:
                return 0
            results = await self.bus.publish_many(
                [(Envelope.model_validate_json(row.body), row.routing_key) for row in rows]
            )
            confirmed = 0
            sent_at = utcnow()
            for row, error in zip(rows, results, strict=True):
                if error is None:
                    row.sent_at = sent_at
                    confirmed += 1
                else:
                    row.attempts += 1
                    row.next_attempt_at = sent_at + retry_delay(row.attempts)
                    row.last_error = repr(error)[:1000]
                session.add(row)
            if confirmed < len(rows):
                log.warning("outbox rows not confirmed; will retry", failed=len(rows) - confirmed)
            return confirmed

    async def _run(self) -> None:
        while True:
            try:
                published = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                published = 0
                await asyncio.sleep(self.poll_interval)
            if published >= self.batch_size:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
