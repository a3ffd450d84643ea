"""Finding 2 of the trust review, at the portal: a forged receipt set REFUSED_AT_GATEWAY, a status
with the provider's address typed in set QUEUED, and a "result" signed by a random individual appeared
in the cabinet. Now nothing reaches the cabinet that its sender did not sign (architecture §9): the
envelope by the gateway's system certificate, a provider's status and a result by the provider's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.portal_gateway.handlers import QUEUES
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.document import Author, EDocument
from shared.eds.signing import sign
from shared.housing.messages import Receipt, SignedStatus, StatusChange, receipt_key, result_key, status_key
from shared.participants import GATEWAY, PORTAL, PROVIDER
from tests.support.bus import Collector
from tests.support.portal import World
from tests.support.provider import system_signer

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def submitted(world: World) -> tuple[dict[str, str], str]:
    iin, auth = await world.citizen()
    response = await world.submit(auth, await world.signed_draft(iin, auth))
    assert response.status_code == 202, response.text
    return auth, response.json()["id"]


async def cabinet(world: World, auth: dict[str, str], application_id: str) -> dict[str, Any]:
    response = await world.portal.get(f"/api/v1/applications/{application_id}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def dead_letters(world: World, queue: str) -> Collector:
    collector = Collector()
    await world.bus.subscribe_dead_letters(queue, collector)
    return collector


async def rejected(collector: Collector, message_id: str) -> Delivery:
    for _ in range(200):
        found = [d for d in collector.deliveries if d.envelope.message_id == message_id]
        if found:
            return found[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"{message_id} was not dead-lettered")


async def test_a_forged_receipt_does_not_stop_the_application(world: World) -> None:
    auth, application_id = await submitted(world)
    lost = await dead_letters(world, QUEUES["receipts"])
    key = receipt_key(PORTAL.address)
    receipt = Receipt(application_id=application_id, state="DELIVERY_STOPPED", error={"code": "FORBIDDEN"})
    forged = Envelope(message_type=key, sender=GATEWAY.address, issue=application_id, document=receipt.model_dump())
    await world.bus.raw.publish(forged, key)  # unsigned, the gateway's address typed in

    assert (await rejected(lost, forged.message_id)).death_reason == "rejected"
    assert not await applied(world.db, QUEUES["receipts"], forged.message_id)
    view = await cabinet(world, auth, application_id)
    assert view["status"] == "SUBMITTED" and view["delivery"] is None


async def test_a_provider_status_without_the_providers_signature_is_not_applied(world: World) -> None:
    """Relayed by the gateway (its envelope verifies), but the status itself is not the provider's."""
    auth, application_id = await submitted(world)
    lost = await dead_letters(world, QUEUES["statuses"])
    key = status_key(PORTAL.address)
    change = StatusChange(application_id=application_id, status="QUEUED", at=utcnow())
    impostor = await world.pki.issue()  # anyone's certificate: test mode gives them out
    unsigned = Envelope(
        message_type=key, sender=GATEWAY.address, issue=application_id, document=change.model_dump(mode="json")
    )
    by_someone = Envelope(
        message_type=key,
        sender=GATEWAY.address,
        issue=application_id,
        document=sign(SignedStatus.of(change, author_bin=PROVIDER.bin), impostor),
    )
    for forged in (unsigned, by_someone):
        await world.bus.publish(forged, key)  # signed as the gateway: only the document is forged
        assert (await rejected(lost, forged.message_id)).death_reason == "rejected"
    assert (await cabinet(world, auth, application_id))["status"] == "SUBMITTED"


async def test_a_result_signed_by_anyone_but_the_provider_never_reaches_the_cabinet(world: World) -> None:
    auth, application_id = await submitted(world)
    lost = await dead_letters(world, QUEUES["results"])
    key = result_key(PORTAL.address)
    someone = await world.pki.issue("900101300017")
    other_system = await system_signer(world.pki, GATEWAY.bin, GATEWAY.organization)
    for signer, author in ((someone, Author(iin="900101300017")), (other_system, Author(bin=GATEWAY.bin))):
        result = EDocument(type="housing-queue/notification@1", author=author, application_id=application_id)
        forged = Envelope(message_type=key, sender=GATEWAY.address, issue=application_id, document=sign(result, signer))
        await world.bus.publish(forged, key)
        assert (await rejected(lost, forged.message_id)).death_reason == "rejected"
    response = await world.portal.get(f"/api/v1/applications/{application_id}/result", headers=auth)
    assert response.status_code == 404
