"""Evidence from the message log, behind the admin token: a message's stored document with its log
entry and hashes, and a check of the whole chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from services.regional_gateway import message_log
from services.regional_gateway.api.deps import AdminOnly, Db
from services.regional_gateway.api.schemas import ChainVerdict, LogEntryView, MessageEvidence
from shared.errors import AppError

router = APIRouter(prefix="/api/v1/evidence", tags=["evidence"], dependencies=[AdminOnly])


@router.get(
    "/messages/{message_id}",
    response_model=MessageEvidence,
    summary="A message's stored document and its log entry",
    description="The document exactly as the gateway logged it (a signed application as received or as stamped, "
    "a receipt, a status, a signed result) with its log entry: sequence number, sender, recipient, registration "
    "number, the document's SHA-256, the previous entry's hash and the entry's own, and whether they still hold "
    "(`intact`). NOT_FOUND when the log has no such message.",
)
async def message_evidence(db: Db, message_id: Annotated[str, Path(max_length=200)]) -> MessageEvidence:
    async with db.sessions() as session:
        rows = await message_log.entries_for_message(session, message_id=message_id)
    if not rows:
        raise AppError("NOT_FOUND", {"message_id": message_id})
    return MessageEvidence(message_id=message_id, entries=[LogEntryView.of(r) for r in rows])


@router.get(
    "/log/verify",
    response_model=ChainVerdict,
    summary="Check the message log's hash chain end to end",
    description="Walks every entry from the first to the head: sequence without gaps, each `prev_hash` equal to "
    "the entry before's hash, each document and entry hashing to what was sealed, the last one equal to the head. "
    "`first_broken_seq` names the first entry that does not hold.",
)
async def verify_log(db: Db) -> ChainVerdict:
    return ChainVerdict.of(await message_log.verify_chain(db))
