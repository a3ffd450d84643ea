"""The message envelope (architecture §3), modelled on the e-government gateway's message info and
X-Road's headers. The envelope travels as the AMQP body (JSON); ids are mirrored into the AMQP
properties so that the broker's tools show them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.calendar import utcnow

__all__ = ["Envelope", "new_id", "utcnow"]


def new_id() -> str:
    return str(uuid.uuid4())


class Envelope(BaseModel):
    """What every message on the bus carries.

    - ``message_type``: what happened or what is asked, e.g. ``application.submitted``; it is also
      the routing key on the topic exchange.
    - ``sender``: ``KZ/GOV/<BIN>/<subsystem>`` (X-Road style member/subsystem address).
    - ``user_id``: ``KZ<IIN>`` of the person acting; ``represented_party``: the citizen when an
      operator acts for them; ``issue``: the application number.
    - ``document``: the signed e-document (JWS JSON), or a plain payload for statuses.
    - ``proof``: the sender's signature over all of the above (architecture §9, `shared.bus.proof`):
      its system certificate signs the fields and the SHA-256 of the document's JCS bytes. Receivers
      believe nothing of an envelope before it verifies.
    """

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(default_factory=new_id)
    correlation_id: str = Field(default_factory=new_id)
    message_type: str
    service_id: str = "housing-queue"
    message_date: datetime = Field(default_factory=utcnow)
    sender: str
    user_id: str | None = None
    represented_party: str | None = None
    issue: str | None = None
    document: dict[str, Any] = Field(default_factory=dict)
    proof: dict[str, Any] | None = None

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, body: bytes) -> Envelope:
        return cls.model_validate_json(body)

    def reply(self, message_type: str, sender: str, document: dict[str, Any]) -> Envelope:
        """An answer on the sync channel: same correlation id, addressed to the same user."""
        return Envelope(
            correlation_id=self.correlation_id,
            message_type=message_type,
            service_id=self.service_id,
            sender=sender,
            user_id=self.user_id,
            represented_party=self.represented_party,
            issue=self.issue,
            document=document,
        )
