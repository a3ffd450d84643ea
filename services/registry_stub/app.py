"""State registries and the test certification authority (NCA).

State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate, addresses, social status, court decisions) over a deterministic synthetic population, and the test national certification authority (CA, CRL, OCSP).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.registry_stub.config import RegistryStubSettings
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="registry_stub",
    title="State registries and the test certification authority (NCA)",
    description="State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate, addresses, social status, court decisions) over a deterministic synthetic population, and the test national certification authority (CA, CRL, OCSP).",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000507/registry",
)


def create_app(settings: RegistryStubSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The registry_stub app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    runtime = ServiceRuntime.build(SPEC, settings or RegistryStubSettings(), bus)
    return create_service_app(runtime)
