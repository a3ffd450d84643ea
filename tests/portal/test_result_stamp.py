"""A result held up by the regional gateway's own stamping certificate (security finding 3, for results):
the gateway's registration stamp on a result, by its system certificate, revoked or expired while the head's
signature is good, is the system's credential problem, not the result's — a citizen's result never vanishes.
The portal does not refuse it for good: it is redelivered, then kept in the dead letter queue, with an ALERT
in the log (`shared.eds.stamps.STAMP_ALERT`); the same result stamped anew with the same registration and
relayed under the same message id (as the gateway does once it renewed its certificate:
tests/gateway/test_restamp.py) reaches the cabinet, once. A result whose head's certificate is revoked is
still refused at once.

A world of its own, so that the dead letters it reads are its own."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlmodel import col, select

from services.portal_gateway.handlers import QUEUES, check_result
from services.portal_gateway.models import MailOutboxMessage
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.bus.port import Delivery
from shared.eds.signing import Signer, b64url_decode
from shared.eds.stamps import STAMP_ALERT
from shared.errors import AppError
from shared.housing.messages import result_key
from shared.participants import GATEWAY, PORTAL
from tests.support.bus import Collector, wait_until
from tests.support.gateway import head_of
from tests.support.pki import new_iin
from tests.support.portal import World

pytestmark = pytest.mark.asyncio(loop_scope="module")
KEY = result_key(PORTAL.address)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def dead(world: World) -> Collector:
    """What the portal's results queue dead-letters."""
    collector = Collector()
    await world.bus.subscribe_dead_letters(QUEUES["results"], collector)
    return collector


async def submitted(world: World) -> tuple[dict[str, str], str, str]:
    """A citizen's application at the portal: the token's header, its id and its district."""
    iin, auth = await world.citizen()
    response = await world.submit(auth, await world.signed_draft(iin, auth))
    assert response.status_code == 202, response.text
    application_id = response.json()["id"]
    view = await world.portal.get(f"/api/v1/applications/{application_id}", headers=auth)
    return auth, application_id, view.json()["district"]


def serial(signer: Signer) -> str:
    return f"{signer.chain[0].serial_number:x}"


def stamp_header(signed: dict[str, Any]) -> dict[str, Any]:
    return json.loads(b64url_decode(signed["signatures"][-1]["protected"]))  # type: ignore[no-any-return]


def alerts(caplog: pytest.LogCaptureFixture, application_id: str) -> list[dict[str, Any]]:
    return [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict)
        and r.msg.get("event") == STAMP_ALERT
        and r.msg.get("application_id") == application_id
    ]


async def dead_lettered(dead: Collector, message_id: str) -> Delivery:
    await wait_until(lambda: any(d.envelope.message_id == message_id for d in dead.deliveries), 20)
    return next(d for d in dead.deliveries if d.envelope.message_id == message_id)


async def result_of(world: World, auth: dict[str, str], application_id: str) -> dict[str, Any] | None:
    response = await world.portal.get(f"/api/v1/applications/{application_id}/result", headers=auth)
    return response.json()["document"] if response.status_code == 200 else None  # type: ignore[no-any-return]


async def test_a_result_whose_gateway_stamp_was_revoked_is_held_up_and_taken_once_stamped_anew(
    world: World, dead: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    auth, application_id, district = await submitted(world)
    head_signed = await world.result(application_id, stamped=False)
    revoked = await world.gateway_signer(fresh=True)
    stale = await world.stamp(head_signed, district, number="KRG-20261201-000901", signer=revoked)
    await world.pki.revoke(revoked)

    with caplog.at_level(logging.INFO):
        relayed = await world.from_gateway(KEY, application_id, stale)
        kept = await dead_lettered(dead, relayed.message_id)

    assert kept.death_reason == "delivery_limit"  # redelivered to the limit, then kept: never refused
    found = alerts(caplog, application_id)
    assert len(found) > 1  # every delivery alerted
    assert {(a["level"], a["code"], a["serial"]) for a in found} == {("error", "EDS_CERT_REVOKED", serial(revoked))}
    assert found[0]["registration_number"] == "KRG-20261201-000901" and found[0]["message_id"] == relayed.message_id
    assert not await applied(world.db, QUEUES["results"], relayed.message_id)
    assert await result_of(world, auth, application_id) is None

    # The gateway, renewed, stamps the same result with the same registration and relays it again under the
    # same message id: it reaches the cabinet.
    made = stamp_header(stale)
    at = datetime.fromisoformat(made["regT"].replace("Z", "+00:00"))
    fresh = await world.stamp(head_signed, district, number=made["regNum"], registered_at=at)
    restamped = relayed.model_copy(update={"document": fresh, "proof": None})
    await world.bus.publish(restamped, KEY)
    await world.until(lambda: applied(world.db, QUEUES["results"], relayed.message_id))
    assert await result_of(world, auth, application_id) == fresh
    answer = (await world.portal.post("/api/v1/edocs/verify", json=fresh)).json()
    assert answer["valid"] is True, answer
    stamp = answer["signatures"][1]
    assert (stamp["role"], stamp["bin"], stamp["holder"]) == ("registration", GATEWAY.bin, "system")
    assert stamp["registration"]["number"] == "KRG-20261201-000901"
    assert datetime.fromisoformat(stamp["registration"]["at"].replace("Z", "+00:00")) == at

    # The stale copy once more (its dead letter replayed, say): skipped; one result, mailed once.
    await world.bus.publish(relayed.model_copy(update={"proof": None}), KEY)
    await world.bus.drain(5.0)
    assert await result_of(world, auth, application_id) == fresh
    async with world.db.sessions() as session:
        mails = (
            await session.exec(select(MailOutboxMessage).where(col(MailOutboxMessage.application_id) == application_id))
        ).all()
    assert len(mails) <= 1  # one mail at most (none without an address)


async def test_an_expired_gateway_stamp_is_held_up_too(world: World) -> None:
    """Judged by the portal's check alone (the bus's redelivery is the test above's)."""
    _, application_id, district = await submitted(world)
    now = datetime.now(UTC).replace(microsecond=0)
    expired = await world.gateway_signer(
        fresh=True,
        not_before=(now - timedelta(days=10)).isoformat(),
        not_after=(now - timedelta(days=1)).isoformat(),
    )
    head_signed = await world.result(application_id, stamped=False)
    stale = await world.stamp(head_signed, district, signer=expired)
    envelope = Envelope(message_type=KEY, sender=GATEWAY.address, issue=application_id, document=stale)

    with pytest.raises(AppError) as caught:
        await check_result(world.pki.verifier(), Delivery(envelope, KEY, QUEUES["results"], 1))

    assert caught.value.code == "SERVICE_UNAVAILABLE"  # transient: redelivered, never refused
    assert caught.value.details["code"] == "EDS_CERT_EXPIRED"


async def test_a_result_whose_heads_certificate_was_revoked_is_still_refused(
    world: World, dead: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    auth, application_id, _ = await submitted(world)
    iin = new_iin()
    head = await head_of(world.pki, iin)
    signed = await world.result(application_id, head=(iin, head))  # stamped by the gateway's good certificate
    await world.pki.revoke(head)

    with caplog.at_level(logging.INFO):
        relayed = await world.from_gateway(KEY, application_id, signed)
        kept = await dead_lettered(dead, relayed.message_id)

    assert kept.death_reason == "rejected"  # at once, for good
    assert alerts(caplog, application_id) == []
    assert await result_of(world, auth, application_id) is None
