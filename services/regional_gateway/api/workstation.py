"""The gateway's workstation (ЭҮӨШ АЖО), behind the admin token: dead letters and their replay, an
application's delivery record, stopping a delivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import dead_letters, delivery, message_log
from services.regional_gateway.api.deps import AdminOnly, Db
from services.regional_gateway.api.schemas import DeadLetterPage, DeadLetterView, DeliveryView
from services.regional_gateway.models import GatewayApplication
from shared.api.limits import Offset, RowId

router = APIRouter(prefix="/api/v1", tags=["workstation"], dependencies=[AdminOnly])

ApplicationId = Annotated[str, Path(max_length=64, description="the application's id (the envelopes' issue)")]


@router.get(
    "/admin/dead-letters",
    response_model=DeadLetterPage,
    summary="List dead letters, newest first",
    description="Messages the gateway's queues (`regional_gateway.inbound`, `regional_gateway.relay`) gave up on "
    "after the delivery limit, with the envelope as it was and why it died. Filter by `queue` and by whether it "
    "was `replayed`. UNAUTHORIZED without the admin token, FORBIDDEN with another.",
)
async def list_dead_letters(
    db: Db,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
    queue: Annotated[str | None, Query(max_length=200)] = None,
    replayed: bool | None = None,
) -> DeadLetterPage:
    async with db.sessions() as session:
        rows, total = await dead_letters.page(session, limit=limit, offset=offset, queue=queue, replayed=replayed)
    return DeadLetterPage(items=[DeadLetterView.of(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post(
    "/admin/dead-letters/{dead_letter_id}/replay",
    response_model=DeadLetterView,
    summary="Replay a dead letter",
    description="Publishes the original envelope again, unchanged (same message id: consumers that applied it "
    "skip it), to its original routing key through the outbox, logs the replay and marks the dead letter "
    "replayed. NOT_FOUND for an unknown id, CONFLICT when it was replayed already.",
)
async def replay_dead_letter(db: Db, dead_letter_id: RowId) -> DeadLetterView:
    async with db.transaction() as session:
        return DeadLetterView.of(await dead_letters.replay(session, dead_letter_id=dead_letter_id))


async def _delivery_view(session: AsyncSession, application: GatewayApplication) -> DeliveryView:
    entries = await message_log.entries_for_application(session, application_id=application.application_id)
    return DeliveryView.of(application, entries)


@router.get(
    "/applications/{application_id}/delivery",
    response_model=DeliveryView,
    summary="An application's delivery state and registration",
    description="The transport state (ON_DELIVERY, DELIVERED, NOT_DELIVERED, DELIVERY_STOPPED), kept apart from "
    "the business status; the registration number and time; the original sender; the registration of the "
    "provider's result (Process 8: a number of its own); the application's messages in the log. NOT_FOUND when the "
    "gateway has never seen it.",
)
async def get_delivery(db: Db, application_id: ApplicationId) -> DeliveryView:
    async with db.sessions() as session:
        return await _delivery_view(session, await delivery.find(session, application_id=application_id))


@router.post(
    "/admin/applications/{application_id}/stop",
    response_model=DeliveryView,
    summary="Stop an application's delivery (DELIVERY_STOPPED)",
    description="Withdraws the stamped document while it still waits in the gateway's outbox (its provider's queue "
    "has not taken it) and sends the sender a receipt DELIVERY_STOPPED. CONFLICT once it has left, or when the "
    "application is not on delivery.",
)
async def stop_delivery(db: Db, application_id: ApplicationId) -> DeliveryView:
    async with db.transaction() as session:
        return await _delivery_view(session, await delivery.stop(session, application_id=application_id))
