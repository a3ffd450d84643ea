"""Regional e-government gateway (ЭҮӨШ АЖО).

The regional e-government gateway and its workstation (ЭҮӨШ АЖО): registers incoming e-documents (SPEC §8 Process 6), keeps the signed, hash-chained message log, routes to the provider by district and tracks delivery states.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.regional_gateway import dead_letters, intake, relay
from services.regional_gateway.api import evidence, routing, workstation
from services.regional_gateway.api.deps import AdminToken
from services.regional_gateway.config import RegionalGatewaySettings
from services.regional_gateway.context import Gateway, SignerSource
from shared.bus.port import Bus
from shared.eds.credentials import SystemCredentials, SystemIdentity
from shared.housing.messages import CASE_RESULT, CASE_STATUS, SUBMITTED
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="regional_gateway",
    title="Regional e-government gateway (ЭҮӨШ АЖО)",
    description="The regional e-government gateway and its workstation (ЭҮӨШ АЖО): registers incoming e-documents (SPEC §8 Process 6), keeps the signed, hash-chained message log, routes to the provider by district and tracks delivery states.",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000309/gateway",
)

IDENTITY = SystemIdentity(
    bin="140440000309", organization="Қарағанды облысының өңірлік ЭҮШ (ТЕСТ)", officer_iin="780612300018",
    surname="ӨҢІРЛІК", given_name="ШЛЮЗ",
)  # fmt: skip
"""Whom the registration stamp's certificate names (the IIN is the responsible officer's)."""

OPENAPI_TAGS = [
    {
        "name": "workstation",
        "description": "The gateway's workstation, behind its admin token: dead letters and their replay, delivery "
        "states (ON_DELIVERY, DELIVERED, NOT_DELIVERED, DELIVERY_STOPPED) apart from business statuses.",
    },
    {
        "name": "evidence",
        "description": "The message log, behind the admin token: every message received, refused, stamped, "
        "answered or relayed, with its document and hash chain; a check of the chain end to end.",
    },
    {"name": "routing", "description": "The routing directory: each district's provider."},
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(
    settings: RegionalGatewaySettings | None = None, *, bus: Bus | None = None, credentials: SignerSource | None = None
) -> FastAPI:
    """The regional_gateway app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``. ``credentials``: the source of the
    gateway's signer (default: its system certificate from the NCA at ``NCA_URL``)."""
    settings = settings or RegionalGatewaySettings()
    runtime = ServiceRuntime.build(SPEC, settings, bus)
    credentials = credentials or SystemCredentials(settings.nca_url, IDENTITY, ra_token=settings.nca_ra_token)
    gateway = Gateway(runtime, settings, credentials)
    admin_token = AdminToken(settings.admin_token)

    async def subscribe(_runtime: ServiceRuntime) -> None:
        admin_token.announce()
        bus_ = runtime.bus
        limit = settings.delivery_limit
        await bus_.subscribe(intake.QUEUE, [SUBMITTED], intake.handler(gateway), delivery_limit=limit)
        await bus_.subscribe(relay.QUEUE, [CASE_STATUS, CASE_RESULT], relay.handler(gateway), delivery_limit=limit)
        for queue in (intake.QUEUE, relay.QUEUE):
            await bus_.subscribe_dead_letters(queue, dead_letters.handler(gateway, queue))

    runtime.subscriptions.append(subscribe)
    app = create_service_app(runtime, [workstation.router, evidence.router, routing.router], openapi_tags=OPENAPI_TAGS)
    app.state.gateway = gateway
    app.state.admin_token = admin_token
    return app
