"""A delivery held up by the gateway's own stamping certificate (security finding 3): its registration
stamp's certificate — the gateway's system certificate — revoked or expired is the system's credential
problem, not the citizen's: the delivery is never recorded as a rejected intake; it is redelivered, then
kept in the dead letter queue, with an ALERT in the log; the same application stamped anew (as the gateway
does once it renewed its certificate) opens its case. The citizen's own certificate revoked stays a
rejection, and so does a revoked stamp of anyone but the gateway's system.

A world of its own (the registries, the NCA and the provider), so that the dead letters it reads are its own."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlmodel import select

from services.provider.handlers import QUEUE
from services.provider.intake import STAMP_ALERT
from services.provider.models import Case, RejectedIntake
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.eds.signing import Signer, StampedRegistration, countersign
from shared.housing.application import ApplicationDocument
from shared.participants import GATEWAY
from tests.support.bus import Collector, wait_until
from tests.support.pki import new_iin
from tests.support.provider import AS_OF, World, start_provider, system_signer
from tests.support.services import running

pytestmark = pytest.mark.asyncio(loop_scope="module")


class Own(World):
    dead: Collector


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: Any) -> AsyncIterator[Own]:
    path: Path = tmp_path_factory.mktemp("provider-own")
    bus_name = f"provider-own-{uuid.uuid4().hex[:6]}"
    async with running(path, bus_name=bus_name, population_size=200, population_as_of=AS_OF) as env:
        world = await start_provider(env, path, env.verifier(freshness_s=0), Own)
        world.dead = Collector()
        await env.bus.subscribe_dead_letters(QUEUE, world.dead)
        yield world


def stamped_delivery(
    world: World, application: ApplicationDocument, signed: dict[str, Any], stamp: Signer, *, at: datetime | None = None
) -> Envelope:
    """The delivery the gateway makes: ``signed`` stamped by ``stamp`` with its registration (at ``at``)."""
    registration = world.registration(application.district)
    if at is not None:
        registration = registration.model_copy(update={"registered_at": at})
    made = StampedRegistration(registration.number, registration.registered_at, registration.district)
    stamped = countersign(signed, stamp, role="registration", signed_at=registration.registered_at, registration=made)
    envelope = world.delivery(application, stamped)
    document = {**envelope.document, "registration": registration.model_dump(mode="json")}
    return envelope.model_copy(update={"document": document})


def alerts(caplog: pytest.LogCaptureFixture, application_id: str) -> list[dict[str, Any]]:
    return [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict)
        and r.msg.get("event") == STAMP_ALERT
        and r.msg.get("application_id") == application_id
    ]


async def rejected(world: World, message_id: str) -> list[RejectedIntake]:
    async with world.provider_app.state.runtime.db.sessions() as session:
        return list((await session.exec(select(RejectedIntake).where(RejectedIntake.message_id == message_id))).all())


async def cases_of(world: World, application_id: str) -> list[Case]:
    async with world.provider_app.state.runtime.db.sessions() as session:
        return list((await session.exec(select(Case).where(Case.application_id == application_id))).all())


async def held_up(world: Own, envelope: Envelope, caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """Publish ``envelope``; once it is dead-lettered, what the provider alerted about it. It was not
    taken in, not recorded as rejected, and opened no case."""
    with caplog.at_level(logging.INFO):
        await world.bus.publish(envelope)
        await wait_until(lambda: any(d.envelope.message_id == envelope.message_id for d in world.dead.deliveries), 20)
    assert await rejected(world, envelope.message_id) == []
    assert not await applied(world.provider_app.state.runtime.db, "provider.intake", envelope.message_id)
    assert await cases_of(world, envelope.issue or "") == []
    return alerts(caplog, envelope.issue or "")


async def test_a_revoked_gateway_stamp_is_retried_and_alerted_never_rejected_and_passes_once_restamped(
    world: Own, caplog: pytest.LogCaptureFixture
) -> None:
    revoked = await system_signer(world.pki, GATEWAY.bin, "Өңірлік шлюз (ТЕСТ)")
    await world.pki.revoke(revoked)
    iin = await world.persona("eligible")
    application = await world.application(iin)
    signed = await world.signed(application)
    envelope = stamped_delivery(world, application, signed, revoked)

    found = await held_up(world, envelope, caplog)

    serial = f"{revoked.chain[0].serial_number:x}"
    assert len(found) > 1  # redelivered, alerted each time
    assert {(a["level"], a["code"], a["serial"]) for a in found} == {("error", "EDS_CERT_REVOKED", serial)}
    assert found[0]["registration_number"] == envelope.document["registration"]["number"]
    [dead] = [d for d in world.dead.deliveries if d.envelope.message_id == envelope.message_id]
    assert dead.death_reason == "delivery_limit"  # kept, not dropped

    # The gateway, renewed, stamps the same signed application again and delivers it anew: it goes through.
    again = stamped_delivery(world, application, signed, world.gateway)
    await world.bus.publish(again)
    status = await world.status(application.id)
    assert status.status in ("REGISTERED", "REFUSED_DOCUMENTS") and len(await cases_of(world, application.id)) == 1


async def test_an_expired_gateway_stamp_is_held_up_too(world: Own, caplog: pytest.LogCaptureFixture) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    expired = await world.pki.issue(
        new_iin(),
        holder="system",
        subject={"surname": "ЖҮЙЕ", "given_name": "ТЕСТ", "bin": GATEWAY.bin, "organization": "Өңірлік шлюз (ТЕСТ)"},
        not_before=(now - timedelta(days=10)).isoformat(),
        not_after=(now - timedelta(days=1)).isoformat(),
    )
    application = await world.application(await world.persona("eligible"))
    envelope = stamped_delivery(
        world, application, await world.signed(application), expired, at=now - timedelta(days=2)
    )

    found = await held_up(world, envelope, caplog)

    assert found and {a["code"] for a in found} == {"EDS_CERT_EXPIRED"}
    assert found[0]["serial"] == f"{expired.chain[0].serial_number:x}"


async def test_the_citizens_revoked_certificate_is_still_a_rejection(
    world: Own, caplog: pytest.LogCaptureFixture
) -> None:
    iin = await world.persona("eligible")
    application = await world.application(iin)
    signed = await world.signed(application)
    await world.pki.revoke(await world.citizen(iin))
    envelope = stamped_delivery(world, application, signed, world.gateway)

    with caplog.at_level(logging.INFO):
        await world.bus.publish(envelope)
        await world.applied(envelope.message_id)

    [row] = await rejected(world, envelope.message_id)
    assert row.code == "EDS_CERT_REVOKED"
    assert alerts(caplog, application.id) == []


async def test_a_revoked_stamp_of_another_system_is_still_a_rejection(
    world: Own, caplog: pytest.LogCaptureFixture
) -> None:
    impostor = await system_signer(world.pki, "140440000408", "Тұрғын үй бөлімі (ТЕСТ)")
    await world.pki.revoke(impostor)
    application = await world.application(await world.persona("eligible"))
    envelope = stamped_delivery(world, application, await world.signed(application), impostor)

    with caplog.at_level(logging.INFO):
        await world.bus.publish(envelope)
        await world.applied(envelope.message_id)

    [row] = await rejected(world, envelope.message_id)
    assert row.code == "EDS_CERT_REVOKED"
    assert alerts(caplog, application.id) == []
