"""Regional e-government gateway (ЭҮӨШ АЖО).

The regional e-government gateway and its workstation (ЭҮӨШ АЖО): registers incoming e-documents (SPEC §8 Process 6), keeps the signed, hash-chained message log, routes to the provider by district and tracks delivery states.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.regional_gateway.config import RegionalGatewaySettings
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="regional_gateway",
    title="Regional e-government gateway (ЭҮӨШ АЖО)",
    description="The regional e-government gateway and its workstation (ЭҮӨШ АЖО): registers incoming e-documents (SPEC §8 Process 6), keeps the signed, hash-chained message log, routes to the provider by district and tracks delivery states.",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000309/gateway",
)


def create_app(settings: RegionalGatewaySettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The regional_gateway app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    runtime = ServiceRuntime.build(SPEC, settings or RegionalGatewaySettings(), bus)
    return create_service_app(runtime)
