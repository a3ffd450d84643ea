"""The personal cabinet (жеке кабинет; SPEC §3 step 3, §7, §8 Process 8): a citizen's applications,
each with its status history, the gateway's registration number, the delivery state, the
provider's case number and the signed result. Another citizen's application answers NOT_FOUND,
exactly as one that does not exist."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from services.portal_gateway.context import Portal
from services.portal_gateway.models import Application, ApplicationEvent, aware
from shared.errors import AppError


@dataclass(frozen=True)
class HistoryEntry:
    status: str
    at: datetime
    details: dict[str, Any] | None


@dataclass(frozen=True)
class ApplicationView:
    row: Application
    history: list[HistoryEntry]

    @property
    def submitted_at(self) -> datetime:
        return aware(self.row.submitted_at)  # type: ignore[return-value]

    @property
    def expected_result_date(self) -> date:
        return self.row.expected_result_date

    @property
    def result(self) -> dict[str, Any] | None:
        return json.loads(self.row.result_signed) if self.row.result_signed else None

    @property
    def delivery_error(self) -> dict[str, Any] | None:
        return json.loads(self.row.delivery_error) if self.row.delivery_error else None


async def list_applications(portal: Portal, *, iin: str) -> list[Application]:
    """The citizen's applications, newest first."""
    async with portal.runtime.db.sessions() as session:
        query = select(Application).where(Application.iin == iin).order_by(col(Application.submitted_at).desc())
        return list((await session.exec(query)).all())


async def get_application(portal: Portal, *, iin: str, application_id: str) -> ApplicationView:
    """One of the citizen's applications with its history (oldest status first)."""
    async with portal.runtime.db.sessions() as session:
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
    history = [HistoryEntry(e.status, aware(e.at), json.loads(e.details) if e.details else None) for e in events]  # type: ignore[arg-type]
    return ApplicationView(row, history)


async def get_result(portal: Portal, *, iin: str, application_id: str) -> dict[str, Any]:
    """The signed result (notification or reasoned refusal); NOT_FOUND until it has arrived."""
    view = await get_application(portal, iin=iin, application_id=application_id)
    if view.result is None:
        raise AppError("NOT_FOUND", {"reason": "the result is not ready yet"})
    return view.result
