"""Process 6 (§18; §19 Process 7): an application arrives on ``document.submitted``. The gateway
verifies it again — nothing is forwarded unverified — and then either

- refuses it: logged as refused, a receipt NOT_DELIVERED with the EDS code and a status
  REFUSED_AT_GATEWAY go back to the sender; or
- registers it: a registration number and time, the gateway's registration stamp (a countersignature,
  role ``registration``, whose protected header carries the registration: architecture §9), logged,
  routed by district to the provider (``document.delivered.<district>``), and a receipt ON_DELIVERY and
  a status REGISTERED_AT_GATEWAY go back to the sender.

`check` (verification, and the stamping signer: they may ask the NCA) runs before the transaction;
`apply` — the registration number and time, the stamp over them (CPU only, about a millisecond), or
the refusal, the log entries and the outgoing messages — in the inbox's transaction, so that they commit
together with the inbox record (`shared.handlers`) and the stamp signs the registration that is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import message_log, outgoing
from services.regional_gateway.domain.delivery import REGISTERED_STATES, refusal_of
from services.regional_gateway.domain.routing import Route, route_for
from services.regional_gateway.models import GatewayApplication
from services.regional_gateway.numbering import next_registration_number
from shared.bus.envelope import Envelope, new_id
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.credentials import SignerSource
from shared.eds.signing import Signer, StampedRegistration, countersign, payload_of
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.housing.messages import SUBMITTED
from shared.housing.messages import Delivery as Delivered
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Submission:
    """The verdict on one incoming application, reached outside the transaction: refused (``error``), or
    routed, with the signer that will stamp it once it has its registration (in `apply`)."""

    application_id: str
    at: datetime
    error: dict[str, Any] | None = None
    route: Route | None = None
    signer: Signer | None = None
    document_id: str | None = None


def application_id_of(envelope: Envelope) -> str:
    """The envelope's issue; failing that the document's id; failing that the message's."""
    if envelope.issue:
        return envelope.issue[:64]
    try:
        return str(payload_of(envelope.document)["id"])[:64]
    except (KeyError, TypeError, ValueError):
        return envelope.message_id


async def check(delivery: Delivery, *, verifier: Verifier, credentials: SignerSource) -> Submission:
    """Verify (purpose SIGN, the Annex 3 application's type rules), find the route, get the stamping
    signer. A transient failure (the NCA does not answer) raises: the message is retried, then
    dead-lettered."""
    envelope = delivery.envelope
    application_id = application_id_of(envelope)
    try:
        verified = await verifier.verify(envelope.document, purpose="sign", model=ApplicationDocument)
        if envelope.issue is not None and envelope.issue != verified.document.id:
            # The issue is what statuses and results come back under; the provider refuses a mismatch too.
            raise AppError("VALIDATION_FAILED", {"reason": "the envelope's issue is not the application's id"})
        route = route_for(verified.document.district)
    except AppError as exc:
        return Submission(application_id, utcnow(), error=refusal_of(exc))
    signer = await credentials.signer()
    return Submission(application_id, utcnow(), route=route, signer=signer, document_id=verified.document.id)


async def apply(session: AsyncSession, delivery: Delivery, checked: Submission, *, registration_prefix: str) -> None:
    """Register or refuse the application, in the inbox's transaction."""
    envelope = delivery.envelope
    # Locks are always taken in one order — application, registration counter, log head — so that
    # concurrent consumers (and the workstation) wait for each other instead of deadlocking.
    application = await session.get(GatewayApplication, checked.application_id, with_for_update=True)
    if application is not None and application.delivery_state in REGISTERED_STATES:
        # One application is registered once: a second submission of it is logged and answered with
        # the receipt it already has; nothing is forwarded and its status does not change.
        note = {"repeat_of": application.registration_number, **({"refused": checked.error} if checked.error else {})}
        await _log_inbound(session, envelope, checked, "refused" if checked.error else "received", note=note)
        await outgoing.send_receipt(session, application=application, note={"repeat": True})
        return
    if application is None:
        application = GatewayApplication(
            application_id=checked.application_id,
            sender=envelope.sender,
            correlation_id=envelope.correlation_id,
            inbound_message_id=envelope.message_id,
            delivery_state="NOT_DELIVERED",
        )
    # New, or refused before and now sent again: answers go to this submission's sender and correlation.
    application.sender, application.correlation_id = envelope.sender, envelope.correlation_id
    application.user_id, application.represented_party = envelope.user_id, envelope.represented_party
    application.inbound_message_id, application.state_changed_at = envelope.message_id, checked.at
    if checked.error is not None:
        await _refuse(session, envelope, application, checked.error, checked)
    else:
        await _register(session, envelope, application, checked, registration_prefix)


async def _refuse(
    session: AsyncSession,
    envelope: Envelope,
    application: GatewayApplication,
    error: dict[str, Any],
    checked: Submission,
) -> None:
    application.delivery_state, application.error = "NOT_DELIVERED", json.dumps(error, ensure_ascii=False)
    session.add(application)
    await _log_inbound(session, envelope, checked, "refused", note=error)
    await outgoing.send_receipt(session, application=application)
    await outgoing.send_status(
        session, application=application, status="REFUSED_AT_GATEWAY", at=checked.at, reason=error
    )
    log.info("application refused at the gateway", application_id=application.application_id, code=error["code"])


async def _register(
    session: AsyncSession, envelope: Envelope, application: GatewayApplication, checked: Submission, prefix: str
) -> None:
    assert checked.route is not None and checked.signer is not None
    # The registration time: the stamp's regT (and, cut to the second, its sigT), stored and sent alike;
    # after the signer's certificate was issued (in `check`).
    at = utcnow()
    number = await next_registration_number(session, prefix=prefix, at=at)
    stamped = countersign(
        envelope.document,
        checked.signer,
        role="registration",
        signed_at=at,
        registration=StampedRegistration(number, at, checked.route.district),
    )
    application.registration_number, application.registered_at = number, at
    application.state_changed_at = at
    application.district, application.document_id = checked.route.district, checked.document_id
    application.delivery_state, application.error = "ON_DELIVERY", None
    application.delivered_message_id = new_id()
    session.add(application)
    await _log_inbound(session, envelope, checked, "received", registration_number=number)
    registration = outgoing.registration_of(application)
    assert registration is not None
    delivered = outgoing.envelope_about(
        application,
        routing_key=checked.route.routing_key,
        document=Delivered(signed=stamped, registration=registration).model_dump(mode="json"),
        message_id=application.delivered_message_id,
    )
    await outgoing.send(
        session,
        envelope=delivered,
        routing_key=checked.route.routing_key,
        kind="delivered",
        registration_number=number,
        note={"provider": checked.route.provider},
    )
    await outgoing.send_receipt(session, application=application)
    await outgoing.send_status(session, application=application, status="REGISTERED_AT_GATEWAY", at=at)
    log.info("application registered", application_id=application.application_id, registration_number=number)


async def _log_inbound(
    session: AsyncSession,
    envelope: Envelope,
    checked: Submission,
    kind: str,
    *,
    registration_number: str | None = None,
    note: dict[str, Any] | None = None,
) -> None:
    await message_log.append(
        session,
        envelope=envelope,
        kind=kind,
        direction="in",
        recipient=SUBMITTED,
        application_id=checked.application_id,
        registration_number=registration_number,
        note=note,
    )
