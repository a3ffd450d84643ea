"""Service provider: housing department and housing commission.

The authorized body (көрсетілетін қызметті беруші): the city/district housing department and the housing commission. Cases, the Annex 1 workflow and its deadlines, commission protocols, results, waiting lists and allocation.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.provider import staff
from services.provider.api import cases as cases_api
from services.provider.api import staff as staff_api
from services.provider.config import ProviderSettings
from services.provider.intake import IntakeService
from shared.auth import TokenIssuer
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="provider",
    title="Service provider: housing department and housing commission",
    description="The authorized body (көрсетілетін қызметті беруші): the city/district housing department and the housing commission. Cases, the Annex 1 workflow and its deadlines, commission protocols, results, waiting lists and allocation.",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000408/provider",
)

OPENAPI_TAGS = [
    {"name": "staff", "description": "Login of the housing department's staff and the housing commission."},
    {
        "name": "cases",
        "description": "The case register of the staff member's district: every application the regional gateway "
        "delivered, registered at Annex 1 step 3 and checked against §14 (Condition 3), with its status history.",
    },
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(settings: ProviderSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The provider app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    settings = settings or ProviderSettings()
    runtime = ServiceRuntime.build(SPEC, settings, bus)
    intake = IntakeService(runtime, settings)

    async def seed_staff(_runtime: ServiceRuntime) -> None:
        # After the migrations, before the service takes deliveries or reports ready.
        await staff.seed_demo_accounts(runtime.db, settings.demo_password.get_secret_value())

    runtime.subscriptions.extend([seed_staff, intake.subscribe])
    app = create_service_app(runtime, [staff_api.router, cases_api.router], openapi_tags=OPENAPI_TAGS)
    app.state.intake = intake
    app.state.tokens = TokenIssuer(
        audience=SPEC.name,
        secret=settings.token_secret.get_secret_value(),
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    return app
