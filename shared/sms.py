"""Text messages to citizens' phones (the portal's one-time codes), as the e-mail Maildir is planned: a
sink that keeps every message it "sends" as one JSON file, for `make run` users, integration testers
and in-process tests to read, instead of an SMS gateway.

A message is ``{"id", "to", "text", "sent_at"}`` (``to`` in E.164, ``sent_at`` RFC 3339 UTC), written to
``<directory>/<sent_at>-<id>.json`` — under a temporary name first and then renamed, so a reader never
sees half a message; names sort in the order sent. The text may hold a secret (a one-time code): it is
never logged, here or by the callers; the log says only that a message went, to whom, and its id."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from shared.calendar import utcnow
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SmsMessage:
    id: str
    to: str
    text: str
    sent_at: str


class SmsSender(Protocol):
    """What sends a text message to a phone number (the file sink; an SMS gateway's client would be one)."""

    async def send(self, *, to: str, text: str) -> SmsMessage: ...


class FileSmsSink:
    """Keeps each message as a JSON file in ``directory`` (made on the first message)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    async def send(self, *, to: str, text: str) -> SmsMessage:
        now: datetime = utcnow()
        message = SmsMessage(id=uuid.uuid4().hex, to=to, text=text, sent_at=now.isoformat().replace("+00:00", "Z"))
        name = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{message.id}.json"
        await asyncio.to_thread(self._write, name, message)
        log.info("sms sent", to=f"{to[:5]}…{to[-2:]}", sms_id=message.id)
        return message

    def _write(self, name: str, message: SmsMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / f".{name}.tmp"
        temporary.write_text(json.dumps(asdict(message), ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.directory / name)


def read_messages(directory: Path | str, *, to: str | None = None) -> list[SmsMessage]:
    """The messages kept in ``directory``, oldest first; only those to ``to`` when it is given."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        message = SmsMessage(id=data["id"], to=data["to"], text=data["text"], sent_at=data["sent_at"])
        if to is None or message.to == to:
            found.append(message)
    return found
