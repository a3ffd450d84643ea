"""The portal with the state registries and the test NCA in process: one in-memory bus shared by the
portal and registry_stub (so registry queries travel the sync channel), the portal's verifier
trusting the in-process NCA (OCSP and CRL reached through its app, given to `create_app`), and a
stand-in for the regional gateway that records what the portal sends it; started by
tests.support.services.running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from services.portal_gateway.app import create_app as create_portal
from services.portal_gateway.config import PortalSettings
from shared.bus.envelope import Envelope
from shared.bus.memory import InMemoryBus
from shared.bus.port import Delivery
from shared.db import Database
from shared.eds.signing import Signer, sign
from shared.housing.messages import SUBMITTED
from tests.support.pki import Pki
from tests.support.services import running, sqlite_url

TOKEN_SECRET = "portal-test-secret-of-at-least-32-bytes"
PASSWORD = "Qwerty-2026!"


def code(response: httpx.Response) -> str:
    """The catalogue code of an error answer."""
    return str(response.json()["error"]["code"])


@dataclass
class World:
    portal: httpx.AsyncClient
    registry: httpx.AsyncClient
    pki: Pki
    bus: InMemoryBus
    db: Database
    sent: list[Envelope] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    async def persona(self, trait: str = "eligible") -> str:
        """A persona with ``trait`` that no other test has taken."""
        found = (await self.registry.get("/api/v1/personas", params={"trait": trait, "limit": 200})).json()
        iin = next(p["iin"] for p in found if p["iin"] not in self.used)
        self.used.add(iin)
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
    async with running(tmp, bus_name="portal-test", population_size=400) as env:
        sent: list[Envelope] = []

        async def gateway(delivery: Delivery) -> None:
            sent.append(delivery.envelope)

        await env.bus.subscribe("test.regional_gateway", [SUBMITTED], gateway)
        settings = PortalSettings(database_url=sqlite_url(tmp, "portal"), token_secret=TOKEN_SECRET)
        portal = await env.start(
            "portal",
            lambda bus, verifier: create_portal(settings, bus=bus, verifier=verifier),
            base_url="http://portal.test",
        )
        yield World(
            portal=portal.client,
            registry=env.registry,
            pki=env.pki,
            bus=env.bus,
            db=portal.app.state.runtime.db,
            sent=sent,
        )
