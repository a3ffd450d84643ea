"""Process 6 (SPEC §8; §9 Process 7): an application arrives on ``document.submitted``. The gateway
verifies it again — nothing is forwarded unverified — and then either

- refuses it: logged as refused, a receipt NOT_DELIVERED with the EDS code and a status
  REFUSED_AT_GATEWAY go back to the sender; or
- registers it: a registration number and time, the gateway's registration stamp (a countersignature,
  role ``registration``), logged, routed by district to the provider (``document.delivered.<district>``),
  and a receipt ON_DELIVERY and a status REGISTERED_AT_GATEWAY go back to the sender.

Verification and stamping run before the transaction (they may ask the NCA); everything else — the
inbox record, the registration, the log entries and the outgoing messages — commits together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import outgoing
from services.regional_gateway.context import Gateway
from services.regional_gateway.domain.delivery import REGISTERED_STATES, is_transient
from services.regional_gateway.domain.routing import Route, route_for
from services.regional_gateway.message_log import Record, append
from services.regional_gateway.models import GatewayApplication
from services.regional_gateway.numbering import next_registration_number
from shared.bus.envelope import Envelope, new_id, utcnow
from shared.bus.inbox import idempotent
from shared.bus.port import Delivery, Handler
from shared.eds.signing import countersign, payload_of
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.housing.messages import SUBMITTED
from shared.housing.messages import Delivery as Delivered
from shared.logging import get_logger

log = get_logger(__name__)

QUEUE = "regional_gateway.inbound"
CONSUMER = "regional_gateway.intake"


@dataclass(frozen=True)
class Checked:
    """The verdict on one incoming application, reached outside the transaction."""

    application_id: str
    at: datetime
    error: dict[str, Any] | None = None
    route: Route | None = None
    stamped: dict[str, Any] | None = None
    document_id: str | None = None


def error_of(exc: AppError) -> dict[str, Any]:
    """``{code, details}`` as it travels in receipts and statuses and is logged (plain JSON)."""
    return {"code": exc.code, "details": json.loads(json.dumps(exc.details, default=str))}


def application_id_of(envelope: Envelope) -> str:
    """The envelope's issue; failing that the document's id; failing that the message's."""
    if envelope.issue:
        return envelope.issue[:64]
    try:
        return str(payload_of(envelope.document)["id"])[:64]
    except (KeyError, TypeError, ValueError):
        return envelope.message_id


async def check(gateway: Gateway, envelope: Envelope) -> Checked:
    """Verify (purpose SIGN, the Annex 3 application's type rules), find the route, stamp. A transient
    failure (the NCA does not answer) raises: the message is retried, then dead-lettered."""
    application_id = application_id_of(envelope)
    try:
        verified = await gateway.verifier.verify(envelope.document, purpose="sign", model=ApplicationDocument)
        if envelope.issue is not None and envelope.issue != verified.document["id"]:
            # The issue is what statuses and results come back under; the provider refuses a mismatch too.
            raise AppError("VALIDATION_FAILED", {"reason": "the envelope's issue is not the application's id"})
        route = route_for(str(verified.document["district"]))
    except AppError as exc:
        if is_transient(exc.code):
            raise
        return Checked(application_id, utcnow(), error=error_of(exc))
    signer = await gateway.credentials.signer()
    at = utcnow()  # the registration time, and the stamp's: after the signer's certificate was issued
    stamped = countersign(envelope.document, signer, role="registration", signed_at=at)
    return Checked(application_id, at, route=route, stamped=stamped, document_id=str(verified.document["id"]))


async def apply(gateway: Gateway, session: AsyncSession, envelope: Envelope, checked: Checked) -> None:
    """The effects, in the inbox's transaction."""
    # Locks are always taken in one order — application, registration counter, log head — so that
    # concurrent consumers (and the workstation) wait for each other instead of deadlocking.
    application = await session.get(GatewayApplication, checked.application_id, with_for_update=True)
    if application is not None and application.delivery_state in REGISTERED_STATES:
        # One application is registered once: a second submission of it is logged and answered with
        # the receipt it already has; nothing is forwarded and its status does not change.
        note = {"repeat_of": application.registration_number, **({"refused": checked.error} if checked.error else {})}
        await _log_inbound(session, envelope, checked, "refused" if checked.error else "received", note=note)
        await outgoing.send_receipt(session, application, gateway=gateway.address, note={"repeat": True})
        return
    if application is None:
        application = GatewayApplication(
            application_id=checked.application_id, sender=envelope.sender, correlation_id=envelope.correlation_id,
            inbound_message_id=envelope.message_id, delivery_state="NOT_DELIVERED",
        )  # fmt: skip
    # New, or refused before and now sent again: answers go to this submission's sender and correlation.
    application.sender, application.correlation_id = envelope.sender, envelope.correlation_id
    application.user_id, application.represented_party = envelope.user_id, envelope.represented_party
    application.inbound_message_id, application.state_changed_at = envelope.message_id, checked.at
    if checked.error is not None:
        await _refuse(gateway, session, envelope, application, checked)
    else:
        await _register(gateway, session, envelope, application, checked)


async def _refuse(
    gateway: Gateway, session: AsyncSession, envelope: Envelope, application: GatewayApplication, checked: Checked
) -> None:
    assert checked.error is not None
    application.delivery_state, application.error = "NOT_DELIVERED", json.dumps(checked.error, ensure_ascii=False)
    session.add(application)
    await _log_inbound(session, envelope, checked, "refused", note=checked.error)
    await outgoing.send_receipt(session, application, gateway=gateway.address)
    await outgoing.send_status(
        session, application, "REFUSED_AT_GATEWAY", gateway=gateway.address, at=checked.at, reason=checked.error
    )
    log.info(
        "application refused at the gateway", application_id=application.application_id, code=checked.error["code"]
    )


async def _register(
    gateway: Gateway, session: AsyncSession, envelope: Envelope, application: GatewayApplication, checked: Checked
) -> None:
    assert checked.route is not None and checked.stamped is not None
    number = await next_registration_number(session, gateway.settings.registration_prefix, checked.at)
    application.registration_number, application.registered_at = number, checked.at
    application.district, application.document_id = checked.route.district, checked.document_id
    application.delivery_state, application.error = "ON_DELIVERY", None
    application.delivered_message_id = new_id()
    session.add(application)
    await _log_inbound(session, envelope, checked, "received", registration_number=number)
    registration = outgoing.registration_of(application)
    assert registration is not None
    delivered = Envelope(
        message_id=application.delivered_message_id, correlation_id=envelope.correlation_id,
        message_type=checked.route.routing_key, sender=gateway.address, user_id=envelope.user_id,
        represented_party=envelope.represented_party, issue=application.application_id,
        document=Delivered(signed=checked.stamped, registration=registration).model_dump(mode="json"),
    )  # fmt: skip
    await outgoing.send(
        session, delivered, checked.route.routing_key, kind="delivered", registration_number=number,
        note={"provider": checked.route.provider},
    )  # fmt: skip
    await outgoing.send_receipt(session, application, gateway=gateway.address)
    await outgoing.send_status(session, application, "REGISTERED_AT_GATEWAY", gateway=gateway.address, at=checked.at)
    log.info("application registered", application_id=application.application_id, registration_number=number)


async def _log_inbound(
    session: AsyncSession, envelope: Envelope, checked: Checked, kind: str, *,
    registration_number: str | None = None, note: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    await append(
        session,
        Record(
            message_id=envelope.message_id, correlation_id=envelope.correlation_id, kind=kind, direction="in",
            sender=envelope.sender, recipient=SUBMITTED, document=envelope.document,
            application_id=checked.application_id, registration_number=registration_number, note=note,
        ),
    )  # fmt: skip


def handler(gateway: Gateway) -> Handler:
    """The bus handler for ``document.submitted``: check, then apply once (inbox)."""

    async def handle(delivery: Delivery) -> None:
        checked = await check(gateway, delivery.envelope)

        async def effect(session: AsyncSession, _delivery: Delivery) -> None:
            await apply(gateway, session, delivery.envelope, checked)

        await idempotent(gateway.db, CONSUMER, effect)(delivery)

    return handle
