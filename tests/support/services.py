"""The one way the suites start services in process: the registry_stub app (the test NCA and the
registries) on an in-memory bus, verifiers that trust its NCA (OCSP and CRL reached through its app by
tests.support.pki.SwitchableFetcher), the services under test made by ``create_app(settings, bus=bus,
verifier=...)`` and reached over httpx ASGI clients, and collectors of bus messages.

    async with running(tmp_path, services={"portal": lambda bus, verifier, credentials: create_app(...)}) as env:
        env.client("portal"), env.pki, env.registry, await env.collect("test.queue", ["some.key"])

``credentials(service)`` gives a service its system credentials from the in-process NCA (with the
harness's RA token), and ``env.signing`` is the bus as tests publish on it: signed as each message's
sender would sign it (architecture §9), since receivers admit nothing else; ``env.bus`` is the raw bus
(for forgeries).

A service that must start later (after collectors, with its own verifier) is started with
`InProcess.start` inside the block; everything is stopped in reverse order when the block ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, overload

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from services.registry_stub.app import create_app as create_registry
from services.registry_stub.config import RegistryStubSettings
from shared.bus.envelope import Envelope
from shared.bus.memory import InMemoryBus
from shared.bus.port import Bus
from shared.bus.proof import Sealer
from shared.eds.credentials import SignerSource, SystemCredentials
from shared.eds.enrollment import enrollment_token
from shared.eds.revocation import RevocationSources
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.participants import BY_ADDRESS, BY_SERVICE
from tests.support.bus import Collector
from tests.support.nca import RA_TOKEN
from tests.support.pki import NCA_URL, Pki, SwitchableFetcher

Credentials = Callable[[str], SignerSource]
"""A service's system credentials by its name (``portal_gateway``, …)."""
Factory = Callable[[Bus, Verifier, Credentials], FastAPI]
"""Makes a service's app on the shared bus with the verifier it is given and its credentials
(``create_app(settings, bus=..., verifier=..., credentials=credentials("provider"))``)."""

V = TypeVar("V", bound=Verifier)


def sqlite_url(path: Path, name: str) -> str:
    """A service's own SQLite database under ``path``."""
    return f"sqlite+aiosqlite:///{path / f'{name}.db'}"


class SigningBus:
    """A test's hand on the shared bus: an envelope it publishes without a proof is first signed as
    its sender (the directory's service of its ``sender`` address) would sign it; one with a proof, or
    from an address the directory does not know, goes out as it is. Everything else is the bus's."""

    def __init__(self, bus: InMemoryBus, sealer: Callable[[str], Sealer]) -> None:
        self.raw = bus
        self._sealer = sealer

    async def seal(self, envelope: Envelope) -> Envelope:
        participant = BY_ADDRESS.get(envelope.sender)
        if envelope.proof is not None or participant is None:
            return envelope
        return await self._sealer(participant.service).seal(envelope)

    async def publish(self, envelope: Envelope, routing_key: str | None = None) -> None:
        await self.raw.publish(await self.seal(envelope), routing_key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@dataclass
class Service:
    """A started service: its app and an httpx client on it."""

    app: FastAPI
    client: httpx.AsyncClient


@dataclass
class InProcess:
    """The shared bus, the registry_stub (``registry_app``, reached through ``registry``: the NCA and the
    personas), ``pki`` issuing certificates from that NCA, and the started ``services``."""

    bus: InMemoryBus
    registry_app: FastAPI
    registry: httpx.AsyncClient
    pki: Pki
    services: dict[str, Service] = field(default_factory=dict)
    _credentials: dict[str, SystemCredentials] = field(default_factory=dict, repr=False)
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack, repr=False)

    @property
    def fetcher(self) -> SwitchableFetcher:
        return self.pki.fetcher

    @property
    def store(self) -> TrustStore:
        return self.pki.store

    @overload
    def verifier(self, *, freshness_s: float = ...) -> Verifier: ...
    @overload
    def verifier(self, kind: type[V], *, freshness_s: float = ...) -> V: ...
    def verifier(self, kind: type[Verifier] = Verifier, *, freshness_s: float = 300.0) -> Verifier:
        """A verifier (of class ``kind``) trusting the NCA, its revocation checked through the fetcher."""
        return kind(self.pki.store, RevocationSources(self.pki.fetcher, freshness_s=freshness_s))

    def credentials(self, service: str) -> SystemCredentials:
        """``service``'s system credentials (one per service and world): its system certificate from the
        in-process NCA, certified with its enrollment token under the harness's RA token."""
        if service not in self._credentials:
            identity = BY_SERVICE[service].identity
            token = enrollment_token(RA_TOKEN, identity.bin)
            self._credentials[service] = SystemCredentials(NCA_URL, identity, ra_token=token, client=self.registry)
        return self._credentials[service]

    def sealer(self, service: str) -> Sealer:
        """Signs envelopes as ``service`` does."""
        return Sealer(self.credentials(service), service)

    @property
    def signing(self) -> SigningBus:
        """The bus as a test publishes on it: signed as each envelope's sender (`SigningBus`)."""
        return SigningBus(self.bus, self.sealer)

    async def collect(self, queue: str, bindings: Sequence[str], *, fail_times: int = 0) -> Collector:
        """A Collector consuming ``queue`` bound to ``bindings`` on the bus."""
        collector = Collector(fail_times)
        await self.bus.subscribe(queue, list(bindings), collector)
        return collector

    async def start(
        self,
        name: str,
        factory: Factory,
        *,
        verifier: Verifier | None = None,
        base_url: str | None = None,
        raise_app_exceptions: bool = True,
    ) -> Service:
        """Make the service's app (with ``verifier``, else a fresh one trusting the NCA), run its lifespan
        and open a client on it (at ``base_url``, ``http://<name>`` unless told); stopped with the world."""
        app = factory(self.bus, verifier if verifier is not None else self.verifier(), self.credentials)
        await self._stack.enter_async_context(LifespanManager(app))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        client = await self._stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=base_url or f"http://{name}")
        )
        self.services[name] = service = Service(app, client)
        return service

    def app(self, name: str) -> FastAPI:
        return self.services[name].app

    def client(self, name: str) -> httpx.AsyncClient:
        return self.services[name].client


@asynccontextmanager
async def running(
    tmp_path: Path,
    *,
    services: Mapping[str, Factory] | None = None,
    bus_name: str = "test",
    **registry: Any,
) -> AsyncIterator[InProcess]:
    """The registry_stub (NCA test mode, the harness's RA token ``RA_TOKEN``, its database under
    ``tmp_path``; ``registry`` are further RegistryStubSettings, e.g. ``population_size``,
    ``population_as_of``) on a new InMemoryBus named ``bus_name``, then each of ``services`` started in
    order (default verifier and base URL)."""
    async with AsyncExitStack() as stack:
        bus = InMemoryBus(bus_name)
        await bus.start()
        stack.push_async_callback(bus.close)
        settings = RegistryStubSettings(
            **{
                "database_url": sqlite_url(tmp_path, "registry"),
                "nca_test_mode": True,
                "nca_ra_token": RA_TOKEN,
                **registry,
            }
        )
        registry_app = create_registry(settings, bus=bus)
        await stack.enter_async_context(LifespanManager(registry_app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=registry_app), base_url=NCA_URL)
        )
        store = TrustStore.from_pem((await client.get("/nca/v1/chain.pem")).content)
        env = InProcess(bus, registry_app, client, Pki(client, SwitchableFetcher(client), store), _stack=stack)
        for name, factory in (services or {}).items():
            await env.start(name, factory)
        yield env
