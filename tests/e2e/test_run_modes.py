"""The run modes of ARCHITECTURE §2, as real processes: the embedded default (`python -m services`,
what `make run` starts), the same on RabbitMQ, and one process per service on RabbitMQ and
PostgreSQL (`python -m services.<name>`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import purge_namespace

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "portal_gateway": "PORTAL_GATEWAY",
    "con_intake": "CON_INTAKE",
    "regional_gateway": "REGIONAL_GATEWAY",
    "provider": "PROVIDER",
    "registry_stub": "REGISTRY_STUB",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL_", "AMQP_URL"))}
    env.update(VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1", BUS_NAMESPACE=f"e2e.{uuid.uuid4().hex[:8]}")
    env.update(extra)
    return env


def wait_ready(ports: list[int], path: str, timeout: float = 30.0) -> float:
    """Seconds until every port answers 200 on ``path``; fails after ``timeout``."""
    started = time.monotonic()
    pending = set(ports)
    while pending:
        for port in list(pending):
            try:
                if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1).status_code == 200:
                    pending.discard(port)
            except httpx.HTTPError:
                pass
        if time.monotonic() - started > timeout:
            raise AssertionError(f"ports {sorted(pending)} did not answer {path} within {timeout}s")
        time.sleep(0.2)
    return time.monotonic() - started


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGINT) -> tuple[int, str]:
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"did not stop within 20s: {err.decode()[-2000:]}") from None
    return process.returncode, err.decode()


@pytest.fixture
def embedded_ports() -> dict[str, int]:
    return {name: free_port() for name in SERVICES}


def start_embedded(tmp_path: Path, ports: dict[str, int], **extra: str) -> subprocess.Popen[bytes]:
    port_env = {f"{prefix}_PORT": str(ports[name]) for name, prefix in SERVICES.items()}
    return subprocess.Popen(
        [sys.executable, "-m", "services"],
        cwd=ROOT,
        env=base_env(tmp_path, **port_env, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


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
