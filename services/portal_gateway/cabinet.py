"""The personal cabinet (жеке кабинет; §10 step 3, §17, §18 Process 8): a citizen's applications,
each with its status history, the gateway's registration number, the delivery state, the
provider's case number and the signed result. Another citizen's application answers NOT_FOUND,
exactly as one that does not exist."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.models import Application, ApplicationEvent
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
        return self.row.submitted_at

    @property
    def expected_result_date(self) -> date:
        return self.row.expected_result_date

    @property
    def result(self) -> dict[str, Any] | None:
        return json.loads(self.row.result_signed) if self.row.result_signed else None

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
