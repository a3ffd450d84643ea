"""Asking the state registries over the sync channel (architecture §3; §14): the request, signed by
the asking service (architecture §9), its hash (X-Road's ``requestHash``: SHA-512 of the signed
request's canonical bytes), and the checks on the reply: signed by the registries' system certificate
(an error reply too, before it is believed), its answer a registry-signed e-document that carries that
hash. Used by the portal, the Center and the provider; the registry stub answers
(services/registry_stub/registries/desk.py).

A reply that fails because the registries' own certificate is revoked or expired is not the asker's
to refuse anything on: it raises SERVICE_UNAVAILABLE (transient: a message waiting on the answer is
redelivered while the registries renew their certificate), logged as an error."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from shared.bus.envelope import Envelope
from shared.bus.port import Bus, raise_if_error
from shared.bus.proof import Gatekeeper, Sealer
from shared.eds.jcs import canonical
from shared.errors import AppError, is_transient
from shared.logging import get_logger
from shared.participants import REGISTRIES

log = get_logger(__name__)

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
    "mobile-phone",
)
ANSWER_TYPE = "registry/answer@1"
OWN_CREDENTIAL_FAILURES = ("EDS_CERT_REVOKED", "EDS_CERT_EXPIRED", "EDS_CERT_NOT_YET_VALID")
"""Codes that, on a reply the registries signed, say their certificate is unusable: theirs to renew."""


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
    """Query a registry, signed as the asking service (``sealer``), and accept only a reply admitted by
    ``gatekeeper`` as the registries' whose answer is signed by their system certificate for exactly
    this request."""

    def __init__(self, bus: Bus, *, sealer: Sealer, gatekeeper: Gatekeeper, timeout: float = 10.0) -> None:
        self.bus = bus
        self.sealer = sealer
        self.gatekeeper = gatekeeper
        self.timeout = timeout

    @property
    def sender(self) -> str:
        return self.sealer.participant.address

    async def ask(
        self,
        query: str,
        subject: dict[str, str],
        *,
        consent: dict[str, Any],
        user_id: str | None = None,
        issue: str | None = None,
    ) -> RegistryAnswer:
        """``consent``: the signed consent the query rests on (`shared.consent`: the signed application, or
        this service's ``registry/consent@1`` attestation), which the registries check against this
        service and the subject (CONSENT_INVALID, CONSENT_EXPIRED, CONSENT_NOT_APPLICABLE). Raises the
        registry's catalogue error (PERSON_NOT_FOUND, POA_EXPIRED, …)."""
        if query not in QUERY_TYPES:
            raise ValueError(f"unknown registry query {query!r}")
        request = await self.sealer.seal(
            Envelope(
                message_type=routing_key(query),
                sender=self.sender,
                user_id=user_id,
                issue=issue,
                document={"query": query, "subject": subject, "consent": consent},
            )
        )
        reply = await self.bus.request(request, timeout=self.timeout)
        await self._admit(reply)
        raise_if_error(reply)
        signed = reply.document.get("signed")
        if not isinstance(signed, dict):
            raise AppError("UPSTREAM_ERROR", {"reason": "the answer carries no signed document"})
        try:
            verified = await self.gatekeeper.verifier.verify(signed)
        except AppError as exc:
            raise _refused(exc, "the answer's signature") from None
        document = verified.payload
        author = verified.signatures[0]
        if document.get("type") != ANSWER_TYPE or author.bin != REGISTRY_BIN or author.role != "registry":
            raise AppError("UPSTREAM_ERROR", {"reason": "the answer is not a registry's signed answer"})
        if document.get("request_hash") != request_hash(request):
            raise AppError("UPSTREAM_ERROR", {"reason": "the answer's request hash is not this request's"})
        return RegistryAnswer(document["result"], document, signed)

    async def _admit(self, reply: Envelope) -> None:
        """The reply is the registries' (their system certificate signed its envelope)."""
        if reply.sender != REGISTRIES.address:
            raise AppError("UPSTREAM_ERROR", {"reason": "the reply is not from the registries"})
        try:
            await self.gatekeeper.admit(reply)
        except AppError as exc:
            raise _refused(exc, "the reply's envelope") from None


def _refused(exc: AppError, what: str) -> AppError:
    """What a failed check of the registries' signature becomes for the asker: the same transient error;
    SERVICE_UNAVAILABLE when their certificate is unusable (theirs to renew; an error in the log);
    UPSTREAM_ERROR otherwise."""
    if is_transient(exc.code):
        return exc
    if exc.code in OWN_CREDENTIAL_FAILURES:
        log.error("the registries' certificate is unusable; their answers wait until they renew it", code=exc.code)
        return AppError("SERVICE_UNAVAILABLE", {"reason": f"{what}: the registries' certificate", "code": exc.code})
    return AppError("UPSTREAM_ERROR", {"reason": f"{what} does not verify", "code": exc.code})
