"""State registries and the test certification authority (NCA) — the composition root (architecture §8).

State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate,
addresses, social status, court decisions) over a deterministic synthetic population, and the test
national certification authority (CA, CRL, OCSP).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.registry_stub import handlers
from services.registry_stub.api import nca, registries
from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.nca.authority import CertificationAuthority
from services.registry_stub.nca.local import LocalFetcher, LocalTrust
from services.registry_stub.nca.profiles import Subject
from services.registry_stub.population.loader import ensure_population
from services.registry_stub.registries.desk import RegistryDesk
from shared.bus.port import Bus
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer
from shared.eds.verify import Verifier
from shared.participants import REGISTRIES
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="registry_stub",
    title="State registries and the test certification authority (NCA)",
    description="State registries (individuals ЖТ ММБ, notary powers of attorney БНАЖ, civil status, real estate, "
    "addresses, social status, court decisions) over a deterministic synthetic population, and the test national "
    "certification authority (CA, CRL, OCSP).",
    migrations=Path(__file__).parent / "migrations",
)

SIGNING_ROLE = "registry"
REGISTRY_SUBJECT = Subject(
    iin=REGISTRIES.identity.officer_iin,
    surname=REGISTRIES.identity.surname,
    given_name=REGISTRIES.identity.given_name,
    bin=REGISTRIES.bin,
    organization=REGISTRIES.organization,
)
"""Who signs the registries' answers: their system certificate (the IIN is the responsible officer's)."""

OPENAPI_TAGS = [
    {
        "name": "certification authority",
        "description": "The test national certification authority (ҰКО 3.0 (RSA TEST)): issue and revoke "
        "certificates, the CA chain, the CRL and the OCSP responder (architecture §5).",
    },
    {
        "name": "state registries",
        "description": "Read-only mirrors of the registry queries (ЖТ ММБ, БНАЖ, АХАЖ, real estate, addresses, "
        "social status, employment, emergency findings, court decisions): signed answers, every query logged. "
        "TEST MODE ONLY (NCA_TEST_MODE=1): open to testers with any consent text, not checked; outside test mode "
        "they answer FORBIDDEN. The sync channel checks consent: a signed consent, against the authenticated "
        "requester and the person asked about.",
    },
    {"name": "personas", "description": "Synthetic people chosen to exercise the rules, by trait."},
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(settings: RegistryStubSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The registry_stub app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    settings = settings or RegistryStubSettings()
    credentials = RegistryCredentials()
    db = Database(settings.database_url)
    authority = credentials.authority = CertificationAuthority(db, settings)
    verifier = Verifier(
        LocalTrust(authority),
        RevocationSources(LocalFetcher(authority), freshness_s=settings.revocation_freshness_s),
    )
    runtime = ServiceRuntime.build(SPEC, settings, bus=bus, db=db, verifier=verifier, credentials=credentials)
    today = partial(registries_today, settings.population_as_of)
    desk = RegistryDesk(runtime.db, partial(registry_signer, authority), today, verifier=runtime.verifier)
    load = partial(
        load_population,
        runtime.db,
        desk=desk,
        seed=settings.population_seed,
        people=settings.population_size,
    )
    app = create_service_app(
        runtime,
        [nca.router, registries.router],
        handlers=handlers.table(desk),
        responders=handlers.responders(desk),
        # The PKI first (loaded, or made the first time), then the population, before any query.
        on_startup=[authority.start, load],
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.nca = authority
    app.state.registry_desk = desk
    return app


class RegistryCredentials:
    """The registries' system credentials (what signs their answers and their messages), made by the NCA
    they host, in process: no certificate request over HTTP to themselves."""

    authority: CertificationAuthority | None = None

    async def signer(self) -> Signer:
        if self.authority is None:
            raise RuntimeError("the registries' credentials have no certification authority yet")
        return await registry_signer(self.authority)


async def registry_signer(authority: CertificationAuthority) -> Signer:
    """The registries' signer: their system certificate (made under the issuing CA on first use)."""
    credential = await authority.own_credential(SIGNING_ROLE, REGISTRY_SUBJECT)
    return Signer(credential.private_key, (credential.certificate, authority.issuing_ca))


def registries_today(as_of: date | None) -> date:
    """The registries' "today": the configured day (tests, demos), else the real one."""
    return as_of or utcnow().date()


async def load_population(db: Database, *, desk: RegistryDesk, seed: int, people: int) -> None:
    """Start-up hook (after the PKI's): the synthetic population, generated and stored at the first start
    of the database; and the registries' signing certificate, made before the first query, not during it."""
    await ensure_population(db, seed=seed, people=people, as_of=desk.today())
    await desk.signer()
