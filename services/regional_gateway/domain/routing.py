"""The gateway's routing directory (architecture §3; shared.geo): each city and district of the
Karaganda region (§1–§4: each has its own housing department) and the provider that serves it. One
provider service stands for every housing department; the routing key carries the district, so its
queue binding can be narrowed to some districts without changing the gateway."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import AppError
from shared.geo import DISTRICTS
from shared.housing.messages import delivered_key
from shared.participants import PROVIDER


@dataclass(frozen=True, slots=True)
class Route:
    district: str
    name_kk: str
    provider: str
    routing_key: str


DIRECTORY: dict[str, Route] = {
    d.code: Route(d.code, d.name_kk, PROVIDER.address, delivered_key(d.code)) for d in DISTRICTS
}


def route_for(district: str) -> Route:
    """Where an application for ``district`` goes; VALIDATION_FAILED for a district the region does not have."""
    route = DIRECTORY.get(district)
    if route is None:
        raise AppError("VALIDATION_FAILED", {"reason": "no provider for this district", "district": district})
    return route


def serves(provider: str, district: str) -> bool:
    """True when ``provider`` (an address) is the one the directory names for ``district``."""
    route = DIRECTORY.get(district)
    return route is not None and route.provider == provider
