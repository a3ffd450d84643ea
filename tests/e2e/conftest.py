from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support.processes import SERVICES
from tests.support.servers import create_database, drop_database


@pytest.fixture
def postgres_databases(postgres_admin_url: str) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database for each of the five services."""
    urls = {name: asyncio.run(create_database(postgres_admin_url)) for name in SERVICES}
    yield urls
    for url in urls.values():
        asyncio.run(drop_database(postgres_admin_url, url))
