"""The services as real processes: free ports, each process's environment, waiting until they answer,
and stopping them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from shared.eds.enrollment import enrollment_token
from shared.participants import BY_SERVICE
from shared.settings import enrollment_variable
from tests.support.nca import RA_TOKEN

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
    """The environment of a service process (or the client's): the caller's, without its databases and
    broker, with the harness's RA token (``NCA_RA_TOKEN``, the NCA's) and each service's enrollment token
    under it (``NCA_ENROLLMENT_TOKEN_<SERVICE>``: each has its system key certified with it); pass
    ``NCA_RA_TOKEN=""`` to run without them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL_", "AMQP_URL"))}
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
        BUS_NAMESPACE=f"e2e.{uuid.uuid4().hex[:8]}",
        NCA_RA_TOKEN=RA_TOKEN,
        **{enrollment_variable(name): enrollment_token(RA_TOKEN, BY_SERVICE[name].bin) for name in SERVICES},
    )
    env.update(extra)
    if not env["NCA_RA_TOKEN"]:
        for name in SERVICES:
            env.pop(enrollment_variable(name), None)
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


def start_embedded(tmp_path: Path, ports: dict[str, int], **extra: str) -> subprocess.Popen[bytes]:
    port_env = {f"{prefix}_PORT": str(ports[name]) for name, prefix in SERVICES.items()}
    # The NCA is the registry_stub on its port: the gateway is ready once the NCA certified its key.
    port_env["NCA_URL"] = f"http://127.0.0.1:{ports['registry_stub']}"
    return subprocess.Popen(
        [sys.executable, "-m", "services"],
        cwd=ROOT,
        env=base_env(tmp_path, **port_env, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def start_services(
    tmp_path: Path, *, amqp_urls: dict[str, str], databases: dict[str, str], **extra: str
) -> tuple[dict[str, subprocess.Popen[bytes]], dict[str, int]]:
    """One process per service (`python -m services.<name>`), each on its own broker user
    (``amqp_urls``, by service: `tests.support.servers.broker_users`) and database (``databases``), on the
    bus ``BUS_NAMESPACE`` that ``extra`` names, the NCA at the registry_stub's port; the processes and
    their ports. Stop them with `stop`."""
    ports = {name: free_port() for name in SERVICES}
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=base_env(
                tmp_path,
                AMQP_URL=amqp_urls[name],
                NCA_URL=f"http://127.0.0.1:{ports['registry_stub']}",
                **{f"DATABASE_URL_{prefix}": databases[name], f"{prefix}_PORT": str(ports[name])},
                **extra,
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name, prefix in SERVICES.items()
    }
    return processes, ports


def client_cli(env: dict[str, str], timeout: float = 120) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``python -m client`` as a person runs it from a terminal, in ``env`` (plus a call's extra variables)."""

    def cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "client", *args],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return cli
