"""The gateway's workstation and evidence: only its own admin token opens them; dead letters are kept
and replayed; a delivery still in the outbox can be stopped; the message log's chain shows where it was
tampered with."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from services.regional_gateway.handlers import INBOUND, RELAY
from shared.auth import TokenIssuer
from shared.eds.jcs import canonical
from shared.eds.signing import b64url, payload_of, sign
from shared.housing.messages import CASE_STATUS, SUBMITTED
from tests.support.bus import wait_until
from tests.support.gateway import ADMIN, UNROUTED_DISTRICT, World, case_status

pytestmark = pytest.mark.asyncio(loop_scope="package")

ADMIN_ROUTES = [
    ("GET", "/api/v1/admin/dead-letters"),
    ("POST", "/api/v1/admin/dead-letters/1/replay"),
    ("GET", "/api/v1/applications/some-application/delivery"),
    ("POST", "/api/v1/admin/applications/some-application/stop"),
    ("GET", "/api/v1/evidence/messages/some-message"),
    ("GET", "/api/v1/evidence/log/verify"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
async def test_the_workstation_opens_only_to_the_gateways_admin_token(world: World, method: str, path: str) -> None:
    portal_token, _ = TokenIssuer(audience="portal_gateway").issue("900101300017", "citizen")
    provider_token, _ = TokenIssuer(audience="provider").issue("staff-1", "staff", district="karaganda")
    expected = [
        ({}, 401, "UNAUTHORIZED"),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401, "UNAUTHORIZED"),
        ({"Authorization": "Bearer wrong"}, 403, "FORBIDDEN"),
        ({"Authorization": f"Bearer {portal_token}"}, 403, "FORBIDDEN"),
        ({"Authorization": f"Bearer {provider_token}"}, 403, "FORBIDDEN"),
    ]
    for headers, status, code in expected:
        response = await world.http.request(method, path, headers=headers)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), headers
    assert (await world.http.request(method, path, headers=ADMIN)).status_code in (200, 404)


async def test_the_routing_directory_names_a_provider_for_every_district(world: World) -> None:
    routes = (await world.http.get("/api/v1/routing")).json()
    assert len(routes) == 18 and all(r["routing_key"] == f"document.delivered.{r['district']}" for r in routes)


async def dead_letters(world: World, **params: Any) -> dict[str, Any]:
    response = await world.http.get("/api/v1/admin/dead-letters", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def dead_letter_of(world: World, message_id: str, queue: str) -> dict[str, Any]:
    """The dead letter of ``message_id`` in ``queue``, once the gateway has stored it."""
    for _ in range(100):
        page = await dead_letters(world, queue=queue, replayed=False)
        found: list[dict[str, Any]] = [item for item in page["items"] if item["message_id"] == message_id]
        if found:
            return found[0]
        await world.bus.drain(0.1)
    raise AssertionError(f"no dead letter for {message_id} in {queue}")


async def test_a_message_the_gateway_keeps_failing_on_is_dead_lettered_and_can_be_replayed(world: World) -> None:
    document = world.application()
    envelope = world.envelope(sign(document, world.citizen), document.id)
    with world.verifier.crashing(document.id):
        await world.bus.publish(envelope)
        item = await dead_letter_of(world, envelope.message_id, INBOUND)
    assert item["routing_key"] == SUBMITTED and item["death_reason"] == "delivery_limit"
    assert item["envelope"]["document"] == envelope.document and world.to_portal(document.id, "receipt.portal") == []

    replay = await world.http.post(f"/api/v1/admin/dead-letters/{item['id']}/replay", headers=ADMIN)
    assert replay.status_code == 200 and replay.json()["replayed_at"]
    receipt = (await world.wait_portal(document.id, "receipt.portal"))[0].envelope
    assert receipt.document["state"] == "ON_DELIVERY"
    again = await world.http.post(f"/api/v1/admin/dead-letters/{item['id']}/replay", headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONFLICT"
    evidence = (await world.http.get(f"/api/v1/evidence/messages/{envelope.message_id}", headers=ADMIN)).json()
    assert [e["kind"] for e in evidence["entries"]] == ["replayed", "received"]


async def test_a_status_for_an_application_never_registered_is_dead_lettered(world: World) -> None:
    status = case_status(world, "no-such-application", "c-1")
    await world.bus.publish(status)
    item = await dead_letter_of(world, status.message_id, RELAY)
    assert item["routing_key"] == CASE_STATUS
    assert (await world.http.post("/api/v1/admin/dead-letters/999999/replay", headers=ADMIN)).status_code == 404


async def test_dead_letters_are_listed_newest_first_in_pages(world: World) -> None:
    everything = await dead_letters(world)
    first = await dead_letters(world, limit=1)
    assert first["total"] == everything["total"] >= 1 and len(first["items"]) == 1
    ids = [i["id"] for i in everything["items"]]
    assert ids == sorted(ids, reverse=True) and first["items"][0]["id"] == ids[0]


async def test_a_delivery_still_in_the_outbox_can_be_stopped_once(world: World) -> None:
    envelope, _ = await world.submit(district=UNROUTED_DISTRICT)
    issue = envelope.issue or ""
    await world.wait_portal(issue, "status.portal")

    stopped = await world.http.post(f"/api/v1/admin/applications/{issue}/stop", headers=ADMIN)
    assert stopped.status_code == 200 and stopped.json()["delivery_state"] == "DELIVERY_STOPPED"
    receipts = await world.wait_portal(issue, "receipt.portal", 2)
    assert receipts[1].envelope.document["state"] == "DELIVERY_STOPPED"
    again = await world.http.post(f"/api/v1/admin/applications/{issue}/stop", headers=ADMIN)
    assert again.status_code == 409
    async with world.runtime.db.engine.connect() as connection:
        left = (
            await connection.execute(
                text("SELECT count(*) FROM outbox WHERE routing_key = :k AND sent_at IS NULL"),
                {"k": f"document.delivered.{UNROUTED_DISTRICT}"},
            )
        ).scalar_one()
    assert left == 0


async def test_a_delivery_that_left_cannot_be_stopped(world: World) -> None:
    envelope, _ = await world.submit()
    issue = envelope.issue or ""
    await wait_until(lambda: bool(world.delivered(issue)))
    await world.settle()
    response = await world.http.post(f"/api/v1/admin/applications/{issue}/stop", headers=ADMIN)
    assert response.status_code == 409 and response.json()["error"]["details"]["reason"]


async def test_a_tampered_log_entry_is_found_by_the_chain_check(world: World) -> None:
    envelope, _ = await world.submit()
    await world.wait_portal(envelope.issue or "", "status.portal")
    await world.settle()
    assert (await world.http.get("/api/v1/evidence/log/verify", headers=ADMIN)).json()["valid"] is True
    [entry] = (await world.http.get(f"/api/v1/evidence/messages/{envelope.message_id}", headers=ADMIN)).json()[
        "entries"
    ]

    db = world.runtime.db
    async with db.engine.begin() as connection:
        original = (
            await connection.execute(text("SELECT document FROM gw_message_log WHERE seq = :s"), {"s": entry["seq"]})
        ).scalar_one()
        stored = json.loads(original)
        stored["payload"] = b64url(canonical({**payload_of(stored), "district": "shet"}))  # another department
        forged = json.dumps(stored)
        await connection.execute(
            text("UPDATE gw_message_log SET document = :d WHERE seq = :s"), {"d": forged, "s": entry["seq"]}
        )
    try:
        verdict = (await world.http.get("/api/v1/evidence/log/verify", headers=ADMIN)).json()
        assert verdict["valid"] is False and verdict["first_broken_seq"] == entry["seq"]
        evidence = (await world.http.get(f"/api/v1/evidence/messages/{envelope.message_id}", headers=ADMIN)).json()
        assert evidence["entries"][0]["intact"] is False
    finally:
        async with db.engine.begin() as connection:
            await connection.execute(
                text("UPDATE gw_message_log SET document = :d WHERE seq = :s"), {"d": original, "s": entry["seq"]}
            )
    assert (await world.http.get("/api/v1/evidence/log/verify", headers=ADMIN)).json()["valid"] is True


async def test_evidence_for_an_unknown_message_is_404(world: World) -> None:
    response = await world.http.get("/api/v1/evidence/messages/nothing-like-this", headers=ADMIN)
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"
