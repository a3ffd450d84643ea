"""The service catalogue: the one state service this portal renders (§1–§4)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

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
    names={
        "kk": "Мемлекеттік тұрғын үй қорынан берілетін тұрғын үйге немесе жеке тұрғын үй қорынан жергілікті атқарушы "
        "орган жалдаған тұрғын үйге мұқтаж азаматтарды есепке алу және кезекке қою, сондай-ақ жергілікті атқарушы "
        "органдардың тұрғын үй беру туралы шешім қабылдауы",
        "ru": "Постановка на учет и очередность граждан, нуждающихся в жилище из государственного жилищного фонда или "
        "жилище, арендованном местным исполнительным органом в частном жилищном фонде, и решение местных "
        "исполнительных органов о предоставлении жилища",
        "en": "Registration and queueing of citizens in need of housing from the state housing fund, or of housing "
        "rented by the local executive body in the private housing fund, and the local executive bodies' decision "
        "on providing housing",
    },
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
