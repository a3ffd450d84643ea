"""Process 6 at the regional gateway (§18): an application is verified again, registered, stamped,
logged and routed by district; an application whose signature does not hold is refused with its EDS code
and never forwarded; a message delivered twice is registered once."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import datetime

import pytest

from shared.bus.envelope import Envelope
from shared.eds.jcs import canonical
from shared.eds.signing import b64url, b64url_decode, payload_of, rfc3339, rfc3339_precise, sign
from shared.housing.application import ApplicationDocument
from shared.housing.messages import SUBMITTED, delivered_key
from shared.participants import GATEWAY, PORTAL
from tests.support.bus import wait_until
from tests.support.gateway import ADMIN, World

pytestmark = pytest.mark.asyncio(loop_scope="package")
NUMBER = re.compile(r"^KRG-\d{8}-\d{6}$")


async def test_a_verified_application_is_registered_stamped_and_routed_to_its_district(world: World) -> None:
    envelope, signed = await world.submit()
    issue = envelope.issue or ""

    receipt = (await world.wait_portal(issue, "receipt.portal"))[0].envelope
    assert receipt.document["state"] == "ON_DELIVERY"
    registration = receipt.document["registration"]
    assert NUMBER.match(registration["number"]) and registration["district"] == world.applicant.address.district
    assert (receipt.correlation_id, receipt.user_id, receipt.sender) == (
        envelope.correlation_id,
        envelope.user_id,
        GATEWAY.address,
    )
    status = (await world.wait_portal(issue, "status.portal"))[0].envelope.document
    assert status["status"] == "REGISTERED_AT_GATEWAY"
    assert status["registration_number"] == registration["number"]

    await wait_until(lambda: bool(world.delivered(issue)))
    delivered = world.delivered(issue)[0]
    assert delivered.routing_key == delivered_key(world.applicant.address.district)
    assert delivered.envelope.sender == GATEWAY.address
    assert (delivered.envelope.correlation_id, delivered.envelope.user_id) == (
        envelope.correlation_id,
        envelope.user_id,
    )
    stamped = delivered.envelope.document["signed"]
    assert delivered.envelope.document["registration"]["number"] == registration["number"]
    assert stamped["payload"] == signed["payload"] and stamped["signatures"][0] == signed["signatures"][0]
    verified = await world.verifier.verify(stamped, model=ApplicationDocument)
    assert [s.role for s in verified.signatures] == ["author", "registration"]
    assert verified.signatures[0].iin == world.applicant.iin
    assert verified.signatures[1].bin == GATEWAY.bin

    view = (await world.http.get(f"/api/v1/applications/{issue}/delivery", headers=ADMIN)).json()
    assert view["delivery_state"] == "ON_DELIVERY"
    assert [m["kind"] for m in view["messages"]] == ["received", "delivered", "receipt", "status"]
    chain = (await world.http.get("/api/v1/evidence/log/verify", headers=ADMIN)).json()
    assert chain["valid"] is True and chain["entries"] >= 4


async def test_the_stamp_signs_the_registration_that_is_stored_and_sent(world: World) -> None:
    """Architecture §9: the stamp's protected header carries the registration number, time and district;
    the stamp is signed at the registration time, and the receipt, the status and the delivery say the same."""
    envelope, _ = await world.submit()
    issue = envelope.issue or ""
    registration = (await world.wait_portal(issue, "receipt.portal"))[0].envelope.document["registration"]
    status = (await world.wait_portal(issue, "status.portal"))[0].envelope.document
    await wait_until(lambda: bool(world.delivered(issue)))
    delivered = world.delivered(issue)[0].envelope.document

    header = json.loads(b64url_decode(delivered["signed"]["signatures"][1]["protected"]))
    assert (header["regNum"], header["regDistrict"]) == (registration["number"], world.applicant.address.district)
    assert delivered["registration"] == registration
    registered_at = datetime.fromisoformat(registration["registered_at"])
    assert (rfc3339_precise(registered_at), rfc3339(registered_at)) == (header["regT"], header["sigT"])
    assert datetime.fromisoformat(status["at"]) == registered_at
    stamp = (await world.verifier.verify(delivered["signed"], model=ApplicationDocument)).signatures[1]
    assert (stamp.bin, stamp.holder) == (GATEWAY.bin, "system")
    assert stamp.registration is not None and stamp.registration.number == registration["number"]
    assert stamp.registration.at == registered_at and stamp.signed_at == registered_at.replace(microsecond=0)


async def test_the_log_keeps_the_signed_document_as_received_and_as_stamped(world: World) -> None:
    envelope, signed = await world.submit()
    issue = envelope.issue or ""
    await world.wait_portal(issue, "status.portal")

    received = (await world.http.get(f"/api/v1/evidence/messages/{envelope.message_id}", headers=ADMIN)).json()
    [entry] = received["entries"]
    assert entry["kind"] == "received" and entry["direction"] == "in" and entry["sender"] == PORTAL.address
    assert entry["document"] == signed and entry["intact"] is True
    assert NUMBER.match(entry["registration_number"]) and len(entry["entry_hash"]) == 64
    view = (await world.http.get(f"/api/v1/applications/{issue}/delivery", headers=ADMIN)).json()
    out = next(m for m in view["messages"] if m["kind"] == "delivered")
    stamped = (await world.http.get(f"/api/v1/evidence/messages/{out['message_id']}", headers=ADMIN)).json()
    assert len(stamped["entries"][0]["document"]["signed"]["signatures"]) == 2
    assert stamped["entries"][0]["prev_hash"] == entry["entry_hash"]


def _tamper_payload(signed: dict) -> dict:  # type: ignore[type-arg]
    document = payload_of(signed)
    document["applicant"]["surname"] = "БАСҚА"
    return {**signed, "payload": b64url(canonical(document))}


REFUSALS = ["tampered payload", "someone else's signature", "not a signed document", "revoked", "issue not its id"]


@pytest.mark.parametrize("case", REFUSALS)
async def test_an_application_that_fails_verification_is_refused_with_its_code_and_not_forwarded(
    world: World, case: str
) -> None:
    document = world.application()
    issue = document.id
    if case == "tampered payload":
        signed, code = _tamper_payload(sign(document, world.citizen)), "EDS_SIGNATURE_INVALID"
    elif case == "someone else's signature":
        other = await world.issue("871008401427")
        signed, code = sign(document, other), "EDS_IIN_MISMATCH"
    elif case == "not a signed document":
        signed, code = {"document": document.to_json()}, "EDS_MALFORMED"
    elif case == "revoked":
        key = await world.issue(world.applicant.iin)
        await world.pki.revoke(key)
        signed, code = sign(document, key), "EDS_CERT_REVOKED"
    else:
        signed, code, issue = sign(document, world.citizen), "VALIDATION_FAILED", str(uuid.uuid4())
    await world.bus.publish(world.envelope(signed, issue))

    receipt = (await world.wait_portal(issue, "receipt.portal"))[0].envelope.document
    assert receipt["state"] == "NOT_DELIVERED" and receipt["registration"] is None
    assert receipt["error"]["code"] == code and receipt["application_id"] == issue
    status = (await world.wait_portal(issue, "status.portal"))[0].envelope.document
    assert status["status"] == "REFUSED_AT_GATEWAY" and status["reason"]["code"] == code
    await world.settle()
    assert world.delivered(issue) == [] and world.delivered(document.id) == []
    view = (await world.http.get(f"/api/v1/applications/{issue}/delivery", headers=ADMIN)).json()
    assert view["delivery_state"] == "NOT_DELIVERED" and view["error"]["code"] == code
    assert [m["kind"] for m in view["messages"]] == ["refused", "receipt", "status"]


async def test_a_message_delivered_twice_is_registered_once(world: World) -> None:
    document = world.application()
    envelope = world.envelope(sign(document, world.citizen), document.id)
    await asyncio.gather(world.bus.publish(envelope), world.bus.publish(envelope))
    await world.wait_portal(document.id, "status.portal")
    await world.settle()

    assert len(world.to_portal(document.id, "receipt.portal")) == 1
    assert len(world.delivered(document.id)) == 1
    view = (await world.http.get(f"/api/v1/applications/{document.id}/delivery", headers=ADMIN)).json()
    assert [m["kind"] for m in view["messages"]].count("received") == 1


async def test_an_application_sent_again_keeps_its_registration_and_is_not_forwarded_again(world: World) -> None:
    first, signed = await world.submit()
    issue = first.issue or ""
    number = (await world.wait_portal(issue, "receipt.portal"))[0].envelope.document["registration"]["number"]
    again = Envelope(message_type=SUBMITTED, sender=PORTAL.address, issue=issue, user_id=first.user_id, document=signed)
    await world.bus.publish(again)

    receipts = await world.wait_portal(issue, "receipt.portal", 2)
    assert {r.envelope.document["registration"]["number"] for r in receipts} == {number}
    await world.settle()
    assert len(world.delivered(issue)) == 1 and len(world.to_portal(issue, "status.portal")) == 1


async def test_a_refused_application_sent_again_correctly_is_registered(world: World) -> None:
    document = world.application()
    signed = sign(document, world.citizen)
    await world.bus.publish(world.envelope(_tamper_payload(signed), document.id))
    await world.wait_portal(document.id, "receipt.portal")
    await world.bus.publish(world.envelope(signed, document.id))

    receipts = await world.wait_portal(document.id, "receipt.portal", 2)
    assert [r.envelope.document["state"] for r in receipts] == ["NOT_DELIVERED", "ON_DELIVERY"]
