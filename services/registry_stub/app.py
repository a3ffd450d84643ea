"""State registries and the test certification authority (NCA).

State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate, addresses, social status, court decisions) over a deterministic synthetic population, and the test national certification authority (CA, CRL, OCSP).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI

from services.registry_stub.api import nca, registries
from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.nca.authority import CertificationAuthority
from services.registry_stub.nca.profiles import Subject
from services.registry_stub.registries.desk import RegistryDesk
from services.registry_stub.registries.loader import ensure_population
from shared.bus.port import Bus
from shared.eds.signing import Signer
from shared.registries import QUERY_TYPES, REGISTRY_BIN, routing_key
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="registry_stub",
    title="State registries and the test certification authority (NCA)",
    description="State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate, addresses, social status, court decisions) over a deterministic synthetic population, and the test national certification authority (CA, CRL, OCSP).",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000507/registry",
)

SIGNING_ROLE = "registry"
REGISTRY_SUBJECT = Subject(
    iin="800101300016", surname="ТІРКЕЛІМДЕР", given_name="ЖҮЙЕСІ", bin=REGISTRY_BIN,
    organization="Мемлекеттік тіркелімдер (ТЕСТ)",
)  # fmt: skip
"""Who signs the registries' answers: their system certificate (the IIN is the responsible officer's)."""

OPENAPI_TAGS = [
    {
        "name": "certification authority",
        "description": "The test national certification authority (ҰКО 3.0 (RSA TEST)): issue and revoke "
        "certificates, the CA chain, the CRL and the OCSP responder (ARCHITECTURE §5).",
    },
    {
        "name": "state registries",
        "description": "Read-only mirrors of the registry queries (ЖТ ММБ, БНАЖ, АХАЖ, real estate, addresses, social "
        "status, employment, emergency findings, court decisions): signed answers, consent required, every query logged.",
    },
    {"name": "personas", "description": "Synthetic people chosen to exercise the rules, by trait."},
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

    async def signer() -> Signer:
        credential = await authority.own_credential(SIGNING_ROLE, REGISTRY_SUBJECT)
        return Signer(credential.private_key, (credential.certificate, authority.issuing_ca))  # type: ignore[arg-type]

    def today() -> date:
        # The registries' "today": the configured day (tests, demos), else the real one.
        return settings.population_as_of or datetime.now(UTC).date()

    desk = RegistryDesk(runtime.db, signer, today)

    async def start_registries(_runtime: ServiceRuntime) -> None:
        await ensure_population(
            runtime.db, seed=settings.population_seed, people=settings.population_size, as_of=today()
        )
        await signer()  # made before the first query, not during it
        await runtime.bus.serve(
            "registry_stub.queries", [routing_key(q) for q in QUERY_TYPES], desk.respond, prefetch=32
        )

    runtime.subscriptions.append(start_registries)
    app = create_service_app(runtime, [nca.router, registries.router], openapi_tags=OPENAPI_TAGS)
    app.state.nca = authority
    app.state.registry_desk = desk
    return app
