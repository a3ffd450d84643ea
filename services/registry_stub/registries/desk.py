"""The registries' front desk: every query, whether it comes over the sync channel or the HTTP mirror,
goes through `RegistryDesk.answer`, which checks the subject and the consent, logs who asked what for
which application under which consent (§14), runs the query, and signs the answer with the
registries' system certificate, carrying the request's SHA-512 (architecture §3).

The consent (architecture §9; `shared.consent`) is a signed e-document, checked before anything is looked
up: it verifies (purpose SIGN), it is for this service, not expired, signed by whom its kind needs, and given
to the requester, whose BIN the sync channel has authenticated (the envelope's proof: `shared.bus.proof`);
the subject is the consenting person, a member of their family as the individuals registry links them, or
a household member the signed application names; an unproven attestation (``claimed``) covers only the
person and mobile-phone queries about the person themselves. A power of attorney is asked about by its
number: the consenting person must be its principal or its attorney. Refusals: CONSENT_REQUIRED,
CONSENT_INVALID, CONSENT_EXPIRED, CONSENT_NOT_APPLICABLE; the log keeps the consent's reference (type, id,
payload hash), never the document.

The HTTP mirrors are for testers: in test mode (``tester``) they take any non-empty consent string, as
before; outside it they are closed (FORBIDDEN), since an HTTP caller is no authenticated requester."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.registry_stub.models import FamilyLinkRow, PowerOfAttorneyRow, QueryLogRow
from services.registry_stub.registries.queries import QUERIES
from shared.bus.envelope import Envelope
from shared.calendar import utcnow
from shared.consent import Consent, check_consent, reference
from shared.db import Database
from shared.eds.document import Author, EDocument
from shared.eds.signing import Signer, sign
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.iin import is_valid_iin
from shared.logging import get_logger
from shared.participants import BY_ADDRESS, REGISTRIES
from shared.registries import ANSWER_TYPE, request_hash

log = get_logger(__name__)

ANSWER_MESSAGE = "registry.answer"
MIRRORS_CLOSED = (
    "the HTTP mirrors answer only in test mode (NCA_TEST_MODE=1); systems ask on the sync channel, under a "
    "signed consent"
)


class RegistryDesk:
    def __init__(
        self,
        db: Database,
        signer: Callable[[], Awaitable[Signer]],
        today: Callable[[], date],
        *,
        verifier: Verifier,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.signer = signer
        self.today = today
        self.verifier = verifier
        self.clock = clock

    async def answer(
        self,
        query: str,
        subject: Any,
        *,
        consent: Any,
        requester: str,
        hash_: str,
        requester_bin: str | None = None,
        tester: bool = False,
        user_id: str | None = None,
        application: str | None = None,
    ) -> dict[str, Any]:
        """The signed answer to one query, or the catalogue error; logged either way. ``requester_bin``:
        the authenticated requester's BIN (the sync channel), against which the signed ``consent`` is
        checked; ``tester``: a test-mode mirror, where any non-empty consent string stands. Neither: FORBIDDEN."""
        key = _subject_key(query, subject)
        outcome = "ok"
        try:
            if query not in QUERIES:
                raise AppError("NOT_FOUND", {"query": query})
            registry, field, run = QUERIES[query]
            if field == "iin" and not is_valid_iin(key):
                raise AppError("IIN_INVALID", {"iin": key})
            checked: Consent | None = None
            if requester_bin is not None:
                checked = await check_consent(self.verifier, consent, now=self.clock())
                checked.require_requester(requester_bin)
            elif not tester:
                raise AppError("FORBIDDEN", {"reason": MIRRORS_CLOSED})
            elif not consent or not str(consent).strip():
                raise AppError("CONSENT_REQUIRED", {"query": query})
            async with self.db.sessions() as session:
                if checked is not None:
                    await _require_covered(session, checked, query, key)
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
            await self._log(query, key, requester, user_id, application, reference(consent), hash_, outcome)

    async def respond(self, request: Envelope) -> Envelope:
        """The sync-channel responder: ``{"query", "subject", "consent"}`` in, ``{"signed"}`` out. The kernel
        admitted the request (its sender's system certificate signed it), so its sender is a participant of
        the directory, whose BIN the consent must name."""
        body = request.document
        sender = BY_ADDRESS.get(request.sender)
        if sender is None:  # pragma: no cover - the kernel admits only the directory's senders
            raise AppError("MESSAGE_UNAUTHENTICATED", {"reason": "the sender is not in the directory"})
        signed = await self.answer(
            str(body.get("query", "")),
            body.get("subject"),
            consent=body.get("consent"),
            requester=request.sender,
            requester_bin=sender.bin,
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
                        consent=consent,
                        request_hash=hash_,
                        outcome=outcome,
                    )
                )
        except Exception:  # the answer stands; a lost log line is reported, not hidden
            log.exception("registry query could not be logged", query=query)


async def _require_covered(session: AsyncSession, consent: Consent, query: str, key: str) -> None:
    """CONSENT_NOT_APPLICABLE unless ``consent`` covers ``query`` about ``key``: the person themselves, a
    household member the application names, or a member of the person's family as the individuals registry
    links them (`Consent.allows_query` first: an unproven attestation, a query about the person alone);
    for a power of attorney, the person is its principal or attorney (an unknown number is the query's
    POA_NOT_FOUND)."""
    if not consent.allows_query(query, key):
        raise _not_covered(consent, f"this consent covers no {query!r} query about this person")
    if query == "power-of-attorney":
        poa = await session.get(PowerOfAttorneyRow, key)
        if poa is None or consent.person in (poa.principal_iin, poa.attorney_iin):
            return
        raise _not_covered(consent, "the consenting person is neither the principal nor the attorney")
    if key == consent.person or key in consent.household:
        return
    if await session.get(FamilyLinkRow, (consent.person, key)) is None:
        raise _not_covered(consent, "the person asked about is not the consenting person or of their family")


def _not_covered(consent: Consent, reason: str) -> AppError:
    return AppError("CONSENT_NOT_APPLICABLE", {"reason": reason, "consent": consent.reference})


def _subject_key(query: str, subject: Any) -> str:
    field = QUERIES[query][1] if query in QUERIES else "iin"
    value = subject.get(field) if isinstance(subject, dict) else None
    if not isinstance(value, str) or not value:
        raise AppError("VALIDATION_FAILED", {"subject": f"{{{field!r}: …}} is required"})
    return value
