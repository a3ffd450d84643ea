"""The registries' front desk: every query, whether it comes over the sync channel or the HTTP mirror,
goes through `RegistryDesk.answer`, which checks the subject and the consent, logs who asked what for
which application under which consent (§14), runs the query, and signs the answer with the
registries' system certificate, carrying the request's SHA-512 (architecture §3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from services.registry_stub.models import QueryLogRow
from services.registry_stub.registries.queries import QUERIES
from shared.bus.envelope import Envelope
from shared.db import Database
from shared.eds.document import Author, EDocument
from shared.eds.signing import Signer, sign
from shared.errors import AppError
from shared.iin import is_valid_iin
from shared.logging import get_logger
from shared.participants import REGISTRIES
from shared.registries import ANSWER_TYPE, request_hash

log = get_logger(__name__)

ANSWER_MESSAGE = "registry.answer"


class RegistryDesk:
    def __init__(self, db: Database, signer: Callable[[], Awaitable[Signer]], today: Callable[[], date]) -> None:
        self.db = db
        self.signer = signer
        self.today = today

    async def answer(
        self,
        query: str,
        subject: Any,
        *,
        consent: str | None,
        requester: str,
        hash_: str,
        user_id: str | None = None,
        application: str | None = None,
    ) -> dict[str, Any]:
        """The signed answer to one query, or the catalogue error; logged either way."""
        key = _subject_key(query, subject)
        outcome = "ok"
        try:
            if query not in QUERIES:
                raise AppError("NOT_FOUND", {"query": query})
            registry, field, run = QUERIES[query]
            if field == "iin" and not is_valid_iin(key):
                raise AppError("IIN_INVALID", {"iin": key})
            if not consent or not str(consent).strip():
                raise AppError("CONSENT_REQUIRED", {"query": query})
            async with self.db.sessions() as session:
                result = await run(session, key, self.today())
            document = EDocument(
                type=ANSWER_TYPE,
                author=Author(bin=REGISTRIES.bin),
                registry=registry,
                query=query,
                subject={field: key},
                request_hash=hash_,
                application=application,
                result=result,
            )
            return sign(document, await self.signer(), role="registry")
        except AppError as error:
            outcome = error.code
            raise
        finally:
            await self._log(query, key, requester, user_id, application, consent, hash_, outcome)

    async def respond(self, request: Envelope) -> Envelope:
        """The sync-channel responder: ``{"query", "subject", "consent"}`` in, ``{"signed"}`` out."""
        body = request.document
        signed = await self.answer(
            str(body.get("query", "")),
            body.get("subject"),
            consent=body.get("consent"),
            requester=request.sender,
            hash_=request_hash(request),
            user_id=request.user_id,
            application=request.issue,
        )
        return request.reply(ANSWER_MESSAGE, REGISTRIES.address, {"signed": signed})

    async def _log(
        self,
        query: str,
        subject: str,
        requester: str,
        user_id: str | None,
        application: str | None,
        consent: str | None,
        hash_: str,
        outcome: str,
    ) -> None:
        try:
            async with self.db.transaction() as session:
                session.add(
                    QueryLogRow(
                        query=query[:40],
                        subject=subject[:40],
                        requester=requester[:200],
                        user_id=user_id,
                        application=application,
                        consent=(consent or None) and str(consent)[:200],
                        request_hash=hash_,
                        outcome=outcome,
                    )
                )
        except Exception:  # the answer stands; a lost log line is reported, not hidden
            log.exception("registry query could not be logged", query=query)


def _subject_key(query: str, subject: Any) -> str:
    field = QUERIES[query][1] if query in QUERIES else "iin"
    value = subject.get(field) if isinstance(subject, dict) else None
    if not isinstance(value, str) or not value:
        raise AppError("VALIDATION_FAILED", {"subject": f"{{{field!r}: …}} is required"})
    return value
