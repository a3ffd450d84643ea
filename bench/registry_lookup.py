"""A registry of 1,000,000 people: generation and load time, and the latency of an individual-by-IIN
query over the sync channel (request, consent check, query, signed answer, the client's hash and
signature checks) beside a raw indexed SQL lookup of the same rows, measured in the same run.

    python -m bench registry_lookup      # BENCH_PEOPLE (default 1,000,000), BENCH_QUERIES (default 2,000)
    BENCH_DATABASE_URL=postgresql+asyncpg://…  AMQP_URL=amqp://…   to use PostgreSQL / RabbitMQ

The registry database is kept in var/bench/ between runs (generation takes a while); delete it to
measure generation again.
"""

from __future__ import annotations

import os
import random
import secrets
import sqlite3
import statistics
import time
import uuid
from datetime import date
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.eds_verify import AsgiFetcher
from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.population.generator import generate
from shared.bus.amqp import AmqpBus
from shared.bus.memory import InMemoryBus
from shared.bus.port import Bus
from shared.bus.proof import Gatekeeper, Sealer
from shared.consent import attest
from shared.eds.credentials import SystemCredentials
from shared.eds.revocation import RevocationSources
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.participants import PORTAL
from shared.registries import RegistryClient

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "2000"))
AS_OF = date(2026, 11, 1)
DEFAULT_DATABASE = f"sqlite+aiosqlite:///{Path('var/bench').resolve()}/registry-{PEOPLE}.db"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:7.3f} ms   p99 {p99 * 1000:7.3f} ms"


def time_generation(people: int) -> float:
    started = time.perf_counter()
    count = sum(len(batch.persons) for batch in generate(17032014, people, today=AS_OF))
    assert count == people
    return time.perf_counter() - started


async def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE
    generation = time_generation(min(PEOPLE, 200_000))
    print(
        f"  generator alone: {min(PEOPLE, 200_000):,} people in {generation:.1f} s "
        f"({min(PEOPLE, 200_000) / generation:,.0f} people/s)"
    )
    amqp = os.environ.get("AMQP_URL", "")
    bus: Bus = AmqpBus(amqp, f"bench.{uuid.uuid4().hex[:6]}") if amqp else InMemoryBus("bench")
    await bus.start()
    settings = RegistryStubSettings(
        database_url=url,
        nca_test_mode=True,
        nca_ra_token=secrets.token_urlsafe(32),
        population_size=PEOPLE,
        population_as_of=AS_OF,
    )
    started = time.perf_counter()
    app = create_app(settings, bus=bus)
    async with (
        LifespanManager(app, startup_timeout=3600, shutdown_timeout=60),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8005") as http,
    ):
        print(
            f"  registry ready with {PEOPLE:,} people after {time.perf_counter() - started:.1f} s "
            f"(generation and load the first time; {make_url(url).get_backend_name()}, "
            f"{'RabbitMQ' if amqp else 'in-memory bus'})"
        )
        runtime = app.state.runtime
        async with runtime.db.sessions() as session:
            iins = [row[0] for row in (await session.execute(text("SELECT iin FROM reg_person"))).all()]
        sample = random.Random(1).sample(iins, min(QUERIES, len(iins)))

        raw: list[float] = []
        if make_url(url).get_backend_name() == "sqlite":
            connection = sqlite3.connect(make_url(url).database or "")
            for iin in sample:
                t = time.perf_counter()
                connection.execute("SELECT * FROM reg_person WHERE iin = ?", (iin,)).fetchone()
                connection.execute(
                    "SELECT * FROM reg_residence WHERE iin = ? AND registered_to IS NULL", (iin,)
                ).fetchall()
                connection.execute("SELECT * FROM reg_family_link WHERE iin = ?", (iin,)).fetchall()
                raw.append(time.perf_counter() - t)
            connection.close()
            label = "raw sqlite3, 3 indexed SELECTs"
        else:
            async with runtime.db.engine.connect() as connection:
                for iin in sample:
                    t = time.perf_counter()
                    await connection.execute(text("SELECT * FROM reg_person WHERE iin = :i"), {"i": iin})
                    raw.append(time.perf_counter() - t)
            label = "raw indexed SELECT (async engine)"

        store = TrustStore.from_pem((await http.get("/nca/v1/chain.pem")).content)
        verifier = Verifier(store, RevocationSources(AsgiFetcher(http), freshness_s=3600))
        credentials = SystemCredentials(
            str(http.base_url), PORTAL.identity, ra_token=settings.nca_ra_token, client=http
        )
        client = RegistryClient(bus, sealer=Sealer(credentials, PORTAL.service), gatekeeper=Gatekeeper(verifier))
        # The portal's consent attestations (shared.consent), made before timing: the registries' check of
        # each (its verification, requester and subject) is part of what is measured.
        consents = {
            iin: await attest(credentials, subject_iin=iin, requester=PORTAL, identified_by="eds") for iin in sample
        }
        await client.ask("person", {"iin": sample[0]}, consent=consents[sample[0]])  # warm: certificate status cached
        channel: list[float] = []
        for iin in sample:
            t = time.perf_counter()
            await client.ask("person", {"iin": iin}, consent=consents[iin], issue="BENCH")
            channel.append(time.perf_counter() - t)
    await bus.close()
    print(f"  {label:<34} {percentiles(raw)}")
    print(
        f"  {'sync channel, signed + verified':<34} {percentiles(channel)}   "
        f"ratio of medians {statistics.median(channel) / statistics.median(raw):,.0f}x"
    )
