"""Service provider: housing department and housing commission.

The authorized body (көрсетілетін қызметті беруші): the city/district housing department and the housing commission. Cases, the Annex 1 workflow and its deadlines, commission protocols, results, waiting lists and allocation.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.provider.config import ProviderSettings
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="provider",
    title="Service provider: housing department and housing commission",
    description="The authorized body (көрсетілетін қызметті беруші): the city/district housing department and the housing commission. Cases, the Annex 1 workflow and its deadlines, commission protocols, results, waiting lists and allocation.",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000408/provider",
)


def create_app(settings: ProviderSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The provider app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    runtime = ServiceRuntime.build(SPEC, settings or ProviderSettings(), bus)
    return create_service_app(runtime)
