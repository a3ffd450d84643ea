"""§18 Process 8 at the regional gateway (Annex 1 step 9): the provider's result — a notification or a
reasoned refusal, signed by the head of the housing department with an employee certificate of the
provider's BIN — is verified, registered under a number of the gateway's own, stamped with the gateway's
system certificate (the stamp carrying that registration), logged and relayed stamped to the sender. A
result someone else signed, one that does not verify, or one about another application is refused,
logged, and never relayed."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from services.portal_gateway.handlers import verify_result as portal_verifies
from shared.bus.envelope import Envelope
from shared.eds.document import Author, EDocument
from shared.eds.jcs import canonical
from shared.eds.signing import b64url, countersign, payload_of, sign
from shared.geo import DISTRICTS
from shared.housing.decisions import NotificationDocument, RefusalDocument
from shared.participants import CENTER, GATEWAY, PROVIDER
from tests.support.gateway import ADMIN, World, case_result, head_of, notification, refusal
from tests.support.pki import new_iin

pytestmark = pytest.mark.asyncio(loop_scope="package")
NUMBER = re.compile(r"^KRG-\d{8}-\d{6}$")


async def registered(world: World) -> tuple[Envelope, str]:
    """An application registered at the gateway: its envelope and its registration number."""
    envelope, _ = await world.submit()
    issue = envelope.issue or ""
    await world.wait_portal(issue, "status.portal")
    receipt = (await world.wait_portal(issue, "receipt.portal"))[0].envelope.document
    return envelope, str(receipt["registration"]["number"])


def result_document(world: World, kind: str, issue: str, number: str, head_iin: str, **fields: Any) -> Any:
    common: dict[str, Any] = {
        "application_id": issue,
        "head_iin": head_iin,
        "applicant_iin": world.applicant.iin,
        "district": world.applicant.address.district,
        **fields,
    }
    if kind == "notification":
        return notification(**{"registration_number": number, **common})
    return refusal(**common)


async def evidence(world: World, message_id: str) -> list[dict[str, Any]]:
    response = await world.http.get(f"/api/v1/evidence/messages/{message_id}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()["entries"]  # type: ignore[no-any-return]


async def delivery(world: World, issue: str) -> dict[str, Any]:
    return (await world.http.get(f"/api/v1/applications/{issue}/delivery", headers=ADMIN)).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", ["notification", "refusal"])
async def test_the_heads_result_is_registered_stamped_and_relayed(world: World, kind: str) -> None:
    submitted, number = await registered(world)
    issue = submitted.issue or ""
    head_iin, head = await world.head()
    document = result_document(world, kind, issue, number, head_iin)
    signed = sign(document, head)
    message = case_result(signed, issue, submitted.correlation_id)
    await world.bus.publish(message)

    relayed = (await world.wait_portal(issue, "result.portal"))[0].envelope
    assert (relayed.message_id, relayed.sender, relayed.issue) == (message.message_id, GATEWAY.address, issue)
    assert (relayed.correlation_id, relayed.user_id) == (submitted.correlation_id, submitted.user_id)
    stamped = relayed.document
    # The head's signature as it came, then the gateway's stamp over the same payload.
    assert stamped["payload"] == signed["payload"] and stamped["signatures"][:1] == signed["signatures"]
    model = NotificationDocument if kind == "notification" else RefusalDocument
    verified = await world.verifier.verify(stamped, model=model)
    author, stamp = verified.signatures
    assert (author.role, author.holder, author.iin, author.bin) == ("author", "employee", head_iin, PROVIDER.bin)
    assert (stamp.role, stamp.holder, stamp.bin) == ("registration", "system", GATEWAY.bin)
    made = stamp.registration
    assert made is not None and NUMBER.match(made.number) and made.number != number, "a number of its own"
    assert made.district == world.applicant.address.district
    assert stamp.signed_at == made.at.replace(microsecond=0)
    await portal_verifies(world.verifier, stamped)  # what the portal takes in, as it is

    receipt = (await world.wait_portal(issue, "receipt.portal", 2))[1].envelope.document
    assert receipt["state"] == "DELIVERED"
    entries = await evidence(world, message.message_id)
    assert [(e["kind"], e["direction"], e["sender"]) for e in entries] == [
        ("received", "in", PROVIDER.address),
        ("result", "relay", PROVIDER.address),
    ]
    assert entries[0]["document"] == signed and entries[1]["document"] == stamped
    assert {e["registration_number"] for e in entries} == {made.number}
    assert entries[1]["recipient"] == "result.portal" and entries[1]["note"]["result_id"] == document.id
    view = await delivery(world, issue)
    assert view["registration"]["number"] == number
    assert view["result_registration"]["number"] == made.number
    assert view["result_registration"]["registered_at"].replace("Z", "+00:00") == made.at.isoformat()


async def test_the_same_result_keeps_its_registration_and_a_redelivery_is_relayed_once(world: World) -> None:
    submitted, number = await registered(world)
    issue = submitted.issue or ""
    head_iin, head = await world.head()
    document = result_document(world, "notification", issue, number, head_iin)
    message = case_result(sign(document, head), issue)
    sealed = await world.bus.seal(message)
    await world.bus.raw.publish(sealed)
    await world.bus.raw.publish(sealed)  # delivered twice: applied once
    await world.wait_portal(issue, "result.portal")
    await world.settle()
    assert len(world.to_portal(issue, "result.portal")) == 1

    # The same result, signed again by the head (say, after a renewal), in a message of its own.
    await world.bus.publish(case_result(sign(document, head), issue))
    first, second = (d.envelope.document for d in await world.wait_portal(issue, "result.portal", 2))
    stamps = [(await world.verifier.verify(s)).signatures[1].registration for s in (first, second)]
    assert stamps[0] is not None and stamps[0] == stamps[1], "the same number and time"
    # Another result about the application gets a number of its own.
    other = result_document(world, "notification", issue, number, head_iin, queue_number=18)
    await world.bus.publish(case_result(sign(other, head), issue))
    third = (await world.wait_portal(issue, "result.portal", 3))[2].envelope.document
    made = (await world.verifier.verify(third)).signatures[1].registration
    assert made is not None and made.number != stamps[0].number
    assert (await delivery(world, issue))["result_registration"]["number"] == made.number


def _tampered(signed: dict[str, Any]) -> dict[str, Any]:
    payload = payload_of(signed)
    payload["queue_number"] = 1
    return {**signed, "payload": b64url(canonical(payload))}


REFUSED = [
    "signed by a citizen",
    "signed by an employee of another BIN",
    "signed by the provider's system certificate",
    "claiming the provider's BIN alone",
    "tampered",
    "signed with a revoked certificate",
    "of another type",
    "about another application",
    "for another district",
    "naming another registration number",
    "stamped already",
]


@pytest.mark.parametrize("case", REFUSED)
async def test_a_result_the_head_did_not_sign_or_that_is_not_the_applications_is_refused(
    world: World, case: str
) -> None:
    submitted, number = await registered(world)
    issue = submitted.issue or ""
    head_iin, head = await world.head()

    def document(**fields: Any) -> Any:
        return result_document(world, "notification", issue, number, head_iin, **fields)

    code = "EDS_PURPOSE_INVALID"
    if case == "signed by a citizen":
        signed = sign(document(author=Author(iin=world.applicant.iin)), world.citizen)
    elif case == "signed by an employee of another BIN":
        iin = new_iin()
        signed = sign(document(author=Author(iin=iin, bin=CENTER.bin)), await head_of(world.pki, iin, CENTER.bin))
    elif case == "signed by the provider's system certificate":
        signed = sign(document(author=Author(bin=PROVIDER.bin)), world.provider_signer)
    elif case == "claiming the provider's BIN alone":
        signed = sign(document(author=Author(bin=PROVIDER.bin)), head)
    elif case == "tampered":
        signed, code = _tampered(sign(document(), head)), "EDS_SIGNATURE_INVALID"
    elif case == "signed with a revoked certificate":
        iin = new_iin()
        revoked = await head_of(world.pki, iin)
        signed = sign(document(author=Author(iin=iin, bin=PROVIDER.bin)), revoked)
        await world.pki.revoke(revoked)
        code = "EDS_CERT_REVOKED"
    elif case == "of another type":
        author = Author(iin=head_iin, bin=PROVIDER.bin)
        signed = sign(EDocument(type="housing-queue/result@1", author=author, application_id=issue), head)
    elif case == "about another application":
        signed, code = sign(document(application_id=str(uuid.uuid4())), head), "VALIDATION_FAILED"
    elif case == "for another district":
        elsewhere = next(d.code for d in DISTRICTS if d.code != world.applicant.address.district)
        signed, code = sign(document(district=elsewhere), head), "VALIDATION_FAILED"
    elif case == "naming another registration number":
        signed, code = sign(document(registration_number="KRG-20260101-999999"), head), "VALIDATION_FAILED"
    else:
        impostor = await world.pki.issue(
            new_iin(), holder="system", subject={"bin": GATEWAY.bin, "organization": GATEWAY.organization}
        )
        signed = countersign(sign(document(), head), impostor, role="registration")
    message = case_result(signed, issue)
    await world.bus.publish(message)
    await world.settle()

    assert world.to_portal(issue, "result.portal") == []
    [entry] = await evidence(world, message.message_id)
    assert (entry["kind"], entry["direction"], entry["note"]["code"]) == ("refused", "in", code), json.dumps(entry)
    view = await delivery(world, issue)
    assert view["result_registration"] is None and view["delivery_state"] == "ON_DELIVERY"
