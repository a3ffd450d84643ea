"""Statuses and results from the provider back to whoever submitted the application (architecture §3):
``case.status`` (the provider's `SignedStatus`) → ``status.<sender>``, ``case.result`` (the signed
result) → ``result.<sender>``. The kernel has admitted the message (its envelope is the provider's:
architecture §9). The envelope's issue names the application; the gateway looks up its original sender
(kept at registration), checks that the message comes from the provider of the application's district
and that its document is signed by the provider (a status) or verifies (a result): nothing forwarded
unverified; it logs it and forwards it under the same message id. The provider's first word about an
application also means it was delivered: a receipt DELIVERED goes to the sender. An application the
gateway never registered fails the message: it is retried, then dead-lettered for the operator.

`check` (the verification) runs before the transaction, `apply` in the inbox's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import message_log, outgoing
from services.regional_gateway.domain.delivery import after_provider_answer, refusal_of
from services.regional_gateway.domain.routing import serves
from services.regional_gateway.models import GatewayApplication
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.housing.messages import CASE_RESULT, CASE_STATUS, SignedStatus, StatusChange, result_key, status_key
from shared.logging import get_logger
from shared.participants import PROVIDER

log = get_logger(__name__)


@dataclass(frozen=True)
class ProviderMessage:
    """The verdict on a status or result from the provider, reached outside the transaction."""

    kind: str
    """``status`` or ``result``."""
    application_id: str | None
    status: StatusChange | None = None
    error: dict[str, Any] | None = None


async def check(delivery: Delivery, *, verifier: Verifier) -> ProviderMessage:
    envelope = delivery.envelope
    kind = "status" if CASE_STATUS in (delivery.routing_key, envelope.message_type) else "result"
    application_id = envelope.issue or (
        str(envelope.document.get("application_id")) if envelope.document.get("application_id") else None
    )
    if kind == "status":
        try:
            status = await verify_status(verifier, envelope.document)
        except AppError as exc:
            return ProviderMessage(kind, application_id, error=refusal_of(exc))
        if application_id is not None and status.application_id != application_id:
            error = {"code": "VALIDATION_FAILED", "details": {"reason": "the status is about another application"}}
            return ProviderMessage(kind, application_id, error=error)
        return ProviderMessage(kind, application_id or status.application_id, status=status)
    try:
        await verifier.verify(envelope.document, purpose="sign")
    except AppError as exc:
        return ProviderMessage(kind, application_id, error=refusal_of(exc))
    return ProviderMessage(kind, application_id)


async def verify_status(verifier: Verifier, document: dict[str, Any]) -> StatusChange:
    """The provider's signed status (`SignedStatus`, signed by the provider's system certificate); else
    the verifier's code, or EDS_PURPOSE_INVALID when someone else signed it."""
    verified = await verifier.verify(document, purpose="sign", model=SignedStatus)
    author = verified.author
    if author.bin != PROVIDER.bin or author.holder != "system":
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {"reason": "a status is signed by the provider's system certificate", "bin": author.bin},
        )
    return verified.document.change()


async def apply(session: AsyncSession, delivery: Delivery, checked: ProviderMessage) -> None:
    """Relay the message (or log its refusal), in the inbox's transaction."""
    envelope = delivery.envelope
    application = None
    if checked.application_id:  # locked first, before the log head (the order intake.apply keeps)
        application = await session.get(GatewayApplication, checked.application_id, with_for_update=True)
    if application is None:
        raise AppError("NOT_FOUND", {"reason": "no application registered under this issue", "issue": envelope.issue})
    error = checked.error
    if error is None and not serves(envelope.sender, application.district or ""):
        reason = "the sender is not the provider of the application's district"
        error = {"code": "FORBIDDEN", "details": {"reason": reason}}
    if error is not None:
        await message_log.append(
            session,
            envelope=envelope,
            kind="refused",
            direction="in",
            recipient=CASE_STATUS if checked.kind == "status" else CASE_RESULT,
            application_id=application.application_id,
            registration_number=application.registration_number,
            note=error,
        )
        log.warning("provider message refused, not relayed", application_id=application.application_id, **error)
        return
    key = (status_key if checked.kind == "status" else result_key)(application.sender)
    forwarded = outgoing.envelope_about(
        application,
        routing_key=key,
        document=envelope.document,
        message_id=envelope.message_id,
        correlation_id=envelope.correlation_id,
    )
    await outgoing.send(
        session,
        envelope=forwarded,
        routing_key=key,
        kind=checked.kind,
        direction="relay",
        origin=envelope.sender,
        registration_number=application.registration_number,
    )
    if checked.status is not None:
        application.last_status = checked.status.status
    state = after_provider_answer(application.delivery_state)  # type: ignore[arg-type]
    if state is not None:
        application.delivery_state, application.state_changed_at = state, utcnow()
        await outgoing.send_receipt(session, application=application)
    session.add(application)
