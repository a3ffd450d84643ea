"""The run modes of architecture §2, as real processes: the embedded default (`python -m services`,
what `make run` starts), the same on RabbitMQ, and one process per service on RabbitMQ and
PostgreSQL (`python -m services.<name>`)."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ROOT, SERVICES, base_env, free_port, start_embedded, stop, wait_ready
from tests.support.servers import purge_namespace


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


@pytest.mark.rabbitmq
@pytest.mark.postgres
def test_one_process_per_service_on_rabbitmq_and_postgresql(
    tmp_path: Path, amqp_url: str, postgres_databases: dict[str, str]
) -> None:
    ports = {name: free_port() for name in SERVICES}
    namespace = f"e2e.{uuid.uuid4().hex[:8]}"
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=base_env(
                tmp_path,
                AMQP_URL=amqp_url,
                BUS_NAMESPACE=namespace,
                NCA_URL=f"http://127.0.0.1:{ports['registry_stub']}",
                **{f"DATABASE_URL_{prefix}": postgres_databases[name], f"{prefix}_PORT": str(ports[name])},
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, prefix in SERVICES.items()
    }
    try:
        wait_ready(list(ports.values()), "/ready", timeout=45)
        for name, port in ports.items():
            assert httpx.get(f"http://127.0.0.1:{port}/health").json()["service"] == name
    finally:
        results = {name: stop(process, signal.SIGTERM) for name, process in processes.items()}
        purge_namespace(namespace)
    for name, (code, err) in results.items():
        assert code == 0, f"{name}: {err[-2000:]}"
        assert '"bus": "AmqpBus"' in err and "postgresql+asyncpg" in err
