"""The portal suite's world (tests/support/portal.py): one per test module, on its own databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.support.portal import World, portal_world


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with portal_world(tmp_path_factory.mktemp(f"portal-{request.module.__name__.rsplit('.', 1)[-1]}")) as w:
        yield w
