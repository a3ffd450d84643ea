"""Asking the state registries over the sync channel (architecture §3; §14): the request, its
hash (X-Road's ``requestHash``: SHA-512 of the request's canonical bytes), and the checks on the
answer: a registry-signed e-document that carries that hash. Used by the Center and the provider;
the registry stub answers (services/registry_stub/registries/desk.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from shared.bus.envelope import Envelope
from shared.bus.port import Bus
from shared.eds.jcs import canonical
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.participants import REGISTRIES

REGISTRY_BIN = REGISTRIES.bin
"""The registries' system BIN (shared.participants)."""
QUERY_TYPES = (
    "person",
    "power-of-attorney",
    "civil-status",
    "real-estate",
    "addresses",
    "social-status",
    "employment",
    "emergency-dwellings",
    "court-decisions",
)
ANSWER_TYPE = "registry/answer@1"


def routing_key(query: str) -> str:
    return f"registry.{query}.get"


def request_hash(envelope: Envelope) -> str:
    """SHA-512 (hex) of the JCS bytes of the request envelope, as both sides see it."""
    return hashlib.sha512(canonical(envelope.model_dump(mode="json"))).hexdigest()


@dataclass(frozen=True)
class RegistryAnswer:
    result: dict[str, Any]
    document: dict[str, Any]
    signed: dict[str, Any]


class RegistryClient:
    """Query a registry and accept only an answer signed by the registries' system certificate for
    exactly this request."""

    def __init__(self, bus: Bus, verifier: Verifier, *, sender: str, timeout: float = 10.0) -> None:
        self.bus = bus
        self.verifier = verifier
        self.sender = sender
        self.timeout = timeout

    async def ask(
        self, query: str, subject: dict[str, str], *, consent: str, user_id: str | None = None, issue: str | None = None
    ) -> RegistryAnswer:
        """``consent``: the reference of the §14 written consent (or of the signed application that
        carries it). Raises the registry's catalogue error (PERSON_NOT_FOUND, POA_EXPIRED, …)."""
        if query not in QUERY_TYPES:
            raise ValueError(f"unknown registry query {query!r}")
        request = Envelope(
            message_type=routing_key(query),
            sender=self.sender,
            user_id=user_id,
            issue=issue,
            document={"query": query, "subject": subject, "consent": consent},
        )
        reply = await self.bus.request(request, timeout=self.timeout)
        signed = reply.document.get("signed")
        if not isinstance(signed, dict):
            raise AppError("UPSTREAM_ERROR", {"reason": "the answer carries no signed document"})
        verified = await self.verifier.verify(signed)
        document = verified.payload
        author = verified.signatures[0]
        if document.get("type") != ANSWER_TYPE or author.bin != REGISTRY_BIN or author.role != "registry":
            raise AppError("UPSTREAM_ERROR", {"reason": "the answer is not a registry's signed answer"})
        if document.get("request_hash") != request_hash(request):
            raise AppError("UPSTREAM_ERROR", {"reason": "the answer's request hash is not this request's"})
        return RegistryAnswer(document["result"], document, signed)
