"""Fixtures shared by every suite.

RabbitMQ and PostgreSQL tests (markers ``rabbitmq`` / ``postgres``) run whenever their server
answers. When it does not, they skip on a developer's machine and FAIL when ``CI=true``: a CI run
that silently skipped them would prove nothing.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

import pytest

from shared.bus.amqp import AmqpBus
from shared.bus.memory import InMemoryBus
from shared.bus.port import Bus

AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def require_server(name: str, url: str, default_port: int) -> None:
    """Skip (locally) or fail (CI) when the server behind ``url`` does not answer."""
    if _reachable(url, default_port):
        return
    message = f"{name} is not reachable at {urlparse(url).hostname}:{urlparse(url).port or default_port}"
    if in_ci():
        pytest.fail(f"{message}; CI=true makes the {name} tests mandatory", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def amqp_url() -> str:
    require_server("RabbitMQ", AMQP_URL, 5672)
    return AMQP_URL


@pytest.fixture
def postgres_admin_url() -> str:
    require_server("PostgreSQL", POSTGRES_URL, 5432)
    return POSTGRES_URL


async def _admin(admin_url: str) -> Any:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    return await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
    )


async def create_database(admin_url: str) -> str:
    """A new, empty PostgreSQL database; returns its URL."""
    from sqlalchemy.engine import make_url

    name = f"egov_test_{uuid.uuid4().hex[:12]}"
    connection = await _admin(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(admin_url: str, database_url: str) -> None:
    from sqlalchemy.engine import make_url

    connection = await _admin(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(database_url).database}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def postgres_url(postgres_admin_url: str) -> AsyncIterator[str]:
    url = await create_database(postgres_admin_url)
    try:
        yield url
    finally:
        await drop_database(postgres_admin_url, url)


async def delete_namespace(amqp_url: str, namespace: str, queues: list[str]) -> None:
    """Remove a test's exchanges and queues from the broker."""
    import aio_pika

    connection = await aio_pika.connect(amqp_url)
    try:
        for name in queues:
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)
        for exchange in (namespace, f"{namespace}.dlx"):
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.exchange_delete(exchange)
    finally:
        await connection.close()


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


def purge_namespace(namespace: str) -> None:
    """Delete every queue under ``namespace`` that processes of a test declared (their names are not
    known here: ask the broker). Quorum queues left behind pile up and slow the broker down."""
    import subprocess

    listed = subprocess.run(
        ["rabbitmqctl", "list_queues", "-q", "--no-table-headers", "name"], capture_output=True, text=True, timeout=60
    )
    for name in listed.stdout.split():
        if name.startswith(f"{namespace}."):
            subprocess.run(["rabbitmqctl", "delete_queue", name], capture_output=True, timeout=60)
