"""The message log (X-Road's message log): every message the gateway receives, refuses, forwards,
answers or relays is appended, with its document, in the transaction that handles it. Appends are
serialised by the head row (`LogHead`, locked FOR UPDATE on PostgreSQL; SQLite has one writer), so the
chain (domain/chain.py) stays one line whatever the number of consumers."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway.domain.chain import ChainCheck, ChainReport, Entry, sha256_hex, stored_text
from services.regional_gateway.models import LogEntry, LogHead
from shared.bus.envelope import Envelope
from shared.calendar import utcnow
from shared.db import Database

HEAD_ID = 1
"""The one head row (made by migration 0002)."""


async def append(
    session: AsyncSession,
    *,
    envelope: Envelope,
    kind: str,
    direction: str,
    recipient: str,
    application_id: str | None,
    sender: str | None = None,
    registration_number: str | None = None,
    note: dict[str, Any] | None = None,
) -> LogEntry:
    """Log ``envelope`` — its id, correlation and document; sent by ``sender`` (default: the envelope's),
    to or on ``recipient`` (the routing key it went to or came on) — in the caller's transaction (it is
    logged if and only if the transaction commits)."""
    head = (await session.exec(select(LogHead).where(LogHead.id == HEAD_ID).with_for_update())).one()
    document = _storable(envelope.document)
    entry = Entry(
        seq=head.seq + 1,
        message_id=envelope.message_id,
        correlation_id=envelope.correlation_id,
        kind=kind,
        direction=direction,
        sender=sender or envelope.sender,
        recipient=recipient,
        application_id=application_id,
        registration_number=registration_number,
        document=document,
        document_sha256=sha256_hex(document),
        note=stored_text(note) if note is not None else None,
        logged_at=utcnow(),
        prev_hash=head.entry_hash,
        entry_hash="",
    )
    sealed = entry.expected_hash()
    row = LogEntry(**{**entry.__dict__, "entry_hash": sealed})
    head.seq, head.entry_hash = entry.seq, sealed
    session.add(row)
    session.add(head)
    return row


def _storable(document: Any) -> str:
    """The document's JCS text; a document JCS cannot express (an integer beyond ±2^53 in a refused
    message) is kept as its plain JSON text inside a wrapper, so that it is still logged."""
    try:
        return stored_text(document)
    except (ValueError, TypeError, OverflowError):
        return stored_text({"unrepresentable_json": json.dumps(document, sort_keys=True, default=str)})


def as_entry(row: LogEntry) -> Entry:
    return Entry(**row.model_dump())


async def entries_for_message(session: AsyncSession, *, message_id: str) -> list[LogEntry]:
    return await _entries(session, col(LogEntry.message_id) == message_id)


async def entries_for_application(session: AsyncSession, *, application_id: str) -> list[LogEntry]:
    return await _entries(session, col(LogEntry.application_id) == application_id)


async def _entries(session: AsyncSession, condition: ColumnElement[bool]) -> list[LogEntry]:
    return list((await session.exec(select(LogEntry).where(condition).order_by(col(LogEntry.seq)))).all())


async def verify_chain(db: Database, *, batch: int = 500) -> ChainReport:
    """Walk the log from the first entry to the head (as it was when the walk began), in batches. It
    takes the database, not a session: each batch is read in a short session of its own, so that a walk
    of a large log neither holds up appends nor keeps one snapshot open."""
    async with db.sessions() as session:
        head = (await session.exec(select(LogHead).where(LogHead.id == HEAD_ID))).one()
    check = ChainCheck()
    after = 0
    while True:
        async with db.sessions() as session:
            query = (
                select(LogEntry)
                .where(col(LogEntry.seq) > after, col(LogEntry.seq) <= head.seq)
                .order_by(col(LogEntry.seq))
                .limit(batch)
            )
            rows = list((await session.exec(query)).all())
        for row in rows:
            check.add(as_entry(row))
        if len(rows) < batch or check.broken is not None:
            break
        after = rows[-1].seq
    return check.report(head.seq, head.entry_hash)
