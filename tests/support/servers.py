"""The RabbitMQ and PostgreSQL servers the marked tests use: whether they answer (skip on a
developer's machine, fail when ``CI=true``), databases made and dropped per test, and the broker
cleaned of what a test declared; and a mail server for the processes a test starts."""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

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


def _rabbitmqctl(*args: str) -> None:
    import subprocess

    done = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {args[0]} failed: {done.stderr.strip()[:500]}")


@contextlib.contextmanager
def broker_users(namespace: str, amqp_url: str = AMQP_URL) -> Iterator[dict[str, str]]:
    """One broker user per service for the bus ``namespace``, with the permissions of architecture §9
    (`shared.participants.broker_permissions`, as deploy/rabbitmq/definitions.json grants them): the
    AMQP URL of each, by service. The users are deleted afterwards."""
    import secrets
    from concurrent.futures import ThreadPoolExecutor

    from shared.participants import PUBLISHES, broker_permissions

    base = urlparse(amqp_url)
    users = {service: (f"{namespace}.{service}", secrets.token_hex(16)) for service in PUBLISHES}

    def create(service: str) -> None:
        name, password = users[service]
        granted = broker_permissions(service, namespace)
        _rabbitmqctl("add_user", name, password)
        _rabbitmqctl("set_permissions", "-p", "/", name, granted["configure"], granted["write"], granted["read"])
        _rabbitmqctl("set_topic_permissions", "-p", "/", name, namespace, granted["topic_write"], granted["topic_read"])

    def delete(name: str) -> None:
        with contextlib.suppress(RuntimeError):
            _rabbitmqctl("delete_user", name)

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        try:
            list(pool.map(create, users))
            host = f"{base.hostname or '127.0.0.1'}:{base.port or 5672}"
            yield {service: f"amqp://{name}:{password}@{host}/" for service, (name, password) in users.items()}
        finally:
            list(pool.map(delete, [name for name, _ in users.values()]))


@contextlib.contextmanager
def maildir_smtp(directory: Path) -> Iterator[str]:
    """An SMTP server on the loopback keeping every message in the Maildir at ``directory`` (the embedded
    default's, `shared.mail.MaildirSmtpServer`), in a thread of its own for processes started by a test;
    yields its ``smtp://`` URL."""
    import asyncio
    import threading

    from shared.mail import MaildirSmtpServer

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-smtp", daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(MaildirSmtpServer(directory).start(), loop).result(10)
    try:
        yield server.url
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
