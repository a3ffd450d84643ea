"""The provider's test world (tests.support.provider): the provider with the registries and the test NCA
in process (tests.support.services), on one in-memory bus, the provider trusting the NCA and reaching its
OCSP/CRL through the app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from tests.support.provider import AS_OF, World, start_provider
from tests.support.services import running


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(tmp_path_factory: Any) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("provider")
    bus_name = f"provider-test-{uuid.uuid4().hex[:6]}"
    async with running(path, bus_name=bus_name, population_size=400, population_as_of=AS_OF) as env:
        world = await start_provider(env, path, env.verifier(), World)
        yield world
