"""Regional e-government gateway (ЭҮӨШ АЖО).

The regional e-government gateway and its workstation (ЭҮӨШ АЖО): registers incoming e-documents
(§18 Process 6) and the provider's outgoing results (Process 8), keeps the signed, hash-chained
message log, routes to the provider by district and tracks delivery states. This module is its
composition root (architecture §8).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.regional_gateway import handlers
from services.regional_gateway.api import evidence, routing, workstation
from services.regional_gateway.api.deps import AdminToken
from services.regional_gateway.config import RegionalGatewaySettings
from services.regional_gateway.restamp import Restamper
from shared.bus.port import Bus
from shared.eds.credentials import SignerSource, can_sign
from shared.eds.verify import Verifier
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="regional_gateway",
    title="Regional e-government gateway (ЭҮӨШ АЖО)",
    description="The regional e-government gateway and its workstation (ЭҮӨШ АЖО): registers incoming e-documents "
    "(§18 Process 6) and the provider's outgoing results (Process 8), keeps the signed, hash-chained message log, "
    "routes to the provider by district and tracks delivery states.",
    migrations=Path(__file__).parent / "migrations",
)

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
    settings: RegionalGatewaySettings | None = None,
    *,
    bus: Bus | None = None,
    verifier: Verifier | None = None,
    credentials: SignerSource | None = None,
) -> FastAPI:
    """The regional_gateway app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``. ``verifier``: default, one that
    trusts the NCA at ``NCA_URL``. ``credentials``: the source of the gateway's stamping signer (default:
    its system certificate from the NCA at ``NCA_URL``)."""
    settings = settings or RegionalGatewaySettings()
    runtime = ServiceRuntime.build(SPEC, settings, bus=bus, verifier=verifier, credentials=credentials)
    credentials = runtime.credentials
    admin_token = AdminToken(settings.admin_token)
    # A stamping certificate renewed because it was revoked: what it stamped on delivery is stamped again.
    restamper = Restamper(runtime.db, credentials)
    runtime.closers.insert(0, restamper.close)
    table = handlers.table(
        db=runtime.db,
        namespace=runtime.bus.namespace,
        verifier=runtime.verifier,
        credentials=credentials,
        registration_prefix=settings.registration_prefix,
        delivery_limit=settings.delivery_limit,
    )
    app = create_service_app(
        runtime,
        [workstation.router, evidence.router, routing.router],
        handlers=table,
        on_startup=[admin_token.announce, restamper.start],
        # Without its stamping certificate the gateway registers nothing: not ready until it has one.
        readiness={"stamp_certificate": partial(can_sign, credentials)},
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.admin_token = admin_token
    app.state.restamper = restamper
    return app
