"""Signed applications per second from the portal's POST to "registered by the provider" (the
provider's first status in the cabinet), and p50/p99 of the portal's acceptance, on RabbitMQ and
PostgreSQL; beside them, the one-hop ceiling measured in the same run: HTTP POST → verify → insert →
publish with confirm, in one small app on the same kernel.

    python -m bench citizen_path     # BENCH_APPLICATIONS (default 200), BENCH_CONCURRENCY (default 16)

Needs RabbitMQ (AMQP_URL / TEST_AMQP_URL) and PostgreSQL (TEST_POSTGRES_URL); the five services run
as `make run` runs them with AMQP_URL set, each on its own fresh PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import Body, FastAPI
from sqlalchemy.engine import make_url

from shared.bus.amqp import AmqpBus
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.db import Database
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, sign
from shared.eds.trust import NcaTrust
from shared.eds.verify import Verifier
from shared.geo import district_of
from shared.housing.application import Address, Applicant, ApplicationDocument, Consents
from tests.support.processes import ROOT, SERVICES, base_env, free_port, wait_ready
from tests.support.servers import create_database, delete_namespace, drop_database

N = int(os.environ.get("BENCH_APPLICATIONS", "200"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
AMQP = os.environ.get("AMQP_URL") or os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench password 1"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def gather_limited(calls: list[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def run(call: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await call()

    return await asyncio.gather(*(run(c) for c in calls))


async def adults(registry_db: str, count: int) -> list[dict[str, Any]]:
    url = make_url(registry_db)
    connection = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database=url.database)
    try:
        rows = await connection.fetch(
            "SELECT p.iin, p.surname, p.given_name, r.locality, r.address FROM reg_person p "
            "JOIN reg_residence r ON r.iin = p.iin AND r.registered_to IS NULL "
            "WHERE p.death_date IS NULL AND p.citizenship = 'KZ' AND p.birth_date < $1 ORDER BY p.iin LIMIT $2",
            date(2000, 1, 1),
            count,
        )
    finally:
        await connection.close()
    return [dict(r) for r in rows if district_of(r["locality"])]


async def citizen(http: httpx.AsyncClient, urls: dict[str, str], person: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Register, log in, get a P-256 SIGN certificate, and sign an application: (token, signed)."""
    iin = person["iin"]
    await http.post(f"{urls['portal_gateway']}/api/v1/auth/register", json={"iin": iin, "password": PASSWORD})
    token = (
        await http.post(f"{urls['portal_gateway']}/api/v1/auth/token", json={"iin": iin, "password": PASSWORD})
    ).json()["access_token"]
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    issued = (
        await http.post(
            f"{urls['registry_stub']}/nca/v1/certificates",
            json={
                "subject": {"iin": iin, "surname": person["surname"], "given_name": person["given_name"]},
                "profile": "sign",
                "holder": "individual",
                "public_key_pem": pem.decode(),
            },
        )
    ).json()
    chain = x509.load_pem_x509_certificates((issued["certificate_pem"] + issued["chain_pem"]).encode())
    district = district_of(person["locality"])
    assert district is not None
    document = ApplicationDocument(
        author={"iin": iin},
        channel="portal",
        district=district.code,
        applicant=Applicant(
            iin=iin,
            surname=person["surname"],
            given_name=person["given_name"],
            address=Address(locality=person["locality"], district=district.code, address=person["address"]),
        ),
        consents=Consents(communal_fund_check=True, legally_protected_information=True),
    )
    return token, sign(document, Signer(key, (chain[0], *[c for c in chain[1:] if c.subject == chain[0].issuer])))


async def citizen_path(urls: dict[str, str]) -> tuple[float, list[float], int]:
    async with httpx.AsyncClient(timeout=60) as http:
        registry_db = os.environ["BENCH_REGISTRY_DB"]
        people = await adults(registry_db, N)
        prepared = await gather_limited([lambda p=p: citizen(http, urls, p) for p in people], CONCURRENCY)
        accepted: list[float] = []
        ids: dict[str, str] = {}

        async def submit(token: str, signed: dict[str, Any]) -> None:
            t = time.perf_counter()
            response = await http.post(
                f"{urls['portal_gateway']}/api/v1/applications",
                json={"signed": signed},
                headers={"Authorization": f"Bearer {token}"},
            )
            accepted.append(time.perf_counter() - t)
            assert response.status_code == 202, response.text
            ids[response.json()["id"]] = token

        started = time.perf_counter()
        await gather_limited([lambda t=t, s=s: submit(t, s) for t, s in prepared], CONCURRENCY)
        pending = dict(ids)
        while pending:
            for application_id, token in list(pending.items()):
                shown = (
                    await http.get(
                        f"{urls['portal_gateway']}/api/v1/applications/{application_id}",
                        headers={"Authorization": f"Bearer {token}"},
                    )
                ).json()
                if shown["status"] in ("REGISTERED", "REFUSED_DOCUMENTS"):
                    del pending[application_id]
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"{len(pending)} applications never reached the provider")
            await asyncio.sleep(0.2)
        return len(ids) / (time.perf_counter() - started), accepted, len(ids)


async def one_hop(nca_url: str, signed_documents: list[dict[str, Any]]) -> float:
    """The ceiling: POST → verify → insert → publish with confirm; requests per second."""
    admin = POSTGRES
    database_url = await create_database(admin)
    db = Database(database_url)
    async with db.engine.begin() as connection:
        from sqlalchemy import text

        await connection.execute(text("CREATE TABLE hop (id text primary key, body text not null)"))
    bus = AmqpBus(AMQP, f"bench.{uuid.uuid4().hex[:6]}")
    await bus.start()

    async def swallow(_: Delivery) -> None:
        return None

    await bus.subscribe("hop", ["hop.*"], swallow, prefetch=200)
    verifier = Verifier(NcaTrust(nca_url), RevocationSources(freshness_s=3600))
    app = FastAPI()

    @app.post("/hop", status_code=202)
    async def hop(signed: dict[str, Any] = Body(...)) -> dict[str, str]:  # noqa: B008
        verified = await verifier.verify(signed, model=ApplicationDocument)
        from sqlalchemy import text

        async with db.transaction() as session:
            await session.execute(
                text("INSERT INTO hop (id, body) VALUES (:i, :b)"), {"i": str(uuid.uuid4()), "b": verified.document.id}
            )
        await bus.publish(
            Envelope(message_type="hop.accepted", sender="KZ/GOV/x/bench", document={"id": verified.document.id})
        )
        return {"status": "accepted"}

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            await http.post(f"http://127.0.0.1:{port}/hop", json=signed_documents[0])  # warm the caches
            requests = [signed_documents[i % len(signed_documents)] for i in range(max(300, N))]
            started = time.perf_counter()
            await gather_limited(
                [lambda d=d: http.post(f"http://127.0.0.1:{port}/hop", json=d) for d in requests], CONCURRENCY
            )
            rate = len(requests) / (time.perf_counter() - started)
    finally:
        server.should_exit = True
        await task
        await bus.close()
        await delete_namespace(AMQP, bus.namespace, bus.declared_queues)
        await db.dispose()
        await drop_database(admin, database_url)
    return rate


def start_service(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", f"services.{name}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def main() -> None:
    databases = {name: await create_database(POSTGRES) for name in SERVICES}
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    with tempfile.TemporaryDirectory() as tmp:
        env = base_env(
            Path(tmp),
            AMQP_URL=AMQP,
            NCA_TEST_MODE="1",
            NCA_URL=urls["registry_stub"],
            LOG_LEVEL="WARNING",
            **{f"{prefix}_PORT": str(ports[name]) for name, prefix in SERVICES.items()},
            **{f"DATABASE_URL_{prefix}": databases[name] for name, prefix in SERVICES.items()},
        )
        # One process per service (architecture §2, local distributed): the two cores are shared
        # between them as they would be between hosts, instead of one event loop doing all five's work.
        processes = [start_service(name, env) for name in SERVICES]
        try:
            await asyncio.to_thread(wait_ready, list(ports.values()), "/ready", 120)
            os.environ["BENCH_REGISTRY_DB"] = databases["registry_stub"]
            rate, accepted, count = await citizen_path(urls)
            async with httpx.AsyncClient(timeout=60) as http:
                people = await adults(databases["registry_stub"], 40)
                samples = [
                    s for _, s in await gather_limited([lambda p=p: citizen(http, urls, p) for p in people[-20:]], 8)
                ]
            ceiling = await one_hop(urls["registry_stub"], samples)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            for url in databases.values():
                await drop_database(POSTGRES, url)
    print(f"  {count} signed applications, concurrency {CONCURRENCY}, five service processes on RabbitMQ + PostgreSQL")
    print(f"  portal POST → registered by the provider   {rate:8.1f} applications/s")
    p50, p99 = statistics.median(accepted) * 1000, pct(accepted, 0.99)
    print(f"  portal acceptance (202)                    p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
    print(f"  one-hop ceiling: POST→verify→insert→publish {ceiling:8.1f} req/s")
    print(f"  ratio end-to-end / one-hop                  {rate / ceiling:8.3f}")
