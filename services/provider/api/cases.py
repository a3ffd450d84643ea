"""The case register as the staff see it: their own district's cases only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.provider import cases
from services.provider.api.deps import Runtime, Staff
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
    "(Annex 1 step 3 onwards), optionally of one status. Errors: UNAUTHORIZED (no staff token of this provider).",
)
async def list_cases(
    staff: Staff,
    runtime: Runtime,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
    status: Annotated[CaseStatus | None, Query(description="only cases in this status")] = None,
) -> CasePage:
    async with runtime.db.sessions() as session:
        rows, total = await cases.list_cases(
            session, district=staff.district, limit=limit, offset=offset, status=status
        )
    return CasePage(items=[CaseSummary.of(c) for c in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/{case_number}",
    response_model=CaseDetail,
    summary="One case: status history, the application, the registry answers",
    description="The case with its status history (who, when, why), the verified application (Annex 3) and "
    "the registry answers Condition 3 was decided on. Errors: UNAUTHORIZED; NOT_FOUND (no such case in the "
    "staff member's district — another district's case answers the same, so its existence is not revealed).",
)
async def get_case(
    staff: Staff,
    runtime: Runtime,
    case_number: Annotated[str, Path(max_length=64, examples=["ТҮ-karaganda-2026-000017"])],
) -> CaseDetail:
    async with runtime.db.sessions() as session:
        file = await cases.get_case(session, district=staff.district, number=case_number)
    if file is None:
        raise AppError("NOT_FOUND", {"case": case_number})
    return CaseDetail.of_file(file)
