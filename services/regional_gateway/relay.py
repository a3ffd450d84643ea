"""Statuses and results from the provider back to whoever submitted the application (ARCHITECTURE §3):
``case.status`` (a `StatusChange`) → ``status.<sender>``, ``case.result`` (the signed result) →
``result.<sender>``. The envelope's issue names the application; the gateway looks up its original
sender (kept at registration), checks that the message comes from the provider of the application's
district and is well-formed (a result's signature is verified: nothing forwarded unverified), logs it
and forwards it under the same message id. The provider's first word about an application also means
it was delivered: a receipt DELIVERED goes to the sender. An application the gateway never registered
fails the message: it is retried, then dead-lettered for the operator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import outgoing
from services.regional_gateway.context import Gateway
from services.regional_gateway.domain.delivery import after_provider_answer, is_transient
from services.regional_gateway.domain.routing import serves
from services.regional_gateway.intake import error_of
from services.regional_gateway.message_log import Record, append
from services.regional_gateway.models import GatewayApplication
from shared.bus.envelope import Envelope, utcnow
from shared.bus.inbox import idempotent
from shared.bus.port import Delivery, Handler
from shared.errors import AppError
from shared.housing.messages import CASE_RESULT, CASE_STATUS, StatusChange, result_key, status_key
from shared.logging import get_logger

log = get_logger(__name__)

QUEUE = "regional_gateway.relay"
CONSUMER = "regional_gateway.relay"


@dataclass(frozen=True)
class Checked:
    kind: str
    """``status`` or ``result``."""
    application_id: str | None
    status: StatusChange | None = None
    error: dict[str, Any] | None = None


async def check(gateway: Gateway, envelope: Envelope, routing_key: str) -> Checked:
    kind = "status" if CASE_STATUS in (routing_key, envelope.message_type) else "result"
    application_id = envelope.issue or (
        str(envelope.document.get("application_id")) if envelope.document.get("application_id") else None
    )
    if kind == "status":
        try:
            status = StatusChange.model_validate(envelope.document)
        except ValidationError as exc:
            errors = [{"loc": list(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]
            return Checked(kind, application_id, error={"code": "VALIDATION_FAILED", "details": {"errors": errors}})
        if application_id is not None and status.application_id != application_id:
            error = {"code": "VALIDATION_FAILED", "details": {"reason": "the status is about another application"}}
            return Checked(kind, application_id, error=error)
        return Checked(kind, application_id or status.application_id, status=status)
    try:
        await gateway.verifier.verify(envelope.document, purpose="sign")
    except AppError as exc:
        if is_transient(exc.code):
            raise
        return Checked(kind, application_id, error=error_of(exc))
    return Checked(kind, application_id)


async def apply(gateway: Gateway, session: AsyncSession, envelope: Envelope, checked: Checked) -> None:
    application = None
    if checked.application_id:  # locked first, before the log head (the order intake.apply keeps)
        application = await session.get(GatewayApplication, checked.application_id, with_for_update=True)
    if application is None:
        raise AppError("NOT_FOUND", {"reason": "no application registered under this issue", "issue": envelope.issue})
    error = checked.error
    if error is None and not serves(envelope.sender, application.district or ""):
        error = {"code": "FORBIDDEN", "details": {"reason": "the sender is not the provider of the application's district"}}  # fmt: skip
    if error is not None:
        await append(
            session,
            Record(
                message_id=envelope.message_id, correlation_id=envelope.correlation_id, kind="refused",
                direction="in", sender=envelope.sender, recipient=CASE_STATUS if checked.kind == "status" else CASE_RESULT,
                document=envelope.document, application_id=application.application_id,
                registration_number=application.registration_number, note=error,
            ),
        )  # fmt: skip
        log.warning("provider message refused, not relayed", application_id=application.application_id, **error)
        return
    key = (status_key if checked.kind == "status" else result_key)(application.sender)
    forwarded = outgoing.to_sender(
        application, gateway=gateway.address, routing_key=key, document=envelope.document,
        message_id=envelope.message_id, correlation_id=envelope.correlation_id,
    )  # fmt: skip
    await outgoing.send(
        session, forwarded, key, kind=checked.kind, direction="relay", origin=envelope.sender,
        registration_number=application.registration_number,
    )  # fmt: skip
    if checked.status is not None:
        application.last_status = checked.status.status
    state = after_provider_answer(application.delivery_state)  # type: ignore[arg-type]
    if state is not None:
        application.delivery_state, application.state_changed_at = state, utcnow()
        await outgoing.send_receipt(session, application, gateway=gateway.address)
    session.add(application)


def handler(gateway: Gateway) -> Handler:
    """The bus handler for ``case.status`` and ``case.result``: check, then apply once (inbox)."""

    async def handle(delivery: Delivery) -> None:
        checked = await check(gateway, delivery.envelope, delivery.routing_key)

        async def effect(session: AsyncSession, _delivery: Delivery) -> None:
            await apply(gateway, session, delivery.envelope, checked)

        await idempotent(gateway.db, CONSUMER, effect)(delivery)

    return handle
