"""The message log's hash chain (X-Road's message log; architecture §1 "the message log"). Every
entry names the message, who sent it where, the application and its registration number, and the
SHA-256 of the document as stored; it is sealed with

    entry_hash = SHA-256( prev_hash ‖ JCS(entry fields, document_sha256 included) )

where ``prev_hash`` is the previous entry's ``entry_hash`` (64 zeros for the first). Changing, removing
or reordering any entry, or any stored document, breaks every link after it; `ChainCheck` finds the
first broken one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.calendar import as_utc
from shared.eds.jcs import canonical

GENESIS = "0" * 64


def stored_text(value: Any) -> str:
    """A JSON value as the log stores it: its RFC 8785 text, so that its hash never depends on formatting."""
    return canonical(value).decode()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def timestamp(moment: datetime) -> str:
    """The logged time as hashed: UTC, microseconds, ``Z`` (a naive value is taken as UTC)."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Entry:
    """One entry of the log, as stored."""

    seq: int
    message_id: str
    correlation_id: str | None
    kind: str
    direction: str
    sender: str
    recipient: str
    application_id: str | None
    registration_number: str | None
    document: str
    document_sha256: str
    note: str | None
    logged_at: datetime
    prev_hash: str
    entry_hash: str

    def sealed_fields(self) -> dict[str, Any]:
        """What ``entry_hash`` covers besides ``prev_hash``: every field but the document text, whose
        hash stands for it."""
        return {
            "seq": self.seq,
            "message_id": self.message_id,
            "correlation_id": self.correlation_id,
            "kind": self.kind,
            "direction": self.direction,
            "sender": self.sender,
            "recipient": self.recipient,
            "application_id": self.application_id,
            "registration_number": self.registration_number,
            "document_sha256": self.document_sha256,
            "note": self.note,
            "logged_at": timestamp(self.logged_at),
        }

    def expected_hash(self) -> str:
        return seal(self.prev_hash, self.sealed_fields())


def seal(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None


class ChainCheck:
    """Walks the log in ``seq`` order, entry by entry (the log may be larger than memory)."""

    def __init__(self) -> None:
        self.expected_seq = 1
        self.prev_hash = GENESIS
        self.entries = 0
        self.broken: tuple[int, str] | None = None

    def add(self, entry: Entry) -> None:
        if self.broken is not None:
            return
        self.entries += 1
        if entry.seq != self.expected_seq:
            self.broken = (self.expected_seq, "entry missing")
        elif entry.prev_hash != self.prev_hash:
            self.broken = (entry.seq, "prev_hash does not link to the entry before")
        elif sha256_hex(entry.document) != entry.document_sha256:
            self.broken = (entry.seq, "the stored document was altered")
        elif entry.expected_hash() != entry.entry_hash:
            self.broken = (entry.seq, "the entry was altered")
        self.expected_seq = entry.seq + 1
        self.prev_hash = entry.entry_hash

    def report(self, head_seq: int, head_hash: str) -> ChainReport:
        """The verdict, given the head (the last seq and hash the log recorded when appending)."""
        if self.broken is None and (self.expected_seq - 1 != head_seq or self.prev_hash != head_hash):
            self.broken = (self.expected_seq, "entries missing at the end of the log")
        if self.broken is not None:
            return ChainReport(False, self.entries, self.broken[0], self.broken[1])
        return ChainReport(True, self.entries)
