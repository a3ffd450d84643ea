"""The provider with the registries and the test NCA in process, on one in-memory bus; the tests play
the citizen (signing with a certificate from the NCA) and the regional gateway (stamping with a system
certificate of the gateway's BIN, delivering on ``document.delivered.<district>``), and listen to the
``case.status`` messages the provider sends back."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from services.provider.app import create_app as create_provider
from services.provider.config import ProviderSettings
from services.provider.intake import CONSUMER
from services.registry_stub.app import create_app as create_registry
from services.registry_stub.config import RegistryStubSettings
from shared.bus.envelope import Envelope
from shared.bus.memory import InMemoryBus
from shared.bus.port import Delivery as BusDelivery
from shared.eds.document import Author
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, countersign, sign
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.housing.application import Address, Applicant, ApplicationDocument, Attachment, Consents, HouseholdMember
from shared.housing.messages import CASE_STATUS, Delivery, Registration, StatusChange, delivered_key
from shared.models import InboxMessage
from tests.eds.conftest import NCA_URL, SwitchableFetcher, new_iin

AS_OF = date(2026, 11, 1)
GATEWAY_BIN = "140440000309"
GATEWAY = "KZ/GOV/140440000309/regional_gateway"
DEMO_PASSWORD = "demo-password-for-tests"
CONSENT = "consent:test"


@dataclass
class World:
    registry: httpx.AsyncClient
    provider: httpx.AsyncClient
    provider_app: FastAPI
    bus: InMemoryBus
    gateway: Signer
    statuses: dict[str, list[Envelope]] = field(default_factory=lambda: defaultdict(list))
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _citizens: dict[str, Signer] = field(default_factory=dict)
    _numbers: int = 0

    # -- the registries, as testers read them ---------------------------------------------------
    async def personas(self, trait: str, limit: int = 50) -> list[str]:
        answer = await self.registry.get("/api/v1/personas", params={"trait": trait, "limit": limit})
        assert answer.status_code == 200 and answer.json(), f"no persona with {trait}"
        return [p["iin"] for p in answer.json()]

    async def persona(self, trait: str) -> str:
        return (await self.personas(trait, 1))[0]

    async def registry_result(self, path: str) -> dict[str, Any]:
        response = await self.registry.get(path, params={"consent": CONSENT})
        assert response.status_code == 200, response.text
        return response.json()["answer"]["result"]  # type: ignore[no-any-return]

    # -- the citizen -------------------------------------------------------------------------------
    async def citizen(self, iin: str) -> Signer:
        if iin not in self._citizens:
            subject = {"iin": iin, "surname": "ТЕСТОВ", "given_name": "ТЕСТ"}
            self._citizens[iin] = await issue(self.registry, subject, holder="individual")
        return self._citizens[iin]

    async def application(
        self, iin: str, *, attach: tuple[str, ...] = (), district: str | None = None, **fields: Any
    ) -> ApplicationDocument:
        """The Annex 3 application the portal would draft for ``iin`` from the registries: address,
        household (the living family), categories (current work, else current vulnerable groups)."""
        person = await self.registry_result(f"/api/v1/persons/{iin}")
        address = person["address"] or {"locality": "karaganda", "district": "karaganda", "address": "—"}
        jobs = [j for j in (await self.registry_result(f"/api/v1/persons/{iin}/employment"))["jobs"] if j["current"]]
        groups = [s["group"] for s in (await self.registry_result(f"/api/v1/persons/{iin}/social-status"))["statuses"] if s["current"]]  # fmt: skip
        declared: dict[str, Any] = (
            {"categories": ["employee"], "employment_categories": sorted({j["category"] for j in jobs})}
            if jobs
            else {"categories": ["vulnerable"], "vulnerable_groups": sorted(set(groups))}
            if groups
            else {}
        )
        values: dict[str, Any] = {
            "author": Author(iin=iin), "channel": "portal", "district": district or address["district"] or "karaganda",
            "applicant": Applicant(
                iin=iin, surname=person["surname"], given_name=person["given_name"], patronymic=person["patronymic"],
                address=Address(locality=address["locality"], district=address["district"] or "karaganda",
                                address=address["address"]),
            ),
            "household": [
                HouseholdMember(iin=f["iin"], relation=f["relation"], surname=f["surname"], given_name=f["given_name"],
                                birth_date=f["birth_date"])
                for f in person["family"] if f["alive"]
            ],
            "consents": Consents(communal_fund_check=True, legally_protected_information=True),
            "attachments": [attachment(kind, iin) for kind in attach],
            **declared, **fields,
        }  # fmt: skip
        return ApplicationDocument(**values)

    async def signed(self, application: ApplicationDocument) -> dict[str, Any]:
        return sign(application, await self.citizen(application.author.iin or ""))

    # -- the regional gateway ---------------------------------------------------------------------
    def stamp(self, signed: dict[str, Any], signer: Signer | None = None) -> dict[str, Any]:
        return countersign(signed, signer or self.gateway, role="registration")

    def registration(self, district: str) -> Registration:
        self._numbers += 1
        now = datetime.now(UTC)
        return Registration(number=f"KRG-{now:%Y%m%d}-{self._numbers:06d}", registered_at=now, district=district)

    def delivery(self, application: ApplicationDocument, signed: dict[str, Any], **overrides: Any) -> Envelope:
        registration = self.registration(application.district)
        document = Delivery(signed=signed, registration=registration).model_dump(mode="json")
        values: dict[str, Any] = {
            "message_type": delivered_key(application.district), "sender": GATEWAY,
            "user_id": f"KZ{application.author.iin}", "issue": application.id, "document": document,
        }  # fmt: skip
        return Envelope(**{**values, **overrides})

    async def deliver(self, application: ApplicationDocument, *, stamped: bool = True) -> Envelope:
        signed = await self.signed(application)
        envelope = self.delivery(application, self.stamp(signed) if stamped else signed)
        await self.bus.publish(envelope)
        return envelope

    # -- what comes back -----------------------------------------------------------------------------
    async def status(self, application_id: str, timeout: float = 15.0) -> StatusChange:
        """The first ``case.status`` for the application."""
        async with asyncio.timeout(timeout):
            while not self.statuses.get(application_id):
                self.arrived.clear()
                await self.arrived.wait()
        return StatusChange.model_validate(self.statuses[application_id][0].document)

    async def applied(self, message_id: str, timeout: float = 15.0) -> None:
        """Wait until the provider has taken the message in (its inbox row is committed)."""
        runtime = self.provider_app.state.runtime
        async with asyncio.timeout(timeout):
            while True:
                async with runtime.db.sessions() as session:
                    if await session.get(InboxMessage, (message_id, CONSUMER)) is not None:
                        return
                await asyncio.sleep(0.02)

    # -- staff -----------------------------------------------------------------------------------------
    async def token(self, login: str, password: str = DEMO_PASSWORD) -> str:
        response = await self.provider.post("/api/v1/staff/token", json={"login": login, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def as_staff(self, login: str, path: str, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.token(login)}"}
        return await self.provider.get(path, params=params, headers=headers)


def attachment(kind: str, iin: str) -> Attachment:
    digest = hashlib.sha256(f"{kind}:{iin}".encode()).hexdigest()
    return Attachment(kind=kind, name=f"{kind}.pdf", media_type="application/pdf", size=2048, sha256=digest)  # type: ignore[arg-type]


async def issue(client: httpx.AsyncClient, subject: dict[str, Any], *, holder: str) -> Signer:
    response = await client.post("/nca/v1/certificates", json={"subject": subject, "profile": "sign", "holder": holder})
    assert response.status_code == 201, response.text
    body = response.json()
    return Signer.from_pkcs12(base64.b64decode(body["pkcs12_b64"]), body["pkcs12_password"])


async def system_signer(client: httpx.AsyncClient, bin_: str, organization: str) -> Signer:
    subject = {"iin": new_iin(), "surname": "ЖҮЙЕ", "given_name": "ТЕСТ", "bin": bin_, "organization": organization}
    return await issue(client, subject, holder="system")


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(tmp_path_factory: Any) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("provider")
    bus = InMemoryBus(f"provider-test-{uuid.uuid4().hex[:6]}")
    await bus.start()
    registry_app = create_registry(
        RegistryStubSettings(database_url=f"sqlite+aiosqlite:///{path / 'registry.db'}", nca_test_mode=True,
                             population_size=400, population_as_of=AS_OF),
        bus=bus,
    )  # fmt: skip
    provider_app = create_provider(
        ProviderSettings(database_url=f"sqlite+aiosqlite:///{path / 'provider.db'}", demo_password=DEMO_PASSWORD,
                         token_secret="provider-test-secret-of-at-least-32-bytes", registry_timeout_s=5.0),
        bus=bus,
    )  # fmt: skip
    async with LifespanManager(registry_app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=registry_app), base_url=NCA_URL) as registry:
            store = TrustStore.from_pem((await registry.get("/nca/v1/chain.pem")).content)
            # The provider trusts the in-process NCA and reaches its OCSP/CRL through the app.
            provider_app.state.runtime._verifier = Verifier(store, RevocationSources(SwitchableFetcher(registry)))
            gateway = await system_signer(registry, GATEWAY_BIN, "Өңірлік шлюз (ТЕСТ)")
            async with LifespanManager(provider_app):
                transport = httpx.ASGITransport(app=provider_app)
                async with httpx.AsyncClient(transport=transport, base_url="http://provider") as provider:
                    world = World(registry, provider, provider_app, bus, gateway)

                    async def collect(delivery: BusDelivery) -> None:
                        world.statuses[delivery.envelope.issue or ""].append(delivery.envelope)
                        world.arrived.set()

                    await bus.subscribe("test.case-status", [CASE_STATUS], collect)
                    yield world
    await bus.close()
