"""Fixtures shared by every suite.

RabbitMQ and PostgreSQL tests (markers ``rabbitmq`` / ``postgres``) run whenever their server
answers. When it does not, they skip on a developer's machine and FAIL when ``CI=true``: a CI run
that silently skipped them would prove nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.bus.amqp import AmqpBus
from shared.bus.memory import InMemoryBus
from shared.bus.port import Bus
from tests.support.servers import (
    AMQP_URL,
    POSTGRES_URL,
    create_database,
    delete_namespace,
    drop_database,
    require_server,
)


@pytest.fixture
def amqp_url() -> str:
    require_server("RabbitMQ", AMQP_URL, 5672)
    return AMQP_URL


@pytest.fixture
def postgres_admin_url() -> str:
    require_server("PostgreSQL", POSTGRES_URL, 5432)
    return POSTGRES_URL


@pytest.fixture
async def postgres_url(postgres_admin_url: str) -> AsyncIterator[str]:
    url = await create_database(postgres_admin_url)
    try:
        yield url
    finally:
        await drop_database(postgres_admin_url, url)


@pytest.fixture(params=["memory", pytest.param("amqp", marks=pytest.mark.rabbitmq)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    """The contract suite's bus: each test runs against both adapters."""
    namespace = f"test.{uuid.uuid4().hex[:10]}"
    if request.param == "memory":
        b: Bus = InMemoryBus(namespace)
    else:
        url = request.getfixturevalue("amqp_url")
        b = AmqpBus(url, namespace, connection_name="contract-test", connect_timeout=10)
    await b.start()
    try:
        yield b
    finally:
        await b.close()
        if request.param == "amqp":
            assert isinstance(b, AmqpBus)
            await delete_namespace(url, namespace, b.declared_queues)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[str]:
    """An empty database of each kind: a SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    url = await create_database(admin)
    try:
        yield url
    finally:
        await drop_database(admin, url)
