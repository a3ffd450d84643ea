"""The cabinet's rows and histories as the API shows them."""

from __future__ import annotations

import json

from services.portal_gateway.api.schemas import (
    ApplicationDetail,
    ApplicationSummary,
    DeliveryView,
    HistoryView,
    QueueMoveView,
    QueueView,
    RegistrationView,
    WaitingListView,
)
from services.portal_gateway.cabinet import ApplicationView
from services.portal_gateway.models import Application


def summary(row: Application) -> ApplicationSummary:
    return ApplicationSummary(
        id=row.id,
        status=row.status,
        district=row.district,
        submitted_at=row.submitted_at,
        expected_result_date=row.expected_result_date,
        registration_number=row.registration_number,
        result_ready=row.result_signed is not None,
    )


def detail(view: ApplicationView) -> ApplicationDetail:
    row = view.row
    registration = (
        RegistrationView(number=row.registration_number, registered_at=row.registered_at)
        if row.registration_number
        else None
    )
    delivery = (
        DeliveryView(state=row.delivery_state, at=row.delivery_at, error=view.delivery_error)
        if row.delivery_state
        else None
    )
    place = view.queue
    queue = (
        QueueView(
            waiting_list=WaitingListView(code=place.list_code, name=place.list_name),
            position=place.position,
            history=[QueueMoveView(at=m.at, position=m.position, reason=m.reason) for m in place.history],
        )
        if place is not None
        else None
    )
    return ApplicationDetail(
        **summary(row).model_dump(),
        status_at=row.status_at,
        history=[HistoryView(status=h.status, at=h.at, details=h.details) for h in view.history],
        registration=registration,
        delivery=delivery,
        case_number=row.case_number,
        result=view.result,
        queue=queue,
        document=json.loads(row.signed),
    )
