"""The transactional outbox (architecture §3): `enqueue` writes the message in the caller's
transaction; `OutboxRelay` publishes committed rows with confirms and marks them sent; `withdraw` and
`requeue` are what a service may ask of rows it wrote (stop a delivery; send a dead letter again).

The relay claims a batch (a lease in ``claimed_until``) and commits before it publishes, so no
database lock is held while the broker is slow — on SQLite a held lock would be the process-wide
writer lock. A row is marked sent only after the broker confirmed it, so a crash between the two
publishes it again when its lease runs out: delivery is at-least-once and consumers dedupe with the
inbox. A row the broker refuses (unroutable: its consumer has not declared its queue yet; or the
broker is down) stays pending and is retried with a growing delay, never dropped.

Every message is signed as it is published (architecture §9: `shared.bus.proof.Sealer`, with the
service's system credentials); while the service cannot sign (the NCA has not certified its key), its
rows wait in the outbox, retried the same way, and the reason is logged as an error.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import or_
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.envelope import Envelope
from shared.bus.port import PUBLISH_TIMEOUT_S, Bus
from shared.bus.proof import Sealer
from shared.calendar import utcnow
from shared.db import Database, note_outbox_written
from shared.errors import AppError
from shared.logging import get_logger
from shared.models import OutboxMessage

log = get_logger(__name__)

CLAIM_LEASE = timedelta(seconds=6 * PUBLISH_TIMEOUT_S)
"""How long a relay may take to publish a claimed batch before another relay may take it over; far
longer than a publish may wait for its confirm."""


def enqueue(session: AsyncSession, envelope: Envelope, routing_key: str | None = None) -> None:
    """Add ``envelope`` to the outbox inside the caller's transaction (routing key defaults to the
    message type). It is published after the transaction commits, and not at all if it rolls back."""
    session.add(
        OutboxMessage(
            id=envelope.message_id, routing_key=routing_key or envelope.message_type, body=envelope.model_dump_json()
        )
    )
    note_outbox_written(session)


async def withdraw(session: AsyncSession, message_id: str) -> bool:
    """Take the message out of the outbox before it is published, in the caller's transaction. True
    when it will never be published; False when it was published already, a relay is publishing it
    now, or there is no such message."""
    result = await session.exec(select(OutboxMessage).where(col(OutboxMessage.id) == message_id).with_for_update())
    row = result.first()
    if row is None or row.sent_at is not None or _claimed(row, utcnow()):
        return False
    await session.delete(row)
    return True


async def requeue(session: AsyncSession, envelope: Envelope, routing_key: str) -> None:
    """Publish ``envelope`` (again) under its own message id, in the caller's transaction: a message
    sent before goes out once more as it is now; a new one is enqueued."""
    row = await session.get(OutboxMessage, envelope.message_id, with_for_update=True)
    if row is None:
        enqueue(session, envelope, routing_key)
        return
    row.routing_key, row.body, row.sent_at, row.claimed_until = routing_key, envelope.model_dump_json(), None, None
    row.attempts, row.next_attempt_at, row.last_error = 0, utcnow(), None
    session.add(row)
    note_outbox_written(session)


async def resend_sent_since(db: Database, since: datetime) -> int:
    """Publish again, each under its own message id, every message marked sent at or after ``since``;
    how many. After the service's certificate was found revoked, what it signed with it meanwhile may
    have been refused by its receivers (dead-lettered at once, never applied): sent again, signed
    anew, they are applied there, and skipped (the inbox) where they were applied already."""
    async with db.transaction() as session:
        result = await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.sent_at) >= since)
            .values(sent_at=None, claimed_until=None, attempts=0, next_attempt_at=utcnow(), last_error=None)
        )
        note_outbox_written(session)
    return int(result.rowcount or 0)


def _claimed(row: OutboxMessage, now: datetime) -> bool:
    return row.claimed_until is not None and row.claimed_until > now


class Claimable(Protocol):
    """A row an outbox-like relay claims: pending until ``sent_at``, due at ``next_attempt_at``,
    claimed until ``claimed_until``, in the order of ``created_at`` (the kernel's outbox, the portal's
    mail outbox)."""

    sent_at: datetime | None
    next_attempt_at: datetime
    claimed_until: datetime | None
    created_at: datetime


R = TypeVar("R", bound=Claimable)


async def claim_due(db: Database, table: type[R], *, limit: int, lease_for: timedelta) -> tuple[list[R], datetime]:
    """Up to ``limit`` due, unclaimed rows of ``table``, oldest first, claimed (``claimed_until``: the
    lease) in a transaction of their own, committed on return; and the lease, which also tells this
    claim from a later one. On PostgreSQL rows locked by another claim are skipped, so replicas never
    take the same row."""
    now = utcnow()
    lease = now + lease_for
    model: Any = table  # the columns as SQL expressions
    async with db.transaction() as session:
        query = (
            select(table)
            .where(
                col(model.sent_at).is_(None),
                col(model.next_attempt_at) <= now,
                or_(col(model.claimed_until).is_(None), col(model.claimed_until) <= now),
            )
            .order_by(col(model.created_at))
            .limit(limit)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list((await session.exec(query)).all())
        for row in rows:
            row.claimed_until = lease
            session.add(row)
    return rows, lease


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(0.5 * 2 ** (attempts - 1), 30.0))


class OutboxRelay:
    """Publishes pending outbox rows in batches; woken after every commit that wrote one, and
    polling besides (for rows left by a crash or waiting for a retry)."""

    def __init__(
        self, db: Database, bus: Bus, sealer: Sealer, *, batch_size: int = 200, poll_interval: float = 0.5
    ) -> None:
        self.db = db
        self.bus = bus
        self.sealer = sealer
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

    async def _claim(self) -> tuple[list[OutboxMessage], datetime]:
        """Due rows, claimed for this relay (`claim_due`)."""
        return await claim_due(self.db, OutboxMessage, limit=self.batch_size, lease_for=CLAIM_LEASE)

    async def relay_once(self) -> int:
        """Claim one batch of due rows, publish it, record the outcome; returns how many were confirmed."""
        rows, lease = await self._claim()
        if not rows:
            return 0
        results = await self._publish(rows)
        done_at = utcnow()
        confirmed = [row.id for row, error in zip(rows, results, strict=True) if error is None]
        # Only rows still under this claim: one requeued meanwhile (its claim cleared) goes out again.
        ours = col(OutboxMessage.claimed_until) == lease
        async with self.db.transaction() as session:
            if confirmed:
                await session.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(confirmed), ours)
                    .values(sent_at=done_at, claimed_until=None)
                )
            for row, error in zip(rows, results, strict=True):
                if error is not None:
                    attempts = row.attempts + 1
                    await session.exec(
                        update(OutboxMessage)
                        .where(col(OutboxMessage.id) == row.id, ours)
                        .values(
                            attempts=attempts,
                            next_attempt_at=done_at + retry_delay(attempts),
                            last_error=repr(error)[:1000],
                            claimed_until=None,
                        )
                    )
        if len(confirmed) < len(rows):
            log.warning("outbox rows not confirmed; will retry", failed=len(rows) - len(confirmed))
        return len(confirmed)

    async def _publish(self, rows: list[OutboxMessage]) -> list[BaseException | None]:
        """Sign and publish ``rows``; one entry per row: None when the broker confirmed it, else why not."""
        results: list[BaseException | None] = [None] * len(rows)
        sealed: list[tuple[int, Envelope, str]] = []
        for index, row in enumerate(rows):
            try:
                sealed.append((index, await self.sealer.seal(Envelope.model_validate_json(row.body)), row.routing_key))
            except (AppError, ValueError) as exc:
                results[index] = exc
        if len(sealed) < len(rows):
            log.error(
                "outbox rows cannot be signed; they wait",
                unsigned=len(rows) - len(sealed),
                error=repr(next(r for r in results if r is not None))[:500],
            )
        published = await self.bus.publish_many([(envelope, key) for _, envelope, key in sealed]) if sealed else []
        for (index, _, _), error in zip(sealed, published, strict=True):
            results[index] = error
        return results

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
