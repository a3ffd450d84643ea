"""The personal cabinet (жеке кабинет; §10 step 3, §17, §18 Process 8): a citizen's applications,
each with its status history, the gateway's registration number, the delivery state, the
provider's case number, the signed result and, when it is a notification, the place in the waiting
list. Another citizen's application answers NOT_FOUND, exactly as one that does not exist."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.models import Application, ApplicationEvent
from shared.eds.signing import payload_of
from shared.errors import AppError
from shared.housing.decisions import NOTIFICATION_TYPE, NotificationDocument


@dataclass(frozen=True)
class HistoryEntry:
    status: str
    at: datetime
    details: dict[str, Any] | None


@dataclass(frozen=True)
class QueueMove:
    """One change of the citizen's position in the waiting list, and why."""

    at: datetime
    position: int
    reason: str


@dataclass(frozen=True)
class QueuePlace:
    """The waiting list the citizen is registered in, and their position (the queue number)."""

    list_code: str
    list_name: str
    position: int
    history: list[QueueMove]


@dataclass(frozen=True)
class ApplicationView:
    row: Application
    history: list[HistoryEntry]

    @property
    def submitted_at(self) -> datetime:
        return self.row.submitted_at

    @property
    def expected_result_date(self) -> date:
        return self.row.expected_result_date

    @property
    def result(self) -> dict[str, Any] | None:
        return json.loads(self.row.result_signed) if self.row.result_signed else None

    @property
    def notification(self) -> NotificationDocument | None:
        """The result when it is a notification of registration in a waiting list (it was verified before it
        was stored: handlers.py)."""
        result = self.result
        if result is None:
            return None
        try:
            payload = payload_of(result)
            if payload.get("type") != NOTIFICATION_TYPE:
                return None
            return NotificationDocument.model_validate(payload)
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def queue(self) -> QueuePlace | None:
        """The citizen's place in the waiting list (architecture §6), from the notification: the list, the
        position (its queue number) and how the position came to be — today one entry, the registration at
        the notification's time."""
        notification = self.notification
        if notification is None:
            return None
        registered = QueueMove(at=notification.created_at, position=notification.queue_number, reason="registered")
        return QueuePlace(
            list_code=notification.waiting_list.code,
            list_name=notification.waiting_list.name,
            position=notification.queue_number,
            history=[registered],
        )

    @property
    def delivery_error(self) -> dict[str, Any] | None:
        return json.loads(self.row.delivery_error) if self.row.delivery_error else None


async def list_applications(session: AsyncSession, *, iin: str) -> list[Application]:
    """The citizen's applications, newest first."""
    query = select(Application).where(Application.iin == iin).order_by(col(Application.submitted_at).desc())
    return list((await session.exec(query)).all())


async def get_application(session: AsyncSession, *, iin: str, application_id: str) -> ApplicationView:
    """One of the citizen's applications with its history (oldest status first)."""
    row = await session.get(Application, application_id)
    if row is None or row.iin != iin:
        raise AppError("NOT_FOUND")
    events = (
        await session.exec(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(col(ApplicationEvent.at), col(ApplicationEvent.id))
        )
    ).all()
    history = [HistoryEntry(e.status, e.at, json.loads(e.details) if e.details else None) for e in events]
    return ApplicationView(row, history)


async def get_result(session: AsyncSession, *, iin: str, application_id: str) -> dict[str, Any]:
    """The signed result (notification or reasoned refusal); NOT_FOUND until it has arrived."""
    view = await get_application(session, iin=iin, application_id=application_id)
    if view.result is None:
        raise AppError("NOT_FOUND", {"reason": "the result is not ready yet"})
    return view.result
