"""The gateway's workstation on one application: its delivery record, and stopping a delivery that has
not left yet (DELIVERY_STOPPED: the stamped document is withdrawn from the outbox, the sender gets a
receipt saying so)."""

from __future__ import annotations

from sqlmodel import select

from services.regional_gateway import outgoing
from services.regional_gateway.context import Gateway
from services.regional_gateway.domain.delivery import check_stop
from services.regional_gateway.models import GatewayApplication
from shared.bus.envelope import utcnow
from shared.errors import AppError
from shared.logging import get_logger
from shared.models import OutboxMessage

log = get_logger(__name__)


async def find(gateway: Gateway, application_id: str) -> GatewayApplication:
    async with gateway.db.sessions() as session:
        application = await session.get(GatewayApplication, application_id)
    if application is None:
        raise AppError("NOT_FOUND", {"application": application_id})
    return application


async def stop(gateway: Gateway, application_id: str) -> GatewayApplication:
    """Stop the delivery while the stamped document still waits in the outbox; CONFLICT otherwise."""
    async with gateway.db.transaction() as session:
        query = select(GatewayApplication).where(GatewayApplication.application_id == application_id)
        application = (await session.exec(query.with_for_update())).first()
        if application is None:
            raise AppError("NOT_FOUND", {"application": application_id})
        pending = None
        if application.delivered_message_id is not None:
            # Locked: the outbox relay holding it (publishing) finishes first, and then it has been sent.
            outbox = select(OutboxMessage).where(OutboxMessage.id == application.delivered_message_id)
            pending = (await session.exec(outbox.with_for_update())).first()
        check_stop(application.delivery_state, pending is None or pending.sent_at is not None)  # type: ignore[arg-type]
        await session.delete(pending)
        application.delivery_state, application.state_changed_at = "DELIVERY_STOPPED", utcnow()
        session.add(application)
        note = {"withdrawn_message": application.delivered_message_id}
        await outgoing.send_receipt(session, application, gateway=gateway.address, note=note)
    log.warning("delivery stopped", application_id=application_id)
    return application
