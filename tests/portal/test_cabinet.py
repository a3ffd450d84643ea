"""The personal cabinet (§10 step 3, §18 Process 6 – Process 8, §17): statuses, the registration
number and the result arrive from the regional gateway, in any order; citizens see only their own
applications; a refusal frees the citizen to apply again, a place in the queue does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.portal_gateway.handlers import QUEUES
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.calendar import utcnow
from shared.eds.signing import Signer, payload_of, sign
from shared.housing.messages import (
    Receipt,
    Registration,
    SignedStatus,
    StatusChange,
    receipt_key,
    result_key,
    status_key,
)
from shared.participants import GATEWAY, PORTAL, PROVIDER
from tests.support.portal import World
from tests.support.provider import system_signer

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def submitted(world: World) -> tuple[str, dict[str, str], str]:
    iin, auth = await world.citizen()
    response = await world.submit(auth, await world.signed_draft(iin, auth))
    assert response.status_code == 202, response.text
    return iin, auth, response.json()["id"]


async def from_gateway(world: World, key: str, issue: str, document: dict[str, Any]) -> None:
    await world.bus.publish(Envelope(message_type=key, sender=GATEWAY.address, issue=issue, document=document), key)


_provider_keys: dict[int, Signer] = {}


async def provider_says(world: World, change: StatusChange) -> dict[str, Any]:
    """A provider's status as the provider sends it: its `SignedStatus`, signed by its system certificate."""
    if id(world) not in _provider_keys:
        _provider_keys[id(world)] = await system_signer(world.pki, PROVIDER.bin, PROVIDER.organization)
    return sign(SignedStatus.of(change, author_bin=PROVIDER.bin), _provider_keys[id(world)])


async def cabinet(world: World, auth: dict[str, str], application_id: str) -> dict[str, Any]:
    response = await world.portal.get(f"/api/v1/applications/{application_id}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_cabinet_shows_registration_number_and_status_history_in_order(world: World) -> None:
    _, auth, application_id = await submitted(world)
    t0 = utcnow()
    registration = Registration(number="KRG-20261126-000042", registered_at=t0, district="karaganda")
    gateway = StatusChange(
        application_id=application_id, status="REGISTERED_AT_GATEWAY", at=t0, registration_number=registration.number
    )
    provider = StatusChange(
        application_id=application_id, status="REGISTERED", at=t0 + timedelta(seconds=5), case_number="KRG-HD-2026-0007"
    )
    # The provider's status overtakes the gateway's: order on the bus is not guaranteed.
    await from_gateway(world, status_key(PORTAL.address), application_id, await provider_says(world, provider))
    await from_gateway(world, status_key(PORTAL.address), application_id, gateway.model_dump(mode="json"))
    receipt = Receipt(application_id=application_id, state="DELIVERED", registration=registration)
    await from_gateway(world, receipt_key(PORTAL.address), application_id, receipt.model_dump(mode="json"))

    async def arrived() -> bool:
        view = await cabinet(world, auth, application_id)
        return len(view["history"]) == 3 and view["delivery"] is not None

    await world.until(arrived)
    view = await cabinet(world, auth, application_id)
    assert view["status"] == "REGISTERED" and view["case_number"] == "KRG-HD-2026-0007"
    assert [h["status"] for h in view["history"]] == ["SUBMITTED", "REGISTERED_AT_GATEWAY", "REGISTERED"]
    assert view["registration"]["number"] == "KRG-20261126-000042" and view["delivery"]["state"] == "DELIVERED"
    listed = (await world.portal.get("/api/v1/applications", headers=auth)).json()
    assert [(a["id"], a["registration_number"]) for a in listed] == [(application_id, "KRG-20261126-000042")]


async def test_a_citizen_never_sees_another_citizens_application(world: World) -> None:
    _, _, application_id = await submitted(world)
    _, stranger = await world.citizen()
    for path in (f"/api/v1/applications/{application_id}", f"/api/v1/applications/{application_id}/result"):
        theirs = await world.portal.get(path, headers=stranger)
        missing = await world.portal.get(
            path.replace(application_id, "00000000-0000-4000-8000-000000000000"), headers=stranger
        )
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "NOT_FOUND"
    assert (await world.portal.get("/api/v1/applications", headers=stranger)).json() == []


async def test_the_signed_result_reaches_the_cabinet_with_the_place_in_the_queue(world: World) -> None:
    """§17, §18 Process 8: delivered to the personal cabinet, signed by the provider's authorized person (the
    head) and registered by the regional gateway; QUEUED with the provider's status, and the place in the
    waiting list (architecture §6)."""
    _, auth, application_id = await submitted(world)
    assert (await world.portal.get(f"/api/v1/applications/{application_id}/result", headers=auth)).status_code == 404
    signed = await world.result(application_id, queue_number=17)
    queued = StatusChange(application_id=application_id, status="QUEUED", at=utcnow(), case_number="ЖК-000001")
    await world.from_gateway(result_key(PORTAL.address), application_id, signed)
    await world.from_gateway(status_key(PORTAL.address), application_id, await provider_says(world, queued))

    async def delivered() -> bool:
        view = await cabinet(world, auth, application_id)
        return view["result_ready"] and view["status"] == "QUEUED"

    await world.until(delivered)
    answer = await world.portal.get(f"/api/v1/applications/{application_id}/result", headers=auth)
    assert answer.status_code == 200 and answer.json() == {"document": signed}
    view = await cabinet(world, auth, application_id)
    assert view["result"] == signed and view["case_number"] == "ЖК-000001"
    notification = payload_of(signed)
    assert view["queue"] == {
        "list": notification["waiting_list"],
        "position": 17,
        "history": [{"at": notification["created_at"], "position": 17, "reason": "registered"}],
    }
    assert [h["status"] for h in view["history"]] == ["SUBMITTED", "QUEUED"]


async def test_a_reasoned_refusal_reaches_the_cabinet_without_a_queue(world: World) -> None:
    """§5, §15: the refusal is the result; REFUSED with the provider's status; no place in a queue."""
    _, auth, application_id = await submitted(world)
    signed = await world.result(application_id, kind="refusal")
    refused = StatusChange(application_id=application_id, status="REFUSED", at=utcnow(), case_number="ЖК-000001")
    await world.from_gateway(status_key(PORTAL.address), application_id, await provider_says(world, refused))
    await world.from_gateway(result_key(PORTAL.address), application_id, signed)

    async def delivered() -> bool:
        view = await cabinet(world, auth, application_id)
        return view["result_ready"] and view["status"] == "REFUSED"

    await world.until(delivered)
    view = await cabinet(world, auth, application_id)
    assert view["result"] == signed and view["queue"] is None
    answer = await world.portal.get(f"/api/v1/applications/{application_id}/result", headers=auth)
    assert answer.json() == {"document": signed}


async def test_the_stamped_result_verifies_naming_the_head_and_the_gateway(world: World) -> None:
    """Architecture §6: the public verification of the result the citizen holds names who signed it — the
    head (an employee of the provider's BIN) — and who registered it — the regional gateway (its stamp)."""
    _, _, application_id = await submitted(world)
    signed = await world.result(application_id)
    head_iin, _ = await world.head()
    answer = await world.portal.post("/api/v1/edocs/verify", json=signed)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["valid"] is True and body["code"] is None and body["type"] == "housing-queue/notification@1"
    head, stamp = body["signatures"]
    assert (head["role"], head["holder"], head["iin"], head["bin"]) == ("author", "employee", head_iin, PROVIDER.bin)
    assert head["registration"] is None
    assert (stamp["role"], stamp["holder"], stamp["bin"]) == ("registration", "system", GATEWAY.bin)
    assert stamp["registration"]["number"] == "KRG-20261201-000900"
    assert stamp["registration"]["district"] == payload_of(signed)["district"]


async def test_a_refusal_frees_the_citizen_to_apply_again_but_the_queue_does_not(world: World) -> None:
    iin, auth, first = await submitted(world)
    t0 = utcnow()
    refusal = StatusChange(
        application_id=first,
        status="REFUSED_DOCUMENTS",
        at=t0 + timedelta(seconds=2),
        reason={"missing": ["marriage_certificate"]},
    )
    await from_gateway(world, status_key(PORTAL.address), first, await provider_says(world, refusal))

    async def refused() -> bool:
        return bool((await cabinet(world, auth, first))["status"] == "REFUSED_DOCUMENTS")

    await world.until(refused)
    assert (await cabinet(world, auth, first))["history"][-1]["details"]["reason"] == {
        "missing": ["marriage_certificate"]
    }
    late = StatusChange(application_id=first, status="REGISTERED", at=t0 + timedelta(seconds=1))
    await from_gateway(world, status_key(PORTAL.address), first, await provider_says(world, late))

    async def kept() -> bool:
        return len((await cabinet(world, auth, first))["history"]) == 3

    await world.until(kept)
    view = await cabinet(world, auth, first)
    assert view["status"] == "REFUSED_DOCUMENTS"  # a final status stays; the late one is only history
    assert [h["status"] for h in view["history"]] == ["SUBMITTED", "REGISTERED", "REFUSED_DOCUMENTS"]

    second = await world.submit(auth, await world.signed_draft(iin, auth))
    assert second.status_code == 202, second.text
    queued = StatusChange(application_id=second.json()["id"], status="QUEUED", at=utcnow())
    await from_gateway(world, status_key(PORTAL.address), second.json()["id"], await provider_says(world, queued))

    async def in_queue() -> bool:
        return bool((await cabinet(world, auth, second.json()["id"]))["status"] == "QUEUED")

    await world.until(in_queue)
    assert (await cabinet(world, auth, first))["status"] == "REFUSED_DOCUMENTS"  # a final status stays
    third = await world.submit(auth, await world.signed_draft(iin, auth))
    assert third.status_code == 409 and third.json()["error"]["code"] == "DUPLICATE_APPLICATION"


async def test_a_status_for_an_application_the_portal_does_not_have_is_acknowledged(world: World) -> None:
    stray = StatusChange(application_id="00000000-0000-4000-8000-000000000001", status="REGISTERED", at=utcnow())
    envelope = Envelope(
        message_type=status_key(PORTAL.address),
        sender=GATEWAY.address,
        issue=stray.application_id,
        document=await provider_says(world, stray),
    )
    await world.bus.publish(envelope, status_key(PORTAL.address))

    async def acknowledged() -> bool:  # the inbox records a message only when its handler succeeded
        return await applied(world.db, QUEUES["statuses"], envelope.message_id)

    await world.until(acknowledged)
