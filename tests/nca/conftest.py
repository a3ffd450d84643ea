"""Fixtures of the test NCA suite: registry_stub through HTTP (httpx ASGITransport, lifespan run) on a
SQLite file per test, in NCA test mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.registry_stub.nca.authority import CertificationAuthority
from tests.support.nca import running, settings


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """registry_stub in NCA test mode."""
    async with running(settings(tmp_path)) as (client, _):
        yield client


@pytest.fixture
async def nca(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, CertificationAuthority]]:
    """The client and the app's authority (for its CA certificates)."""
    async with running(settings(tmp_path)) as (client, app):
        yield client, app.state.nca
