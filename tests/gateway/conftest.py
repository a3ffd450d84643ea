"""One world for the gateway suite (tests.support.gateway.World), started by tests.support.services: an
in-memory bus shared by the registry_stub (the test NCA and the registries) and the regional gateway, a
verifier that trusts the NCA (given to the gateway at creation; a test can make it crash), the gateway's
stamping key certified by the NCA over the in-process HTTP client, a citizen with a SIGN certificate, and
collectors standing for the portal (``receipt.portal``, ``status.portal``, ``result.portal``) and for the
provider (``document.delivered.<district>``, every district but Ulytau, whose deliveries stay in the outbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest_asyncio

from services.regional_gateway.app import create_app
from services.regional_gateway.config import RegionalGatewaySettings
from shared.geo import DISTRICTS
from shared.housing.application import Address, Applicant
from shared.housing.messages import delivered_key
from tests.support.gateway import ADMIN_TOKEN, UNROUTED_DISTRICT, SwitchableVerifier, World
from tests.support.services import running, sqlite_url


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(tmp_path_factory: Any) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("gateway")
    async with running(path, bus_name="gateway-test", population_size=200, population_as_of=date(2026, 11, 1)) as env:
        portal = await env.collect("test.portal", ["receipt.portal", "status.portal", "result.portal"])
        keys = [delivered_key(d.code) for d in DISTRICTS if d.code != UNROUTED_DISTRICT]
        provider = await env.collect("test.provider", keys)
        nca = env.registry
        verifier = env.verifier(SwitchableVerifier)
        settings = RegionalGatewaySettings(
            database_url=sqlite_url(path, "gateway"), admin_token=ADMIN_TOKEN, delivery_limit=1
        )
        gateway = await env.start(
            "gateway",
            lambda bus, verifier, credentials: create_app(
                settings, bus=bus, verifier=verifier, credentials=credentials("regional_gateway")
            ),
            verifier=verifier,
            raise_app_exceptions=False,
        )
        personas = (await nca.get("/api/v1/personas", params={"trait": "eligible"})).json()
        iin = next(p["iin"] for p in personas if f"district:{UNROUTED_DISTRICT}" not in p["traits"])
        person = (await nca.get(f"/api/v1/persons/{iin}", params={"consent": f"portal-user:{iin}"})).json()
        found = person["answer"]["result"]
        address = Address(
            locality=found["address"]["locality"],
            district=found["address"]["district"],
            address=found["address"]["address"],
        )
        applicant = Applicant(
            iin=iin,
            surname=found["surname"],
            given_name=found["given_name"],
            patronymic=found["patronymic"],
            address=address,
        )
        citizen = await env.pki.issue(iin, subject={"surname": found["surname"], "given_name": found["given_name"]})
        provider_signer = await env.credentials("provider").signer()
        yield World(
            env.signing,
            env.pki,
            gateway.client,
            gateway.app,
            verifier,
            portal,
            provider,
            citizen,
            applicant,
            provider_signer,
            env.sealer,
        )
