"""Finding 2 of the trust review, at the portal: a forged receipt set REFUSED_AT_GATEWAY, a status
with the provider's address typed in set QUEUED, and a "result" signed by a random individual appeared
in the cabinet. Now nothing reaches the cabinet that its sender did not sign (architecture §9): the
envelope by the gateway's system certificate, a provider's status by the provider's, and a result by the
head of the housing department and then the gateway's registration stamp."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from services.portal_gateway.handlers import QUEUES
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.document import Author
from shared.eds.signing import Signer, payload_of, sign
from shared.geo import DISTRICTS
from shared.housing.messages import Receipt, SignedStatus, StatusChange, receipt_key, result_key, status_key
from shared.participants import GATEWAY, PORTAL, PROVIDER
from tests.support.bus import Collector
from tests.support.gateway import head_of
from tests.support.pki import new_iin
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


_dead_letters: dict[tuple[int, str], Collector] = {}


async def dead_letters(world: World, queue: str) -> Collector:
    """What ``queue`` dead-letters, from one collector per world and queue (a second consumer of a dead
    letter queue would take turns with the first)."""
    if (id(world), queue) not in _dead_letters:
        collector = Collector()
        await world.bus.subscribe_dead_letters(queue, collector)
        _dead_letters[id(world), queue] = collector
    return _dead_letters[id(world), queue]


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


FORGED_RESULTS = [
    "without the gateway's stamp",
    "stamped by an employee of the gateway's BIN",
    "stamped by the provider's system certificate",
    "stamped twice",
    "signed by a citizen",
    "signed by the gateway's system certificate",
    "signed by the provider's system certificate",
    "of another type",
    "stamped for another district",
    "for another district than the application's",
    "about another application",
]


@pytest.mark.parametrize("case", FORGED_RESULTS)
async def test_a_result_the_head_did_not_sign_or_the_gateway_did_not_stamp_never_reaches_the_cabinet(
    world: World, case: str
) -> None:
    """§18 Process 8: the result is the head's (an employee certificate of the provider's BIN), registered by
    the regional gateway (its stamp, by the gateway's system certificate); nothing else is shown."""
    auth, application_id = await submitted(world)
    lost = await dead_letters(world, QUEUES["results"])
    district = (await cabinet(world, auth, application_id))["district"]
    head_signed = await world.result(application_id, stamped=False)
    document = payload_of(head_signed)

    async def by(signer: Signer, author: Author, **fields: Any) -> dict[str, Any]:
        forged = {**document, "author": author.model_dump(exclude_none=True), **fields}
        return await world.stamp(sign(forged, signer), district)

    if case == "without the gateway's stamp":
        signed = head_signed
    elif case == "stamped by an employee of the gateway's BIN":
        employee = await head_of(world.pki, new_iin(), GATEWAY.bin)
        signed = await world.stamp(head_signed, district, signer=employee)
    elif case == "stamped by the provider's system certificate":
        provider = await system_signer(world.pki, PROVIDER.bin, PROVIDER.organization)
        signed = await world.stamp(head_signed, district, signer=provider)
    elif case == "stamped twice":
        signed = await world.stamp(await world.stamp(head_signed, district), district)
    elif case == "signed by a citizen":
        iin = new_iin()
        signed = await by(await world.pki.issue(iin), Author(iin=iin))
    elif case == "signed by the gateway's system certificate":
        signed = await by(await world.gateway_signer(), Author(bin=GATEWAY.bin))
    elif case == "signed by the provider's system certificate":
        provider = await system_signer(world.pki, PROVIDER.bin, PROVIDER.organization)
        signed = await by(provider, Author(bin=PROVIDER.bin))
    elif case == "of another type":
        head_iin, head = await world.head()
        signed = await by(head, Author(iin=head_iin, bin=PROVIDER.bin), type="housing-queue/result@1")
    elif case == "stamped for another district":
        elsewhere = next(d.code for d in DISTRICTS if d.code != district)
        signed = await world.stamp(head_signed, elsewhere)
    elif case == "for another district than the application's":
        head_iin, head = await world.head()
        elsewhere = next(d.code for d in DISTRICTS if d.code != district)
        moved = {**document, "district": elsewhere}
        signed = await world.stamp(sign(moved, head), elsewhere)
    else:
        head_iin, head = await world.head()
        other = str(uuid.uuid4())
        signed = await by(head, Author(iin=head_iin, bin=PROVIDER.bin), application_id=other)
    forged = await world.from_gateway(result_key(PORTAL.address), application_id, signed)

    assert (await rejected(lost, forged.message_id)).death_reason == "rejected"
    response = await world.portal.get(f"/api/v1/applications/{application_id}/result", headers=auth)
    assert response.status_code == 404
    assert (await cabinet(world, auth, application_id))["queue"] is None
