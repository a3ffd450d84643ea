"""The run modes of architecture §2, as real processes: the embedded default (`python -m services`,
what `make run` starts), the same on RabbitMQ, and one process per service on RabbitMQ and
PostgreSQL (`python -m services.<name>`)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import signal
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aio_pika
import aiormq
import httpx
import pytest

from shared.bus.envelope import Envelope
from shared.bus.proof import Sealer
from shared.eds.signing import Signer
from shared.housing.messages import CASE_STATUS
from shared.participants import PROVIDER
from tests.support.bus import Fixed
from tests.support.processes import SERVICES, free_port, start_embedded, start_services, stop, wait_ready
from tests.support.servers import broker_users, purge_namespace


@pytest.fixture
def embedded_ports() -> dict[str, int]:
    return {name: free_port() for name in SERVICES}


def test_embedded_default_serves_all_five_and_stops_cleanly(tmp_path: Path, embedded_ports: dict[str, int]) -> None:
    process = start_embedded(tmp_path, embedded_ports)
    try:
        wait_ready(list(embedded_ports.values()), "/health", timeout=30)
        wait_ready(list(embedded_ports.values()), "/ready", timeout=10)
    finally:
        code, err = stop(process)

    assert code == 0, err[-2000:]
    assert "bus: in-memory" in err
    for name, port in embedded_ports.items():
        assert f"http://127.0.0.1:{port}/docs" in err
        assert (tmp_path / "var" / f"{name}.db").exists()
    assert "service stopped" in err and "Traceback" not in err


@pytest.mark.rabbitmq
def test_embedded_on_rabbitmq_when_amqp_url_is_set(
    tmp_path: Path, embedded_ports: dict[str, int], amqp_url: str
) -> None:
    namespace = f"e2e.{uuid.uuid4().hex[:8]}"
    process = start_embedded(tmp_path, embedded_ports, AMQP_URL=amqp_url, BUS_NAMESPACE=namespace)
    try:
        wait_ready(list(embedded_ports.values()), "/ready", timeout=30)
    finally:
        code, err = stop(process)
        purge_namespace(namespace)
    assert code == 0, err[-2000:]
    assert "bus: RabbitMQ amqp://guest:***@" in err


ADMIN_TOKEN = "e2e-gateway-admin-token"


def user_of(url: str) -> str:
    return unquote(urlsplit(url).username or "")


async def publish(url: str, namespace: str, routing_key: str, body: bytes, *, user_id: str) -> None:
    """Publish with confirms as the broker user of ``url``; raises what the broker answers."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(namespace, ensure=False)
        message = aio_pika.Message(body, user_id=user_id, content_type="application/json")
        await asyncio.wait_for(exchange.publish(message, routing_key, mandatory=False), 10)
    finally:
        with contextlib.suppress(Exception):
            await connection.close()


async def forgeries_are_refused(namespace: str, users: dict[str, str], ports: dict[str, int]) -> None:
    nca = f"http://127.0.0.1:{ports['registry_stub']}"
    status_of = "00000000-0000-4000-8000-00000000f0e1"
    portal, provider = users["portal_gateway"], users["provider"]
    status = Envelope(
        message_type=CASE_STATUS,
        sender=PROVIDER.address,
        issue=status_of,
        document={
            "application_id": status_of,
            "status": "QUEUED",
            "at": "2026-12-01T00:00:00Z",
        },
    )
    # With another service's broker credentials: the portal may not publish a provider's case.status.
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
        await publish(portal, namespace, CASE_STATUS, status.to_bytes(), user_id=user_of(portal))
    # With the provider's credentials but another user's user_id: RabbitMQ checks it against the login.
    with pytest.raises(aiormq.exceptions.ChannelPreconditionFailed):
        await publish(provider, namespace, CASE_STATUS, status.to_bytes(), user_id=user_of(portal))
    # Past the broker (its own user, right key), an envelope the provider's system certificate did not
    # sign — here a citizen's, which the test NCA gives anyone in test mode — is refused by the gateway.
    async with httpx.AsyncClient(base_url=nca, timeout=30) as http:
        body = {"subject": {"iin": "900101300017", "surname": "ТЕСТОВ", "given_name": "ТЕСТ"}, "profile": "sign"}
        issued = (await http.post("/nca/v1/certificates", json={**body, "holder": "individual"})).json()
    citizen = Signer.from_pkcs12(base64.b64decode(issued["pkcs12_b64"]), issued["pkcs12_password"])
    forged = await Sealer(Fixed(citizen), "provider").seal(status)
    await publish(provider, namespace, CASE_STATUS, forged.to_bytes(), user_id=user_of(provider))
    gateway = f"http://127.0.0.1:{ports['regional_gateway']}"
    async with httpx.AsyncClient(base_url=gateway, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as http:
        for _ in range(100):
            items = (await http.get("/api/v1/admin/dead-letters")).json()["items"]
            if any(item["message_id"] == forged.message_id for item in items):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the forged status was not dead-lettered at the gateway")
    [item] = [item for item in items if item["message_id"] == forged.message_id]
    assert item["death_reason"] == "rejected" and item["queue"] == "regional_gateway.relay"


@pytest.mark.rabbitmq
@pytest.mark.postgres
def test_one_process_per_service_on_rabbitmq_and_postgresql(
    tmp_path: Path, amqp_url: str, postgres_databases: dict[str, str]
) -> None:
    """Each service on its own broker user (architecture §9: its queues, its routing keys) and its own
    database, as deploy/docker-compose.yml runs them; and the broker and the gateway refuse what a
    service may not send (finding 2 of the trust review, across processes)."""
    namespace = f"e2e.{uuid.uuid4().hex[:8]}"
    with broker_users(namespace, amqp_url) as users:
        processes, ports = start_services(
            tmp_path,
            amqp_urls=users,
            databases=postgres_databases,
            BUS_NAMESPACE=namespace,
            NCA_TEST_MODE="1",
            REGIONAL_GATEWAY_ADMIN_TOKEN=ADMIN_TOKEN,
        )
        try:
            wait_ready(list(ports.values()), "/ready", timeout=45)
            for name, port in ports.items():
                assert httpx.get(f"http://127.0.0.1:{port}/health").json()["service"] == name
            asyncio.run(forgeries_are_refused(namespace, users, ports))
        finally:
            results = {name: stop(process, signal.SIGTERM) for name, process in processes.items()}
            purge_namespace(namespace)
    for name, (code, err) in results.items():
        assert code == 0, f"{name}: {err[-2000:]}"
        assert '"bus": "AmqpBus"' in err and "postgresql+asyncpg" in err
