"""State registries and the test certification authority (NCA).

State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate, addresses, social status, court decisions) over a deterministic synthetic population, and the test national certification authority (CA, CRL, OCSP).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.registry_stub.api import nca
from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.nca.authority import CertificationAuthority
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="registry_stub",
    title="State registries and the test certification authority (NCA)",
    description="State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate, addresses, social status, court decisions) over a deterministic synthetic population, and the test national certification authority (CA, CRL, OCSP).",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000507/registry",
)

OPENAPI_TAGS = [
    {
        "name": "certification authority",
        "description": "The test national certification authority (ҰКО 3.0 (RSA TEST)): issue and revoke "
        "certificates, the CA chain, the CRL and the OCSP responder (ARCHITECTURE §5).",
    },
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(settings: RegistryStubSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The registry_stub app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    settings = settings or RegistryStubSettings()
    runtime = ServiceRuntime.build(SPEC, settings, bus)
    authority = CertificationAuthority(runtime.db, settings)

    async def start_authority(_runtime: ServiceRuntime) -> None:
        # After the migrations, before the service reports ready: loads the PKI, or makes it the first time.
        await authority.start()

    runtime.subscriptions.append(start_authority)
    app = create_service_app(runtime, [nca.router], openapi_tags=OPENAPI_TAGS)
    app.state.nca = authority
    return app
