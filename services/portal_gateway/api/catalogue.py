"""The service catalogue: the one state service this portal renders (§1–§4)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shared.housing.application import SERVICE_NAMES

router = APIRouter(prefix="/api/v1/services", tags=["services"])


class ServiceView(BaseModel):
    id: str
    names: dict[str, str] = Field(description="kk, ru, en")
    regulation: str
    result: str
    term: str = Field(description="§12")
    term_days: int
    cost: str = Field(description="§6")
    channels: list[str] = Field(description="§2: portal (with an EDS) or the Public Service Center")


HOUSING_QUEUE = ServiceView(
    id="housing-queue",
    names=SERVICE_NAMES,
    regulation="Karaganda region akimat resolution No. 17/03 of 11 April 2014 (Government standard No. 185 of "
    "5 March 2014)",
    result="notification of registration in the housing queue with the queue number, or a reasoned refusal (§5, §15)",
    term="30 calendar days from submission (portal and Center)",
    term_days=30,
    cost="free",
    channels=["portal", "center"],
)


@router.get(
    "",
    response_model=list[ServiceView],
    summary="The service catalogue",
    description="The state services this portal renders: one, the housing queue, with its Regulation, result, "
    "term (30 calendar days), cost (free) and channels.",
)
async def services() -> list[ServiceView]:
    return [HOUSING_QUEUE]
