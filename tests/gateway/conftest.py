"""One world for the gateway suite: an in-memory bus shared by the registry_stub (the test NCA and the
registries) and the regional gateway, a verifier that trusts the NCA, the gateway's stamping key certified
by it over the in-process HTTP client, a citizen with a SIGN certificate, and collectors standing for the
portal (``receipt.portal``, ``status.portal``, ``result.portal``) and for the provider
(``document.delivered.<district>``, every district but Ulytau, whose deliveries stay in the outbox)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from services.regional_gateway.app import IDENTITY, create_app
from services.regional_gateway.config import RegionalGatewaySettings
from services.registry_stub.app import create_app as create_registry
from services.registry_stub.config import RegistryStubSettings
from shared.bus.envelope import Envelope
from shared.bus.memory import InMemoryBus
from shared.bus.port import Delivery
from shared.eds.credentials import SystemCredentials
from shared.eds.document import Author
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, sign
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.geo import DISTRICTS
from shared.housing.application import Address, Applicant, ApplicationDocument, Consents
from shared.housing.messages import SUBMITTED, delivered_key
from shared.service import ServiceRuntime
from tests.bus.helpers import Collector, wait_until
from tests.eds.conftest import NCA_URL, SwitchableFetcher

PORTAL = "KZ/GOV/140440000100/portal"
ADMIN_TOKEN = "gateway-admin-token-for-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
UNROUTED_DISTRICT = "ulytau"
"""No test provider listens for it: its deliveries wait in the gateway's outbox (to test stopping one)."""


async def issue(nca: httpx.AsyncClient, iin: str, *, holder: str = "individual", **subject: str) -> Signer:
    """A SIGN certificate and key from the test NCA (a PKCS#12, as a citizen's NCALayer holds it)."""
    body = {"subject": {"iin": iin, "surname": "ТЕСТОВ", "given_name": "ТЕСТ", **subject}, "profile": "sign",
            "holder": holder}  # fmt: skip
    response = await nca.post("/nca/v1/certificates", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    return Signer.from_pkcs12(base64.b64decode(answer["pkcs12_b64"]), answer["pkcs12_password"])


@dataclass
class World:
    bus: InMemoryBus
    registry: httpx.AsyncClient
    http: httpx.AsyncClient
    app: FastAPI
    verifier: Verifier
    portal: Collector
    provider: Collector
    citizen: Signer
    applicant: Applicant

    @property
    def runtime(self) -> ServiceRuntime:
        return self.app.state.runtime  # type: ignore[no-any-return]

    async def issue(self, iin: str, *, holder: str = "individual", **subject: str) -> Signer:
        return await issue(self.registry, iin, holder=holder, **subject)

    def application(self, **fields: Any) -> ApplicationDocument:
        values: dict[str, Any] = {
            "author": Author(iin=self.applicant.iin), "channel": "portal", "district": self.applicant.address.district,
            "applicant": self.applicant,
            "consents": Consents(communal_fund_check=True, legally_protected_information=True),
        }  # fmt: skip
        return ApplicationDocument(**{**values, **fields})

    def envelope(self, signed: dict[str, Any], issue: str, **fields: Any) -> Envelope:
        return Envelope(message_type=SUBMITTED, sender=PORTAL, issue=issue, user_id=f"KZ{self.applicant.iin}",
                        document=signed, **fields)  # fmt: skip

    async def submit(self, **fields: Any) -> tuple[Envelope, dict[str, Any]]:
        """A valid application signed by the citizen, published as the portal would."""
        document = self.application(**fields)
        signed = sign(document, self.citizen)
        envelope = self.envelope(signed, document.id)
        await self.bus.publish(envelope)
        return envelope, signed

    def to_portal(self, issue: str, routing_key: str) -> list[Delivery]:
        return [d for d in self.portal.deliveries if d.envelope.issue == issue and d.routing_key == routing_key]

    def delivered(self, issue: str) -> list[Delivery]:
        return [d for d in self.provider.deliveries if d.envelope.issue == issue]

    async def wait_portal(self, issue: str, routing_key: str, count: int = 1) -> list[Delivery]:
        await wait_until(lambda: len(self.to_portal(issue, routing_key)) >= count)
        return self.to_portal(issue, routing_key)

    async def settle(self) -> None:
        """Until the bus is quiet and the gateway's outbox holds nothing due."""
        await self.bus.drain(5.0)
        await self.runtime.relay.relay_once()
        await self.bus.drain(5.0)


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(tmp_path_factory: Any) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("gateway")
    bus = InMemoryBus("gateway-test")
    await bus.start()
    portal, provider = Collector(), Collector()
    await bus.subscribe("test.portal", ["receipt.portal", "status.portal", "result.portal"], portal)
    keys = [delivered_key(d.code) for d in DISTRICTS if d.code != UNROUTED_DISTRICT]
    await bus.subscribe("test.provider", keys, provider)
    registry = create_registry(
        RegistryStubSettings(database_url=f"sqlite+aiosqlite:///{path / 'registry.db'}", nca_test_mode=True,
                             population_size=200, population_as_of=date(2026, 11, 1)),
        bus=bus,
    )  # fmt: skip
    async with LifespanManager(registry):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=registry), base_url=NCA_URL) as nca:
            store = TrustStore.from_pem((await nca.get("/nca/v1/chain.pem")).content)
            verifier = Verifier(store, RevocationSources(SwitchableFetcher(nca)))
            settings = RegionalGatewaySettings(
                database_url=f"sqlite+aiosqlite:///{path / 'gateway.db'}", admin_token=ADMIN_TOKEN, delivery_limit=1
            )
            app = create_app(settings, bus=bus, credentials=SystemCredentials(NCA_URL, IDENTITY, client=nca))
            app.state.runtime._verifier = verifier
            async with LifespanManager(app):
                transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
                async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
                    personas = (await nca.get("/api/v1/personas", params={"trait": "eligible"})).json()
                    iin = next(p["iin"] for p in personas if f"district:{UNROUTED_DISTRICT}" not in p["traits"])
                    person = (await nca.get(f"/api/v1/persons/{iin}", params={"consent": f"portal-user:{iin}"})).json()
                    found = person["answer"]["result"]
                    address = Address(locality=found["address"]["locality"], district=found["address"]["district"],
                                      address=found["address"]["address"])  # fmt: skip
                    applicant = Applicant(iin=iin, surname=found["surname"], given_name=found["given_name"],
                                          patronymic=found["patronymic"], address=address)  # fmt: skip
                    citizen = await issue(nca, iin, surname=found["surname"], given_name=found["given_name"])
                    yield World(bus, nca, http, app, verifier, portal, provider, citizen, applicant)
    await bus.close()
