"""Finding 2 of the trust review, at the gateway: bus messages were believed on their word. Every
envelope is now signed by its sender's system certificate and admitted by the kernel before any
handler runs (architecture §9); a message that is not is dead-lettered at once (``rejected``), never
applied, never relayed to the citizen."""

from __future__ import annotations

import pytest

from shared.bus.envelope import Envelope
from shared.bus.proof import Sealer
from shared.eds.credentials import SignerSource
from shared.participants import CENTER, PROVIDER
from tests.support.bus import Fixed
from tests.support.gateway import ADMIN, World, case_status
from tests.support.provider import system_signer
from tests.support.services import SigningBus

pytestmark = pytest.mark.asyncio(loop_scope="package")
RELAY = "regional_gateway.relay"


def impersonating(source: SignerSource, service: str) -> Sealer:
    """Signs envelopes for ``service``'s address with someone else's key."""
    return Sealer(source, service)


async def registered(world: World) -> Envelope:
    envelope, _ = await world.submit()
    await world.wait_portal(envelope.issue or "", "status.portal")
    return envelope


async def rejected(world: World, message_id: str) -> dict[str, object]:
    """The gateway's dead letter of ``message_id`` on its relay queue."""
    for _ in range(100):
        page = (await world.http.get("/api/v1/admin/dead-letters", params={"queue": RELAY}, headers=ADMIN)).json()
        found = [item for item in page["items"] if item["message_id"] == message_id]
        if found:
            return found[0]  # type: ignore[no-any-return]
        await world.bus.drain(0.1)
    raise AssertionError(f"{message_id} was not dead-lettered")


def raw(world: World) -> SigningBus:
    assert isinstance(world.bus, SigningBus)
    return world.bus


async def forged_status(world: World, how: str) -> Envelope:
    submitted = await registered(world)
    status = case_status(world, submitted.issue or "", submitted.correlation_id, "QUEUED")
    if how == "unsigned, with the provider's address typed in":
        return status
    if how == "signed with the portal's system certificate":
        return await impersonating(world.sealer("portal_gateway").credentials, "provider").seal(status)
    if how == "signed by an individual":
        citizen = impersonating(Fixed(world.citizen), "provider")
        return await citizen.seal(status)
    if how == "signed by another system of the provider's BIN, as an employee":
        employee = await world.pki.issue(
            PROVIDER.identity.officer_iin, holder="employee", subject={"bin": PROVIDER.bin, "organization": "ТЖБ"}
        )
        return await impersonating(Fixed(employee), "provider").seal(status)
    if how == "the provider's proof over another document":
        sealed = await world.sealer("provider").seal(status)
        other = case_status(world, submitted.issue or "", submitted.correlation_id, "REFUSED")
        return sealed.model_copy(update={"document": other.document})
    if how == "sent by the Center, which may not send statuses":
        return await world.sealer("con_intake").seal(status.model_copy(update={"sender": CENTER.address}))
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "unsigned, with the provider's address typed in",
        "signed with the portal's system certificate",
        "signed by an individual",
        "signed by another system of the provider's BIN, as an employee",
        "the provider's proof over another document",
        "sent by the Center, which may not send statuses",
    ],
)
async def test_a_status_the_provider_did_not_send_is_dead_lettered_and_never_reaches_the_citizen(
    world: World, how: str
) -> None:
    forged = await forged_status(world, how)
    await raw(world).raw.publish(forged)

    item = await rejected(world, forged.message_id)
    assert item["death_reason"] == "rejected"
    await world.settle()
    issue = forged.issue or ""
    assert [d.envelope.document.get("status") for d in world.to_portal(issue, "status.portal")] == [
        "REGISTERED_AT_GATEWAY"
    ]
    evidence = await world.http.get(f"/api/v1/evidence/messages/{forged.message_id}", headers=ADMIN)
    assert evidence.status_code == 404  # never handled: not even logged as refused
    view = (await world.http.get(f"/api/v1/applications/{issue}/delivery", headers=ADMIN)).json()
    assert view["delivery_state"] == "ON_DELIVERY" and view["last_status"] is None


async def test_the_genuine_status_is_still_relayed_after_a_forgery(world: World) -> None:
    submitted = await registered(world)
    issue = submitted.issue or ""
    forged = await forged_status(world, "unsigned, with the provider's address typed in")
    await raw(world).raw.publish(forged.model_copy(update={"issue": issue}))
    genuine = case_status(world, issue, submitted.correlation_id, "REGISTERED")
    await world.bus.publish(genuine)

    relayed = (await world.wait_portal(issue, "status.portal", 2))[1].envelope
    assert relayed.message_id == genuine.message_id and relayed.sender != PROVIDER.address


async def test_a_system_certificate_of_another_bin_is_not_the_provider(world: World) -> None:
    submitted = await registered(world)
    stranger = await system_signer(world.pki, CENTER.bin, CENTER.organization)
    forged = await impersonating(Fixed(stranger), "provider").seal(
        case_status(world, submitted.issue or "", submitted.correlation_id, "QUEUED")
    )
    await raw(world).raw.publish(forged)
    assert (await rejected(world, forged.message_id))["death_reason"] == "rejected"
