"""Authenticated envelopes (architecture §9), as X-Road's security servers sign every message: the
sending service signs the envelope — its message id, correlation id, type, service, date, sender,
user, represented party and issue, and the SHA-256 of the JCS bytes of its document — with its system
certificate (`Sealer`, in the outbox relay and on the sync channel), and the receiver checks that
signature before anything else is done with the message (`Gatekeeper`, in the kernel: `shared.handlers`).

The proof is an e-document of its own (`EnvelopeClaims`, signed by the one `shared.eds.signing.sign`
and verified by the one `Verifier`), so it gets the verifier's whole order: bounds, algorithm, pinned
issuer, the signature first, validity, revocation, key usage. The receiver then asks what the verifier
leaves to it: the holder is a system, whose BIN is the BIN of the sender's address in the directory,
and that sender may send this message type (`shared.participants.PUBLISHES`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from shared.bus.envelope import Envelope
from shared.eds.credentials import SignerSource
from shared.eds.document import Author, EDocument
from shared.eds.jcs import canonical
from shared.eds.signing import sign
from shared.eds.verify import SignatureInfo, Verifier
from shared.errors import AppError
from shared.participants import BY_ADDRESS, BY_SERVICE, may_publish

PROOF_TYPE = "egov/envelope@1"
MAX_FIELD = 200
"""Longest text an envelope field may have (ids are UUIDs, addresses ~30 characters)."""


class EnvelopeClaims(EDocument):
    """What an envelope's proof signs: every field of the envelope but the document, and the
    document's SHA-256."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["egov/envelope@1"] = PROOF_TYPE  # type: ignore[assignment]
    message_id: str = Field(max_length=MAX_FIELD)
    correlation_id: str = Field(max_length=MAX_FIELD)
    message_type: str = Field(max_length=MAX_FIELD)
    service_id: str = Field(max_length=MAX_FIELD)
    message_date: datetime
    sender: str = Field(max_length=MAX_FIELD)
    user_id: str | None = Field(default=None, max_length=MAX_FIELD)
    represented_party: str | None = Field(default=None, max_length=MAX_FIELD)
    issue: str | None = Field(default=None, max_length=MAX_FIELD)
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def document_digest(envelope: Envelope) -> str:
    """SHA-256 (hex) of the JCS bytes of the envelope's document."""
    return hashlib.sha256(canonical(envelope.document)).hexdigest()


def _claimed(envelope: Envelope) -> dict[str, Any]:
    """The envelope's own values of the fields the proof signs."""
    return {
        "message_id": envelope.message_id,
        "correlation_id": envelope.correlation_id,
        "message_type": envelope.message_type,
        "service_id": envelope.service_id,
        "message_date": envelope.message_date,
        "sender": envelope.sender,
        "user_id": envelope.user_id,
        "represented_party": envelope.represented_party,
        "issue": envelope.issue,
        "document_sha256": document_digest(envelope),
    }


class Sealer:
    """Signs the envelopes one service sends, with its system credentials."""

    def __init__(self, credentials: SignerSource, service: str) -> None:
        self.credentials = credentials
        self.participant = BY_SERVICE[service]

    async def seal(self, envelope: Envelope) -> Envelope:
        """``envelope`` with this service's proof. An envelope of another sender is never signed here:
        one that comes with its sender's proof goes on as it is (the gateway replaying a dead letter
        of its queue: receivers judge the original sender); one without raises ValueError. Raises
        SERVICE_UNAVAILABLE (transient) while the service has no certificate."""
        if envelope.sender != self.participant.address:
            if envelope.proof is None:
                raise ValueError(f"{self.participant.service} cannot sign a message from {envelope.sender}")
            return envelope
        signer = await self.credentials.signer()
        claims = EnvelopeClaims(author=Author(bin=self.participant.bin), **_claimed(envelope))
        return envelope.model_copy(update={"proof": sign(claims, signer)})


class Gatekeeper:
    """Checks an envelope's proof before anything is done with the message (the kernel's first step)."""

    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier

    async def admit(self, envelope: Envelope, *, routing_key: str | None = None) -> SignatureInfo:
        """Who signed ``envelope``, once its proof is found to be its sender's and its sender may send it.
        Raises the verifier's code (a transient one, EDS_REVOCATION_UNKNOWN, may pass later), or
        MESSAGE_UNAUTHENTICATED / SENDER_NOT_ALLOWED, with the reason in the details.

        ``routing_key``: the key it was delivered under (everything here is published under its
        message type; another key means the message was put where it does not belong)."""
        if envelope.proof is None:
            raise AppError("MESSAGE_UNAUTHENTICATED", {"reason": "the envelope is not signed"})
        verified = await self.verifier.verify(envelope.proof, purpose="sign", model=EnvelopeClaims)
        own = _claimed(envelope)
        claims = verified.document.model_dump(include=set(own))
        differing = sorted(name for name, value in own.items() if claims.get(name) != value)
        if differing:
            raise AppError(
                "MESSAGE_UNAUTHENTICATED", {"reason": "the proof does not sign this envelope", "fields": differing}
            )
        author = verified.author
        sender = BY_ADDRESS.get(envelope.sender)
        if sender is None:
            raise AppError("MESSAGE_UNAUTHENTICATED", {"reason": "the sender is not in the directory"})
        if author.holder != "system" or author.bin != sender.bin:
            raise AppError(
                "MESSAGE_UNAUTHENTICATED",
                {
                    "reason": "the proof is not signed by the sender's system certificate",
                    "sender": envelope.sender,
                    "certificate": {"bin": author.bin, "holder": author.holder, "serial": author.serial},
                },
            )
        if not may_publish(sender.service, envelope.message_type):
            raise AppError("SENDER_NOT_ALLOWED", {"sender": envelope.sender, "message_type": envelope.message_type})
        if routing_key is not None and routing_key != envelope.message_type:
            raise AppError(
                "SENDER_NOT_ALLOWED",
                {"reason": "delivered under another routing key than its type", "routing_key": routing_key[:MAX_FIELD]},
            )
        return author
