"""Portal accounts (§18 steps 1–4): registration against the individuals registry, password
login with the same answer for an unknown IIN and a wrong password, the lockout, EDS login with an
AUTH certificate, and tokens that are this portal's only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.auth import TokenIssuer
from shared.eds.signing import sign
from tests.support.portal import PASSWORD, TOKEN_SECRET, World, code

pytestmark = pytest.mark.asyncio(loop_scope="module")
UNKNOWN_VALID_IIN = "871008401427"  # a valid IIN nobody in the population has


async def test_an_eligible_person_registers_and_signs_in(world: World) -> None:
    iin = await world.persona()
    registered = await world.register(iin, email="citizen@example.kz")
    assert registered.status_code == 201, registered.text
    assert registered.json()["iin"] == iin and registered.json()["email"] == "citizen@example.kz"

    token = await world.login(iin)
    assert token.status_code == 200
    assert token.json()["token_type"] == "bearer" and token.json()["expires_in"] == 15 * 60
    assert (await world.register(iin)).status_code == 409


async def test_registration_refuses_an_invalid_iin(world: World) -> None:
    response = await world.register("123456789012")
    assert response.status_code == 422 and code(response) == "IIN_INVALID"


async def test_registration_refuses_a_person_the_registry_does_not_know(world: World) -> None:
    response = await world.register(UNKNOWN_VALID_IIN)
    assert response.status_code == 404 and code(response) == "PERSON_NOT_FOUND"


async def test_a_dead_person_cannot_register(world: World) -> None:
    response = await world.register(await world.persona("dead"))
    assert response.status_code == 404 and code(response) == "PERSON_NOT_FOUND"


@pytest.mark.parametrize("password", ["short1!", "1234567890"])
async def test_registration_refuses_a_weak_password(world: World, password: str) -> None:
    response = await world.register(await world.persona(), password)
    assert response.status_code == 422 and code(response) == "VALIDATION_FAILED"


async def test_wrong_password_and_unknown_iin_get_the_same_answer(world: World) -> None:
    """Process 2: authorization refused because the data are wrong — without saying which."""
    iin, _ = await world.citizen()
    wrong = await world.login(iin, "not-the-password")
    unknown = await world.login(UNKNOWN_VALID_IIN)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() and code(wrong) == "AUTH_INVALID_CREDENTIALS"


async def test_five_failures_lock_the_account_even_for_the_right_password(world: World) -> None:
    iin, _ = await world.citizen()
    answers = [code(await world.login(iin, f"wrong-{n}-password")) for n in range(5)]
    assert answers == ["AUTH_INVALID_CREDENTIALS"] * 4 + ["AUTH_LOCKED"]

    locked = await world.login(iin, PASSWORD)
    assert locked.status_code == 423 and code(locked) == "AUTH_LOCKED"
    assert set(locked.json()["error"]["details"]) == {"locked_until"}
    assert datetime.fromisoformat(locked.json()["error"]["details"]["locked_until"]) > datetime.now(UTC)


async def test_a_success_clears_earlier_failures(world: World) -> None:
    iin, _ = await world.citizen()
    for n in range(4):
        await world.login(iin, f"wrong-{n}-password")
    assert (await world.login(iin)).status_code == 200
    assert code(await world.login(iin, "wrong-again-password")) == "AUTH_INVALID_CREDENTIALS"


async def eds_login(world: World, iin: str, profile: str) -> tuple[dict[str, Any], httpx.Response]:
    challenge = (await world.portal.post("/api/v1/auth/challenge", json={"iin": iin})).json()["challenge"]
    signed = sign(challenge, await world.pki.issue(iin, profile=profile))
    return signed, await world.portal.post("/api/v1/auth/eds", json={"signed": signed})


async def test_eds_login_with_an_auth_certificate_makes_the_account(world: World) -> None:
    iin = await world.persona()
    signed, response = await eds_login(world, iin, "auth")
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    cabinet = await world.portal.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"})
    assert cabinet.status_code == 200 and cabinet.json() == []

    again = await world.portal.post("/api/v1/auth/eds", json={"signed": signed})
    assert again.status_code == 401 and code(again) == "AUTH_INVALID_CREDENTIALS"  # single use
    assert (await world.register(iin)).status_code == 409  # no password can be added without signing in


async def test_eds_login_refuses_a_signing_certificate(world: World) -> None:
    _, response = await eds_login(world, await world.persona(), "sign")
    assert response.status_code == 422 and code(response) == "EDS_WRONG_KEY_USAGE"


async def test_eds_login_refuses_a_challenge_the_portal_did_not_issue(world: World) -> None:
    iin = await world.persona()
    challenge = (await world.portal.post("/api/v1/auth/challenge", json={"iin": iin})).json()["challenge"]
    forged = sign({**challenge, "nonce": "made-up"}, await world.pki.issue(iin, profile="auth"))
    response = await world.portal.post("/api/v1/auth/eds", json={"signed": forged})
    assert response.status_code == 401 and code(response) == "AUTH_INVALID_CREDENTIALS"


async def test_a_token_of_another_service_is_refused(world: World) -> None:
    """Isolation: a provider token, even signed with the same secret, is not the portal's."""
    iin, _ = await world.citizen()
    for audience in ("provider", "regional_gateway"):
        token, _ = TokenIssuer(audience=audience, secret=TOKEN_SECRET).issue(iin, "citizen")
        response = await world.portal.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and code(response) == "UNAUTHORIZED"
    assert code(await world.portal.get("/api/v1/applications")) == "UNAUTHORIZED"


async def test_the_catalogue_lists_the_housing_queue(world: World) -> None:
    services = (await world.portal.get("/api/v1/services")).json()
    assert [s["id"] for s in services] == ["housing-queue"]
    assert services[0]["term_days"] == 30 and services[0]["cost"] == "free"
    assert set(services[0]["names"]) == {"kk", "ru", "en"}
