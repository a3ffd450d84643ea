"""The gateway's workstation on one application: its delivery record, and stopping a delivery that has
not left yet (DELIVERY_STOPPED: the stamped document is withdrawn from the outbox, the sender gets a
receipt saying so)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import outgoing
from services.regional_gateway.domain.delivery import can_move, check_stop
from services.regional_gateway.models import GatewayApplication
from shared.bus import outbox
from shared.calendar import utcnow
from shared.errors import AppError
from shared.logging import get_logger

log = get_logger(__name__)


async def find(session: AsyncSession, *, application_id: str, lock: bool = False) -> GatewayApplication:
    """The application (``lock``: locked for the caller's transaction); NOT_FOUND when the gateway has
    never seen it."""
    application = await session.get(GatewayApplication, application_id, with_for_update=lock)
    if application is None:
        raise AppError("NOT_FOUND", {"application": application_id})
    return application


async def stop(session: AsyncSession, *, application_id: str) -> GatewayApplication:
    """Stop the delivery while the stamped document still waits in the outbox; CONFLICT otherwise."""
    application = await find(session, application_id=application_id, lock=True)
    state = application.delivery_state
    # Withdrawn only from an application on delivery (the kernel's outbox: a row being published is
    # not withdrawn, it has as good as left).
    withdrawn = (
        can_move(state, "DELIVERY_STOPPED")  # type: ignore[arg-type]
        and application.delivered_message_id is not None
        and await outbox.withdraw(session, application.delivered_message_id)
    )
    check_stop(state, handed_over=not withdrawn)  # type: ignore[arg-type]
    application.delivery_state, application.state_changed_at = "DELIVERY_STOPPED", utcnow()
    session.add(application)
    note = {"withdrawn_message": application.delivered_message_id}
    await outgoing.send_receipt(session, application=application, note=note)
    log.warning("delivery stopped", application_id=application_id)
    return application
