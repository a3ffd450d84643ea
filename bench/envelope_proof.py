"""The cost per message of the envelope's signature (architecture §9) on the citizen path: sealing a
``document.submitted`` envelope that carries a signed application (the portal's P-256 system key) and
admitting it (the receiver's check of that proof, warm), beside what the receiver does with every such
message anyway in the same run: verifying the citizen's signed application (warm revocation cache).
And the same messages through the kernel's whole hop — outbox (SQLite) → relay → in-memory bus →
``shared.handlers.handle`` → inbox — signed and admitted, beside the same hop with signing and
admission left out (a sealer that passes envelopes through, a gatekeeper that admits all): what the
envelope's signature costs a hop, as a ratio of throughputs.

The test NCA runs in process (registry_stub, ASGI); the portal's system certificate is certified with
its enrollment token, as in a deployment. The timed loops call only what they measure.

    python -m bench envelope_proof      # BENCH_SECONDS (default 3) per measurement; BENCH_N hop messages (500)
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import tempfile
import time
import uuid
from datetime import date
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.eds_verify import SECONDS, AsgiFetcher, arate
from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from shared.bus.envelope import Envelope, new_id
from shared.bus.memory import InMemoryBus
from shared.bus.outbox import OutboxRelay, enqueue
from shared.bus.port import Delivery
from shared.bus.proof import Gatekeeper, Sealer
from shared.db import Database
from shared.eds.credentials import SystemCredentials
from shared.eds.document import Author, EDocument
from shared.eds.enrollment import enrollment_token
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, sign
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.handlers import MessageHandler, subscribe_all
from shared.housing.messages import SUBMITTED
from shared.iin import make_iin
from shared.participants import PORTAL, user_id
from tests.support.effects import create_tables, effect_counts, record_effect

N = int(os.environ.get("BENCH_N", "500"))


class PassThrough(Sealer):
    """The baseline's sealer: publishes envelopes as they are."""

    async def seal(self, envelope: Envelope) -> Envelope:
        return envelope


class AdmitAll(Gatekeeper):
    """The baseline's gatekeeper: admits every message unchecked."""

    async def admit(self, envelope: Envelope, *, routing_key: str | None = None) -> Any:
        return None


async def hop(directory: str, envelopes: list[Envelope], sealer: Sealer, gatekeeper: Gatekeeper) -> float:
    """Messages per second from the outbox to the consumer's inbox, through the kernel."""
    db = Database(f"sqlite+aiosqlite:///{directory}/hop-{uuid.uuid4().hex[:6]}.db")
    await create_tables(db)
    bus = InMemoryBus(f"bench-{uuid.uuid4().hex[:6]}")
    await bus.start()

    async def apply(session: AsyncSession, delivery: Delivery, _verdict: None) -> None:
        await record_effect(session, delivery)

    handler = MessageHandler("bench.inbox", [SUBMITTED], apply, prefetch=16)
    await subscribe_all(db, bus, [handler], gatekeeper=gatekeeper, sealer=sealer)
    relay = OutboxRelay(db, bus, sealer, batch_size=200)
    async with db.transaction() as session:
        for envelope in envelopes:
            enqueue(session, envelope.model_copy(update={"message_id": new_id()}))
    started = time.perf_counter()
    relay.start()
    while (await effect_counts(db))[0] < len(envelopes):
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - started
    await relay.stop()
    await bus.close()
    await db.dispose()
    return len(envelopes) / elapsed


async def main() -> None:
    ra_token = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory() as directory:
        settings = RegistryStubSettings(
            database_url=f"sqlite+aiosqlite:///{directory}/nca.db", nca_test_mode=True, nca_ra_token=ra_token
        )
        app = create_app(settings)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8005") as client,
        ):
            iin = next(i for n in range(1, 99) if (i := make_iin(date(1985, 3, 1), "M", n)))
            body = {"subject": {"iin": iin, "surname": "ТЕСТОВ", "given_name": "ТЕСТ"}, "profile": "sign"}
            issued = (await client.post("/nca/v1/certificates", json={**body, "holder": "individual"})).json()
            citizen = Signer.from_pkcs12(base64.b64decode(issued["pkcs12_b64"]), issued["pkcs12_password"])
            application = sign(
                EDocument(
                    type="housing-queue/application@1",
                    author=Author(iin=iin),
                    statement="Мемлекеттік тұрғын үй қорынан тұрғын үй алу үшін есепке қоюды сұраймын. " * 20,
                ),
                citizen,
            )
            envelope = Envelope(
                message_type=SUBMITTED, sender=PORTAL.address, user_id=user_id(iin), document=application
            )
            credentials = SystemCredentials(
                str(client.base_url), PORTAL.identity, ra_token=enrollment_token(ra_token, PORTAL.bin), client=client
            )
            sealer = Sealer(credentials, PORTAL.service)
            store = TrustStore.from_pem((await client.get("/nca/v1/chain.pem")).content)
            verifier = Verifier(store, RevocationSources(AsgiFetcher(client), freshness_s=3600))
            gatekeeper = Gatekeeper(verifier)
            sealed = await sealer.seal(envelope)  # the system certificate obtained, once
            await gatekeeper.admit(sealed, routing_key=SUBMITTED)  # the revocation cache warmed
            await verifier.verify(application)

            async def verify_application() -> None:
                await verifier.verify(application)

            async def seal() -> None:
                await sealer.seal(envelope)

            async def admit() -> None:
                await gatekeeper.admit(sealed, routing_key=SUBMITTED)

            baseline = await arate(verify_application)
            sealing = await arate(seal)
            admitting = await arate(admit)
            unsigned_hop = await hop(
                directory, [envelope] * N, PassThrough(credentials, PORTAL.service), AdmitAll(verifier)
            )
            signed_hop = await hop(directory, [envelope] * N, sealer, gatekeeper)

    per_message = 1 / sealing + 1 / admitting
    print(f"  {'verify the signed application':<40} {baseline:>9,.0f}/s   {1e6 / baseline:>7,.0f} µs  (baseline)")
    print(f"  {'seal the envelope (P-256)':<40} {sealing:>9,.0f}/s   {1e6 / sealing:>7,.0f} µs")
    print(f"  {'admit the envelope (verify its proof)':<40} {admitting:>9,.0f}/s   {1e6 / admitting:>7,.0f} µs")
    print(
        f"  envelope signature per message (seal + admit): {per_message * 1e6:,.0f} µs = "
        f"{per_message * baseline:.2f}x the application's verification   ({SECONDS:g} s per figure)"
    )
    print(f"  {'a hop, outbox to inbox, unsigned':<40} {unsigned_hop:>9,.0f}/s   (baseline, {N} messages)")
    print(
        f"  {'a hop, outbox to inbox, signed+admitted':<40} {signed_hop:>9,.0f}/s   "
        f"ratio {signed_hop / unsigned_hop:.2f} of the unsigned hop"
    )
