"""e-Government portal (ЭҮП, egov.kz).

The e-government portal (ЭҮП): citizen accounts and login (IIN and password, or EDS), the service form, EDS checks (SPEC §8 Condition 2), the personal cabinet (жеке кабинет) and public verification of signed e-documents.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.portal_gateway import handlers
from services.portal_gateway.api import applications, attachments, auth, catalogue, edocs
from services.portal_gateway.config import PortalSettings
from services.portal_gateway.context import Portal
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="portal_gateway",
    title="e-Government portal (ЭҮП, egov.kz)",
    description="The e-government portal (ЭҮП): citizen accounts and login (IIN and password, or EDS), the service form, EDS checks (SPEC §8 Condition 2), the personal cabinet (жеке кабинет) and public verification of signed e-documents.",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000100/portal",
)

OPENAPI_TAGS = [
    {
        "name": "accounts",
        "description": "Registration, login with IIN and password or with the EDS (SPEC §8 steps 1–4).",
    },
    {"name": "services", "description": "The service catalogue."},
    {"name": "attachments", "description": "E-copies of documents, referenced from the application by SHA-256 (§14)."},
    {"name": "applications", "description": "The form, the signed submission and the personal cabinet (SPEC §8)."},
    {"name": "e-documents", "description": "Public verification of signed e-documents."},
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(settings: PortalSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The portal_gateway app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    runtime = ServiceRuntime.build(SPEC, settings or PortalSettings(), bus)
    runtime.subscriptions.append(handlers.subscribe)
    routers = [auth.router, catalogue.router, attachments.router, applications.router, edocs.router]
    app = create_service_app(runtime, routers, openapi_tags=OPENAPI_TAGS)
    app.state.portal = Portal.build(runtime)
    return app
