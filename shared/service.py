"""What every service is made of: its database (migrated at start), the bus, the outbox relay, the
verifier, the registries' client, its start-up hooks and handler table, and a FastAPI app with the
kernel's error handlers, correlation ids, `/health` and `/ready`. A service's ``app.py`` (its
composition root) describes itself with a `ServiceSpec`, builds a `ServiceRuntime` and calls
`create_service_app` (architecture §8).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.api.errors import ERROR_RESPONSES, install_error_handlers
from shared.api.limits import LIMIT_RESPONSES, RequestLimits
from shared.bus.amqp import AmqpBus
from shared.bus.memory import InMemoryBus
from shared.bus.outbox import OutboxRelay, resend_sent_since
from shared.bus.port import PUBLISH_TIMEOUT_S, Bus
from shared.bus.proof import Gatekeeper, Sealer
from shared.db import Database, describe_url
from shared.eds.credentials import Renewal, SignerSource, SystemCredentials
from shared.eds.revocation import HttpFetcher, RevocationSources
from shared.eds.trust import NcaTrust
from shared.eds.verify import Verifier
from shared.handlers import MessageHandler, Responder, subscribe_all
from shared.logging import configure_logging, get_logger, log_context
from shared.migrate import migrate
from shared.participants import BY_SERVICE, Participant
from shared.registries import RegistryClient
from shared.settings import ServiceSettings

log = get_logger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"


@dataclass(frozen=True)
class ServiceSpec:
    """What a service is: its name (package, queue prefix, log field), its title and description
    for OpenAPI, and where its migrations are. Its gateway address comes from the directory
    (`shared.participants`)."""

    name: str
    title: str
    description: str
    migrations: Path

    @property
    def participant(self) -> Participant:
        return BY_SERVICE[self.name]

    @property
    def sender(self) -> str:
        """Its gateway address, ``KZ/GOV/<BIN>/<subsystem>`` (architecture §3)."""
        return self.participant.address


ReadinessCheck = Callable[[], Awaitable[bool]]
"""A check of something a service cannot work without beyond its database and the bus (e.g. the
certificate it signs with); ``/ready`` answers 503 while one says False."""

StartupHook = Callable[[], Awaitable[None]]
"""Work a service does at start, after its migrations and before it consumes messages or reports
ready (load the PKI, seed demo accounts, …)."""


@dataclass
class ServiceRuntime:
    """The service's moving parts, shared by its routes (``request.app.state.runtime``) and handlers:
    its database, the bus, the outbox relay, the verifier, its system credentials (what it signs with)
    and the registries' client, and what it runs at start (start-up hooks, then its handler table and
    responders)."""

    spec: ServiceSpec
    settings: ServiceSettings
    db: Database
    bus: Bus
    owns_bus: bool
    relay: OutboxRelay
    verifier: Verifier
    credentials: SignerSource
    registries: RegistryClient
    sealer: Sealer
    """Signs what the service sends (architecture §9)."""
    gatekeeper: Gatekeeper
    """Admits what it receives (architecture §9)."""
    on_startup: list[StartupHook] = field(default_factory=list)
    handlers: list[MessageHandler] = field(default_factory=list)
    responders: list[Responder] = field(default_factory=list)
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    started: bool = False
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        spec: ServiceSpec,
        settings: ServiceSettings,
        *,
        bus: Bus | None = None,
        db: Database | None = None,
        verifier: Verifier | None = None,
        credentials: SignerSource | None = None,
        registries: RegistryClient | None = None,
    ) -> ServiceRuntime:
        """The runtime from settings; a dependency given is used instead of the one the settings make
        (a bus shared by services in one process; a database, a verifier, credentials or a registries'
        client of a test, or of a service that makes them itself). The default credentials are the
        service's system certificate from the NCA at ``NCA_URL``, certified with its enrollment token
        (``NCA_ENROLLMENT_TOKEN_<SERVICE>``)."""
        db = db or Database(settings.database_url)
        owns_bus = bus is None
        if bus is None:
            bus = make_bus(settings, spec.name)
        closers: list[Callable[[], Awaitable[None]]] = []
        if verifier is None:
            fetcher = HttpFetcher()
            closers.append(fetcher.aclose)
            trust = NcaTrust(settings.nca_url, pin_sha256=settings.nca_root_sha256 or None)
            verifier = Verifier(trust, RevocationSources(fetcher, freshness_s=settings.revocation_freshness_s))
        on_startup: list[StartupHook] = []
        if credentials is None:
            system = SystemCredentials(
                settings.nca_url,
                spec.participant.identity,
                ra_token=settings.nca_enrollment_token,
                check_interval_s=settings.own_certificate_check_s,
            )
            on_startup.append(system.check_configuration)
            credentials = system
        sealer, gatekeeper = Sealer(credentials, spec.name), Gatekeeper(verifier)
        if registries is None:
            registries = RegistryClient(bus, sealer=sealer, gatekeeper=gatekeeper, timeout=settings.registry_timeout_s)
        relay = OutboxRelay(db, bus, sealer)
        if isinstance(credentials, SystemCredentials):
            credentials.on_renewal.append(partial(_resend_after_revocation, db, spec.name))
        return cls(
            spec,
            settings,
            db,
            bus,
            owns_bus,
            relay,
            verifier,
            credentials,
            registries,
            sealer,
            gatekeeper,
            on_startup,
            closers=closers,
        )

    async def start(self) -> None:
        with log_context(service=self.spec.name):
            await migrate(self.db, self.spec.migrations)
            if self.owns_bus:
                await self.bus.start()
            for hook in self.on_startup:
                await hook()
            await subscribe_all(
                self.db, self.bus, self.handlers, self.responders, gatekeeper=self.gatekeeper, sealer=self.sealer
            )
            self.relay.start()
            self.started = True
            log.info("service started", database=describe_url(self.db.url), bus=type(self.bus).__name__)

    async def stop(self) -> None:
        with log_context(service=self.spec.name):
            self.started = False
            await self.relay.stop()
            if self.owns_bus:
                await self.bus.close()
            for close in self.closers:
                await close()
            await self.db.dispose()
            log.info("service stopped")


_resending: set[asyncio.Task[None]] = set()


def _resend_after_revocation(db: Database, service: str, renewal: Renewal) -> None:
    """A renewal callback: when the certificate was revoked (or unknown to the NCA), send again what was
    sent since it was last known good (`shared.bus.outbox.resend_sent_since`), now, and once more after
    a publish's longest wait, for what a relay had signed with the old certificate but not yet marked
    sent (an alert in the log)."""
    if renewal.reason == "expiring":
        return
    log.error(
        "alert: the system certificate was unusable; what was sent with it since it was last known good is sent again",
        service=service,
        old_serial=renewal.old_serial,
        good_at=renewal.good_at.isoformat(),
    )

    async def resend() -> None:
        for wait in (0.0, PUBLISH_TIMEOUT_S):
            await asyncio.sleep(wait)
            try:
                count = await resend_sent_since(db, renewal.good_at)
            except Exception:
                log.exception("could not send again what the revoked certificate signed", service=service)
                continue
            log.warning("messages sent again after a revoked certificate", service=service, count=count)

    task = asyncio.get_running_loop().create_task(resend(), name=f"{service}-resend")
    _resending.add(task)
    task.add_done_callback(_resending.discard)


def make_bus(settings: ServiceSettings, connection_name: str) -> Bus:
    """RabbitMQ when ``AMQP_URL`` is set, else the in-memory bus (which then serves only this
    process: a service alone on the in-memory bus talks to nobody, so say so)."""
    if settings.amqp_url:
        return AmqpBus(settings.amqp_url, settings.bus_namespace, connection_name=connection_name)
    log.warning("AMQP_URL is not set: in-memory bus, this process only", service=connection_name)
    return InMemoryBus(settings.bus_namespace)


class Health(BaseModel):
    status: str
    service: str


class Readiness(BaseModel):
    status: str
    service: str
    checks: dict[str, bool]


async def _passes(check: ReadinessCheck) -> bool:
    try:
        return await check()
    except Exception:
        log.warning("readiness check failed", exc_info=True)
        return False


def _health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health", response_model=Health, summary="Liveness: the process answers")
    async def health() -> Health:
        return Health(status="ok", service=runtime.spec.name)

    @router.get(
        "/ready",
        response_model=Readiness,
        summary="Readiness: the service's database and the bus answer",
        responses={503: {"model": Readiness, "description": "the database or the bus does not answer"}},
    )
    async def ready() -> Any:
        checks = {"started": runtime.started, "database": await runtime.db.ping(), "bus": await runtime.bus.ping()}
        for name, check in runtime.readiness.items():
            checks[name] = await _passes(check)
        body = Readiness(
            status="ok" if all(checks.values()) else "unavailable", service=runtime.spec.name, checks=checks
        )
        return JSONResponse(body.model_dump(), status_code=200 if body.status == "ok" else 503)

    return router


def create_service_app(
    runtime: ServiceRuntime,
    routers: Sequence[APIRouter] = (),
    *,
    handlers: Sequence[MessageHandler] = (),
    responders: Sequence[Responder] = (),
    on_startup: Sequence[StartupHook] = (),
    readiness: dict[str, ReadinessCheck] | None = None,
    version: str = "1.0.0",
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    """The service's FastAPI app: its routers, and what its runtime runs at start — the start-up
    hooks, then the handler table and the responders. Its lifespan starts and stops the runtime.
    Every request goes through the kernel's limits (`shared.api.limits.RequestLimits`: body size,
    JSON nesting) and error handlers (architecture §7)."""
    runtime.on_startup.extend(on_startup)
    runtime.handlers.extend(handlers)
    runtime.responders.extend(responders)
    runtime.readiness.update(readiness or {})
    configure_logging(runtime.settings.log_level)
    spec = runtime.spec

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=version,
        lifespan=lifespan,
        responses={**ERROR_RESPONSES, **LIMIT_RESPONSES},
        openapi_tags=openapi_tags,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(RequestLimits)  # inside the correlation middleware below: its refusals carry the id too

    @app.middleware("http")
    async def correlation(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        correlation_id = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        with log_context(service=spec.name, correlation_id=correlation_id[:100]):
            response = await call_next(request)
        response.headers[CORRELATION_HEADER] = correlation_id[:100]
        return response

    app.include_router(_health_router(runtime))
    for router in routers:
        app.include_router(router)
    return app
