"""Statuses and results from the provider go back through the gateway to whoever submitted the
application; the provider's first word makes the delivery DELIVERED. Only the provider of the
application's district is relayed, and a result only with a signature that holds (the result's
registration and stamp, Process 8: test_result.py)."""

from __future__ import annotations

import pytest

from shared.bus.envelope import Envelope
from shared.housing.messages import CASE_RESULT, CASE_STATUS
from shared.participants import PROVIDER
from tests.support.gateway import ADMIN, World, case_status

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def registered(world: World) -> Envelope:
    envelope, _ = await world.submit()
    await world.wait_portal(envelope.issue or "", "status.portal")
    return envelope


async def test_a_provider_status_reaches_the_sender_and_the_delivery_becomes_delivered(world: World) -> None:
    submitted = await registered(world)
    issue = submitted.issue or ""
    status = case_status(world, issue, submitted.correlation_id)
    await world.bus.publish(status)

    relayed = (await world.wait_portal(issue, "status.portal", 2))[1].envelope
    assert relayed.message_id == status.message_id and relayed.document == status.document
    assert (relayed.user_id, relayed.correlation_id) == (submitted.user_id, submitted.correlation_id)
    receipt = (await world.wait_portal(issue, "receipt.portal", 2))[1].envelope.document
    assert receipt["state"] == "DELIVERED" and receipt["registration"]["number"]
    view = (await world.http.get(f"/api/v1/applications/{issue}/delivery", headers=ADMIN)).json()
    assert view["delivery_state"] == "DELIVERED" and view["last_status"] == "REGISTERED"

    await world.bus.publish(case_status(world, issue, submitted.correlation_id, "IN_REVIEW"))
    await world.wait_portal(issue, "status.portal", 3)
    await world.settle()
    assert len(world.to_portal(issue, "receipt.portal")) == 2  # DELIVERED once


@pytest.mark.parametrize("case", ["unsigned result", "unsigned status"])
async def test_what_the_provider_of_the_district_did_not_send_well_is_logged_and_not_relayed(
    world: World, case: str
) -> None:
    submitted = await registered(world)
    issue = submitted.issue or ""
    if case == "unsigned result":
        message = Envelope(
            message_type=CASE_RESULT, sender=PROVIDER.address, issue=issue, document={"decision": "QUEUED"}
        )
        code = "EDS_MALFORMED"
    else:
        # A status the provider did not sign (its envelope is the provider's: someone with its broker
        # access, or a bug, cannot make the citizen believe it).
        change = {"application_id": issue, "status": "QUEUED", "at": "2026-11-30T10:00:00Z"}
        message = Envelope(message_type=CASE_STATUS, sender=PROVIDER.address, issue=issue, document=change)
        code = "EDS_MALFORMED"
    await world.bus.publish(message)
    await world.settle()

    assert len(world.to_portal(issue, "status.portal")) == 1 and world.to_portal(issue, "result.portal") == []
    evidence = (await world.http.get(f"/api/v1/evidence/messages/{message.message_id}", headers=ADMIN)).json()
    [entry] = evidence["entries"]
    assert entry["kind"] == "refused" and entry["note"]["code"] == code
    view = (await world.http.get(f"/api/v1/applications/{issue}/delivery", headers=ADMIN)).json()
    assert view["delivery_state"] == "ON_DELIVERY"
