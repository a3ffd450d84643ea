"""A token stops speaking for an account once the account changed hands (README, Design: "Identity proof"):
whoever registered someone else's IIN with a password of their own and signed in keeps a valid token
for up to 15 minutes, naming that IIN; once the person proves the account theirs (SMS code, EDS login),
that token gets nothing more of the account — not the cabinet (the list, an application, its result),
not the e-copies (upload, download), not a submission, not the account — UNAUTHORIZED, saying why. The
person's own tokens, proven, work; a password token whose password was removed is refused too. A
submission does not need a proven token: the applicant's SIGN signature proves the person."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col

from services.portal_gateway.models import Account
from shared.eds.signing import sign
from tests.support.portal import PASSWORD, World, code

pytestmark = pytest.mark.asyncio(loop_scope="module")
SQUATTER_PASSWORD = "Squatter-pass-1"
NEW_PASSWORD = "Real-owner-2026!"
PDF = b"%PDF-1.4\n% an e-copy\n%%EOF\n"


def bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def squat(world: World, iin: str) -> dict[str, str]:
    """Someone else registers ``iin`` with their own password and signs in: an unproven token naming ``iin``."""
    assert (await world.register(iin, SQUATTER_PASSWORD)).status_code == 201
    return bearer(await world.login(iin, SQUATTER_PASSWORD))


async def eds_login(world: World, iin: str) -> httpx.Response:
    challenge = (await world.portal.post("/api/v1/auth/challenge", json={"iin": iin})).json()["challenge"]
    signed = sign(challenge, await world.pki.issue(iin, profile="auth"))
    return await world.portal.post("/api/v1/auth/eds", json={"signed": signed})


async def upload(world: World, auth: dict[str, str], content: bytes = PDF) -> httpx.Response:
    return await world.portal.post(
        "/api/v1/attachments",
        params={"kind": "marriage_certificate", "name": "marriage.pdf"},
        content=content,
        headers={**auth, "Content-Type": "application/pdf"},
    )


async def everything(world: World, auth: dict[str, str], application_id: str, sha256: str) -> dict[str, int]:
    """Each personal route's status for ``auth``: the cabinet, the e-copies, the account, a submission."""
    portal = world.portal
    answers: dict[str, httpx.Response] = {
        "list": await portal.get("/api/v1/applications", headers=auth),
        "application": await portal.get(f"/api/v1/applications/{application_id}", headers=auth),
        "result": await portal.get(f"/api/v1/applications/{application_id}/result", headers=auth),
        "download": await portal.get(f"/api/v1/attachments/{sha256}", headers=auth),
        "upload": await upload(world, auth, PDF + b"% another\n"),
        "account": await portal.get("/api/v1/auth/account", headers=auth),
        "submit": await world.submit(auth, {"payload": "x", "signatures": []}),
    }
    return {name: response.status_code for name, response in answers.items()}


def refusal(response: httpx.Response) -> tuple[int, str, Any]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["details"].get("reason")


async def test_a_squatters_token_stops_working_when_the_person_proves_by_sms(world: World) -> None:
    victim = await world.persona()
    squatter = await squat(world, victim)
    before = await world.portal.get("/api/v1/applications", headers=squatter)
    assert before.status_code == 200 and before.json() == [], "an unproven account has a cabinet, empty"
    assert (await upload(world, squatter)).status_code == 201

    owner = bearer(await world.confirm_code(victim, await _code(world, victim), NEW_PASSWORD))
    scan = await upload(world, owner)
    assert scan.status_code == 201, scan.text
    signed = await world.signed_draft(victim, owner)
    accepted = await world.submit(owner, signed)
    assert accepted.status_code == 202, accepted.text
    application_id, sha256 = accepted.json()["id"], scan.json()["sha256"]

    # The squatter's token still names the IIN and has not expired; it gets nothing of the person's.
    listed = await world.portal.get("/api/v1/applications", headers=squatter)
    status, error, reason = refusal(listed)
    assert (status, error) == (401, "UNAUTHORIZED") and "proven since" in reason and "sign in again" in reason
    assert victim not in listed.text and application_id not in listed.text
    shown = await everything(world, squatter, application_id, sha256)
    assert set(shown.values()) == {401}, shown

    # The person's proven token gets it all (the result is not there yet; the submission's junk is refused).
    mine = await everything(world, owner, application_id, sha256)
    assert mine == {
        "list": 200,
        "application": 200,
        "result": 404,
        "download": 200,
        "upload": 201,
        "account": 200,
        "submit": 422,
    }, mine
    assert [a["id"] for a in (await world.portal.get("/api/v1/applications", headers=owner)).json()] == [application_id]


async def test_a_squatters_token_stops_working_when_the_person_signs_in_with_eds(world: World) -> None:
    victim = await world.persona()
    squatter = await squat(world, victim)
    owner = bearer(await eds_login(world, victim))
    scan = await upload(world, owner)
    assert scan.status_code == 201
    refused = await world.portal.get(f"/api/v1/attachments/{scan.json()['sha256']}", headers=squatter)
    assert refused.status_code == 401 and code(refused) == "UNAUTHORIZED"
    assert (await world.portal.get("/api/v1/applications", headers=squatter)).status_code == 401


async def test_the_persons_own_unproven_token_signs_in_again(world: World) -> None:
    """Proving by SMS code makes the person's earlier password token unproven history too: they sign in
    again, and the password login now gives a proven token."""
    iin = await world.persona()
    assert (await world.register(iin)).status_code == 201
    earlier = bearer(await world.login(iin))
    assert (await world.portal.get("/api/v1/applications", headers=earlier)).status_code == 200
    await world.prove_by_sms(iin, PASSWORD)

    assert code(await world.portal.get("/api/v1/applications", headers=earlier)) == "UNAUTHORIZED"
    again = await world.login(iin)
    assert again.json()["identity_proven"] is True
    assert (await world.portal.get("/api/v1/applications", headers=bearer(again))).status_code == 200


async def test_a_password_token_whose_password_was_removed_is_refused(world: World) -> None:
    iin, _ = await world.citizen()  # proven by SMS code, keeping PASSWORD
    by_password = bearer(await world.login(iin))
    assert (await world.portal.get("/api/v1/applications", headers=by_password)).status_code == 200
    async with world.db.transaction() as session:  # the password goes (as a takeover removes a squatter's)
        await session.exec(sa.update(Account).where(col(Account.iin) == iin).values(password_hash=None))

    refused = await world.portal.get("/api/v1/applications", headers=by_password)
    assert refusal(refused)[:2] == (401, "UNAUTHORIZED") and "password" in refusal(refused)[2]
    assert (await world.portal.post("/api/v1/applications/draft", json={}, headers=by_password)).status_code == 200, (
        "the draft takes any proven token: it shows only what the registries say of the token's person"
    )


async def test_a_submission_needs_the_applicants_signature_not_a_proven_token(world: World) -> None:
    """The decision (README, Design: "Identity proof"): a submission is the applicant's SIGN signature, which
    the portal verifies in full against the token's IIN; that proves the person as an SMS code does, so an
    unproven account that holds the person's signed application may submit it."""
    iin, proven = await world.citizen()
    signed = await world.signed_draft(iin, proven)
    async with world.db.transaction() as session:  # an account nobody proved, with the person's signature
        await session.exec(
            sa.update(Account).where(col(Account.iin) == iin).values(identity_proven_at=None, proven_by=None)
        )
    unproven = bearer(await world.login(iin))
    assert (await world.login(iin)).json()["identity_proven"] is False

    accepted = await world.submit(unproven, signed)
    assert accepted.status_code == 202, accepted.text
    assert [a["id"] for a in (await world.portal.get("/api/v1/applications", headers=unproven)).json()] == [
        accepted.json()["id"]
    ]


async def _code(world: World, iin: str) -> str:
    sent = await world.send_code(iin)
    assert sent.status_code == 202, sent.text
    return await world.sms_code_of(iin)
