"""The staff client's test world: the provider with the registries and the test NCA in process
(tests.support.provider), as tests/provider has it, and a `Bridge` that lets the synchronous SDK, CLI and
autopilot (run in a worker thread) talk to them over their ASGI apps. The operator client's: the Center's
intake world (tests.support.center: con_intake with the registries, the NCA and the regional gateway) and
its own `Bridge`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from tests.client.harness import Bridge
from tests.support.center import Desk, intake_world
from tests.support.provider import AS_OF, World, start_provider
from tests.support.services import running


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(tmp_path_factory: Any) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("staff-client")
    bus_name = f"staff-client-test-{uuid.uuid4().hex[:6]}"
    async with running(path, bus_name=bus_name, population_size=400, population_as_of=AS_OF) as env:
        yield await start_provider(env, path, env.verifier(), World)


@pytest_asyncio.fixture(loop_scope="package")
async def bridge(world: World) -> Bridge:
    """``http://provider`` and ``http://nca`` for synchronous clients in a worker thread."""
    return Bridge(asyncio.get_running_loop(), {"provider": world.provider, "nca": world.registry})


# -- the operator client (test_operator_cli.py): the Center's intake world ---------------------------------


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def center_world(tmp_path_factory: Any) -> AsyncIterator[Desk]:
    async with intake_world(tmp_path_factory.mktemp("operator-client")) as desk:
        yield desk


@pytest_asyncio.fixture(loop_scope="package")
async def center_bridge(center_world: Desk) -> Bridge:
    """``http://center`` and ``http://nca`` for synchronous clients in a worker thread; the Center's clock
    back at the wall clock."""
    center_world.clock.reset()
    return Bridge(asyncio.get_running_loop(), {"center": center_world.client, "nca": center_world.env.registry})
