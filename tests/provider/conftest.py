"""The provider's test world (tests.support.provider): the provider with the registries and the test NCA
in process (tests.support.services), on one in-memory bus, the provider trusting the NCA and reaching its
OCSP/CRL through the app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from services.provider.app import create_app as create_provider
from services.provider.config import ProviderSettings
from shared.bus.proof import Gatekeeper
from shared.housing.messages import CASE_STATUS
from shared.participants import GATEWAY
from tests.support.provider import AS_OF, DEMO_PASSWORD, FlakyRegistries, World, system_signer
from tests.support.services import running, sqlite_url


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(tmp_path_factory: Any) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("provider")
    bus_name = f"provider-test-{uuid.uuid4().hex[:6]}"
    async with running(path, bus_name=bus_name, population_size=400, population_as_of=AS_OF) as env:
        verifier = env.verifier()
        registries = FlakyRegistries(
            env.bus, sealer=env.sealer("provider"), gatekeeper=Gatekeeper(verifier), timeout=5.0
        )
        settings = ProviderSettings(
            database_url=sqlite_url(path, "provider"),
            demo_password=DEMO_PASSWORD,
            token_secret="provider-test-secret-of-at-least-32-bytes",
        )
        gateway = await system_signer(env.pki, GATEWAY.bin, "Өңірлік шлюз (ТЕСТ)")
        provider = await env.start(
            "provider",
            lambda bus, verifier, credentials: create_provider(
                settings, bus=bus, verifier=verifier, credentials=credentials("provider"), registries=registries
            ),
            verifier=verifier,
        )
        world = World(env.registry, env.pki, provider.client, provider.app, env.signing, gateway, registries)
        await env.bus.subscribe("test.case-status", [CASE_STATUS], world.collect)
        yield world
