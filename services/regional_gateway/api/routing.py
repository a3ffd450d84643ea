"""The routing directory, public: which provider each district's applications go to."""

from __future__ import annotations

from fastapi import APIRouter

from services.regional_gateway.api.schemas import RouteView
from services.regional_gateway.domain.routing import DIRECTORY

router = APIRouter(prefix="/api/v1", tags=["routing"])


@router.get(
    "/routing",
    response_model=list[RouteView],
    summary="The routing directory: district → provider",
    description="Each city and district of the Karaganda region (shared.geo), the provider that serves it and the "
    "routing key its applications are delivered on (`document.delivered.<district>`).",
)
async def routing_directory() -> list[RouteView]:
    return [
        RouteView(district=r.district, name_kk=r.name_kk, provider=r.provider, routing_key=r.routing_key)
        for r in DIRECTORY.values()
    ]
