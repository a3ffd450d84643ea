"""The head's view of the terms (Annex 1's limits on the Kazakhstan calendar): every open case of the
district, its step, when it is due, overdue or due today — computed from the calendar at each request — and
what the Public Service Center handed the district that waits for an acknowledgment (the recalls overdue
among it)."""

from __future__ import annotations

from fastapi import APIRouter

from services.provider import casework, handovers
from services.provider.api.deps import Clock, Runtime, Staff
from services.provider.api.schemas import SlaItem, SlaView
from services.provider.domain import steps
from shared.calendar import local_day

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])


@router.get(
    "",
    response_model=SlaView,
    summary="Every open case of my district: its step, due time, overdue, due today",
    description="Each case waiting at an Annex 1 step with the step's limit counted from when it began to wait "
    "(working days skip weekends, holidays and transferred days off; a calendar-day limit ending on a day off ends "
    "on the next working day), the most urgent first, and the district's counts; with each case §12's term (30 "
    "calendar days; for a Center request the result is due the working day before it ends); and how many of the "
    "Center's handovers (registers, recalls) wait for an acknowledgment, and how many recalls are overdue (§14 item "
    "1: not sent back by their day). Errors: UNAUTHORIZED.",
)
async def sla(staff: Staff, runtime: Runtime, clock: Clock) -> SlaView:
    now = clock()
    async with runtime.db.sessions() as session:
        found = await casework.open_cases(session, district=staff.district, now=now)
        waiting = await handovers.counts(session, district=staff.district, now=now)
    items = [
        SlaItem(
            case_number=d.case.number,
            step=d.case.step or 0,
            actor=steps.actor_of(d.case.step or 4),
            executor=d.case.executor,
            since=d.case.step_since or now,
            due_at=d.due_at,
            overdue=d.overdue,
            due_today=d.due_today,
            term_end=d.term_end,
            deliver_by=d.deliver_by,
            late=local_day(now) > d.deliver_by,
        )
        for d in found
    ]
    return SlaView(
        district=staff.district,
        now=now,
        open=len(items),
        overdue=sum(i.overdue for i in items),
        due_today=sum(i.due_today for i in items),
        items=items,
        handovers_unacknowledged=waiting.unacknowledged,
        recalls_overdue=waiting.recalls_overdue,
    )
