"""The portal with the state registries and the test NCA in process: one in-memory bus shared by the
portal and registry_stub (so registry queries travel the sync channel), the portal's verifier
trusting the in-process NCA (OCSP and CRL reached through its app), and a stand-in for the regional
gateway that records what the portal sends it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from services.portal_gateway.app import create_app as create_portal
from services.portal_gateway.config import PortalSettings
from services.registry_stub.app import create_app as create_registry
from services.registry_stub.config import RegistryStubSettings
from shared.bus.envelope import Envelope
from shared.bus.memory import InMemoryBus
from shared.bus.port import Delivery
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, sign
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.housing.messages import SUBMITTED
from shared.service import ServiceRuntime
from tests.eds.conftest import NCA_URL, Pki, SwitchableFetcher

TOKEN_SECRET = "portal-test-secret-of-at-least-32-bytes"
PASSWORD = "Qwerty-2026!"


@dataclass
class World:
    portal: httpx.AsyncClient
    registry: httpx.AsyncClient
    pki: Pki
    bus: InMemoryBus
    runtime: ServiceRuntime
    sent: list[Envelope] = field(default_factory=list)
    _used: set[str] = field(default_factory=set)

    async def persona(self, trait: str = "eligible") -> str:
        """A persona with ``trait`` that no other test has taken."""
        found = (await self.registry.get("/api/v1/personas", params={"trait": trait, "limit": 200})).json()
        iin = next(p["iin"] for p in found if p["iin"] not in self._used)
        self._used.add(iin)
        return str(iin)

    async def register(self, iin: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        return await self.portal.post("/api/v1/auth/register", json={"iin": iin, "password": password, **extra})

    async def login(self, iin: str, password: str = PASSWORD) -> httpx.Response:
        return await self.portal.post("/api/v1/auth/token", json={"iin": iin, "password": password})

    async def citizen(self, trait: str = "eligible") -> tuple[str, dict[str, str]]:
        """A registered, signed-in persona: their IIN and the Authorization header."""
        iin = await self.persona(trait)
        assert (await self.register(iin)).status_code == 201
        token = (await self.login(iin)).json()["access_token"]
        return iin, {"Authorization": f"Bearer {token}"}

    async def draft(self, auth: dict[str, str], **body: Any) -> dict[str, Any]:
        response = await self.portal.post("/api/v1/applications/draft", json=body, headers=auth)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def signed_draft(self, iin: str, auth: dict[str, str], signer: Signer | None = None) -> dict[str, Any]:
        document = (await self.draft(auth))["document"]
        return sign(document, signer or await self.pki.issue(iin))

    async def submit(self, auth: dict[str, str], signed: Any) -> httpx.Response:
        return await self.portal.post("/api/v1/applications", json={"signed": signed}, headers=auth)

    async def until(self, check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
        """Wait for an asynchronous effect (a handler, the outbox relay)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not await check():
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
            await asyncio.sleep(0.05)


@asynccontextmanager
async def portal_world(tmp: Path) -> AsyncIterator[World]:
    bus = InMemoryBus("portal-test")
    await bus.start()
    registry_app = create_registry(
        RegistryStubSettings(database_url=f"sqlite+aiosqlite:///{tmp / 'registry.db'}", nca_test_mode=True,
                             population_size=400),
        bus=bus,
    )  # fmt: skip
    portal_app = create_portal(
        PortalSettings(database_url=f"sqlite+aiosqlite:///{tmp / 'portal.db'}", token_secret=TOKEN_SECRET), bus=bus
    )
    async with LifespanManager(registry_app):
        registry = httpx.AsyncClient(transport=httpx.ASGITransport(app=registry_app), base_url=NCA_URL)
        fetcher = SwitchableFetcher(registry)
        store = TrustStore.from_pem((await registry.get("/nca/v1/chain.pem")).content)
        runtime: ServiceRuntime = portal_app.state.runtime
        runtime._verifier = Verifier(store, RevocationSources(fetcher))
        world = World(
            portal=httpx.AsyncClient(transport=httpx.ASGITransport(app=portal_app), base_url="http://portal.test"),
            registry=registry, pki=Pki(registry, fetcher, store), bus=bus, runtime=runtime,
        )  # fmt: skip

        async def gateway(delivery: Delivery) -> None:
            world.sent.append(delivery.envelope)

        await bus.subscribe("test.regional_gateway", [SUBMITTED], gateway)
        async with LifespanManager(portal_app):
            yield world
        await world.portal.aclose()
        await registry.aclose()
    await bus.close()
