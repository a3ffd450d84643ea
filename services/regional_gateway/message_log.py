"""The message log (X-Road's message log): every message the gateway receives, refuses, forwards,
answers or relays is appended, with its document, in the transaction that handles it. Appends are
serialised by the head row (`LogHead`, locked FOR UPDATE on PostgreSQL; SQLite has one writer), so the
chain (domain/chain.py) stays one line whatever the number of consumers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway.domain.chain import ChainCheck, ChainReport, Entry, sha256_hex, stored_text
from services.regional_gateway.models import LogEntry, LogHead
from shared.bus.envelope import utcnow
from shared.db import Database

HEAD_ID = 1
"""The one head row (made by migration 0002)."""


@dataclass(frozen=True)
class Record:
    """What is logged about one message."""

    message_id: str
    correlation_id: str | None
    kind: str
    direction: str
    sender: str
    recipient: str
    document: Any
    application_id: str | None = None
    registration_number: str | None = None
    note: dict[str, Any] | None = None


async def append(session: AsyncSession, record: Record) -> LogEntry:
    """Append ``record`` to the chain in the caller's transaction (it is logged if and only if the
    transaction commits)."""
    head = (await session.exec(select(LogHead).where(LogHead.id == HEAD_ID).with_for_update())).one()
    document = _storable(record.document)
    entry = Entry(
        seq=head.seq + 1, message_id=record.message_id, correlation_id=record.correlation_id, kind=record.kind,
        direction=record.direction, sender=record.sender, recipient=record.recipient,
        application_id=record.application_id, registration_number=record.registration_number, document=document,
        document_sha256=sha256_hex(document), note=stored_text(record.note) if record.note is not None else None,
        logged_at=utcnow(), prev_hash=head.entry_hash, entry_hash="",
    )  # fmt: skip
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


async def entries_for_message(db: Database, message_id: str) -> list[LogEntry]:
    async with db.sessions() as session:
        query = select(LogEntry).where(LogEntry.message_id == message_id).order_by(col(LogEntry.seq))
        return list((await session.exec(query)).all())


async def entries_for_application(db: Database, application_id: str) -> list[LogEntry]:
    async with db.sessions() as session:
        query = select(LogEntry).where(LogEntry.application_id == application_id).order_by(col(LogEntry.seq))
        return list((await session.exec(query)).all())


async def verify_chain(db: Database, *, batch: int = 500) -> ChainReport:
    """Walk the log from the first entry to the head (as it was when the walk began), in batches, each
    read in a short session so that appends are not held up."""
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
