"""e-Government portal (ЭҮП, egov.kz).

The e-government portal (ЭҮП): citizen accounts and login (IIN and password, or EDS), the service form, EDS checks (SPEC §8 Condition 2), the personal cabinet (жеке кабинет) and public verification of signed e-documents.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.portal_gateway.api import edocs
from services.portal_gateway.config import PortalSettings
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="portal_gateway",
    title="e-Government portal (ЭҮП, egov.kz)",
    description="The e-government portal (ЭҮП): citizen accounts and login (IIN and password, or EDS), the service form, EDS checks (SPEC §8 Condition 2), the personal cabinet (жеке кабинет) and public verification of signed e-documents.",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000100/portal",
)


def create_app(settings: PortalSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The portal_gateway app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    runtime = ServiceRuntime.build(SPEC, settings or PortalSettings(), bus)
    return create_service_app(runtime, [edocs.router])
