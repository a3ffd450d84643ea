"""The case register as the staff see it: their own district's cases only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.provider import cases, casework
from services.provider.api.deps import Clock, Runtime, Staff
from services.provider.api.schemas import CaseDetail, CasePage, CaseSummary
from services.provider.domain.workflow import CaseStatus
from shared.api.limits import Offset
from shared.errors import AppError

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.get(
    "",
    response_model=CasePage,
    summary="The cases of my district, newest first",
    description="One page of the cases opened by the housing department of the staff member's district "
    "(Annex 1 step 3 onwards), optionally of one status or waiting at one step, each with the step it waits at, "
    "who acts there, and when it is due. Errors: UNAUTHORIZED (no staff token of this provider).",
)
async def list_cases(
    staff: Staff,
    runtime: Runtime,
    clock: Clock,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
    status: Annotated[CaseStatus | None, Query(description="only cases in this status")] = None,
    step: Annotated[int | None, Query(ge=4, le=9, description="only cases waiting at this Annex 1 step")] = None,
) -> CasePage:
    async with runtime.db.sessions() as session:
        rows, total = await cases.list_cases(
            session, district=staff.district, limit=limit, offset=offset, status=status, step=step
        )
    now = clock()
    return CasePage(items=[CaseSummary.of(c, now) for c in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/{case_number}",
    response_model=CaseDetail,
    summary="One case: its step, status history, steps, the application, §15, the decision, the result",
    description="The case with the step it waits at and its due time, its status history (who, when, why), every "
    "completed step (who, when, what they signed or decided), the verified application (Annex 3), the registry "
    "answers Condition 3 and §15 were read from, §15's assessment, the suggestion (at step 5), the proposal, the "
    "commission's decision, the draft result and the signed result. Errors: UNAUTHORIZED; NOT_FOUND (no such "
    "case in the staff member's district — another district's case answers the same, so its existence is not "
    "revealed).",
)
async def get_case(
    staff: Staff,
    runtime: Runtime,
    clock: Clock,
    case_number: Annotated[str, Path(max_length=64, examples=["ТҮ-karaganda-2026-000017"])],
) -> CaseDetail:
    return await case_detail(runtime, district=staff.district, number=case_number, now=clock())


async def case_detail(runtime: Runtime, *, district: str, number: str, now: datetime) -> CaseDetail:
    """The case as `GET /cases/{number}` shows it; NOT_FOUND outside ``district``."""
    async with runtime.db.sessions() as session:
        file = await cases.get_case(session, district=district, number=number)
        if file is None:
            raise AppError("NOT_FOUND", {"case": number})
        done = await casework.case_steps(session, file.case.id)
    return CaseDetail.of_file(file, done, now)
