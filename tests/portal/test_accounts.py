"""Portal accounts (§18 steps 1–4): registration against the individuals registry, password
login with the same answer for an unknown IIN and a wrong password, the lockout (shared.lockout;
parallel guesses included, with the real Argon2 hasher), EDS login with an AUTH certificate, and
tokens that are this portal's only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.portal_gateway import accounts
from services.portal_gateway.models import Account
from shared.auth import TokenIssuer
from shared.eds.signing import sign
from shared.errors import AppError
from shared.lockout import MAX_FAILURES, LoginState
from shared.passwords import PasswordHasher
from tests.support.logins import GUESSES, TOKEN, Send, Steps, at_once, wrong_passwords
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


def sender(world: World, iin: str) -> Send:
    return lambda password: world.login(iin, password)


def steps(world: World, iin: str) -> Steps[accounts.LoginAttempt]:
    """The token route's steps (api/auth.py) for ``iin``, with the clock given."""
    hasher = PasswordHasher()
    return Steps(
        world.db,
        reserve=lambda session, now: accounts.reserve_login(session, iin=iin, now=now),
        check=lambda attempt, password: accounts.check_password(hasher=hasher, attempt=attempt, password=password),
        forget=lambda session, attempt: accounts.forget_failures(session, attempt=attempt),
        row=lambda session: session.get(Account, iin),
    )


async def test_parallel_guesses_lock_the_account_before_the_right_password_comes(world: World) -> None:
    """The attack, reproduced: 39 wrong passwords at once, then the right one. Each attempt is
    reserved before its password is checked, so only the first five are checked and the right one
    finds the account locked."""
    iin, _ = await world.citizen()
    guesses = await at_once(sender(world, iin), wrong_passwords())
    assert guesses == {"AUTH_INVALID_CREDENTIALS": MAX_FAILURES - 1, "AUTH_LOCKED": GUESSES - MAX_FAILURES + 1}

    right = await world.login(iin)
    assert right.status_code == 423 and code(right) == "AUTH_LOCKED"
    state = await steps(world, iin).state()
    assert state.failures == MAX_FAILURES and state.locked_until is not None  # five reserved, no more


@pytest.mark.parametrize("position", [0, GUESSES], ids=["right-sent-first", "right-sent-last"])
async def test_forty_passwords_at_once_get_no_token_beyond_the_windows_five_attempts(
    world: World, position: int
) -> None:
    """The attack as it was run: 39 wrong passwords and the right one, all in flight together. A
    token only if the right one was among the five attempts reserved before the lock; everything
    after the lock is AUTH_LOCKED."""
    iin, _ = await world.citizen()
    passwords = wrong_passwords()
    passwords.insert(position, PASSWORD)
    answers = await at_once(sender(world, iin), passwords)

    assert answers[TOKEN] <= 1 and answers["AUTH_LOCKED"] >= GUESSES + 1 - MAX_FAILURES
    assert answers["AUTH_INVALID_CREDENTIALS"] + answers[TOKEN] <= MAX_FAILURES
    if not answers[TOKEN]:  # the right one came after the lock: refused like the guesses
        assert answers == {"AUTH_INVALID_CREDENTIALS": MAX_FAILURES - 1, "AUTH_LOCKED": GUESSES + 2 - MAX_FAILURES}
    state = await steps(world, iin).state()
    # Five reserved; forgotten only by a right password reserved last (the one that locked).
    assert state.failures == MAX_FAILURES or (answers[TOKEN] == 1 and state == LoginState())


async def test_a_password_sent_while_five_attempts_are_being_checked_is_refused_unchecked(world: World) -> None:
    """The attack step by step: five guesses reserved and still being checked (their hashes running)
    use the window, so the right password that comes next is AUTH_LOCKED before it is hashed; the
    guesses then find out they were wrong, the fifth that it locked the account."""
    iin, _ = await world.citizen()
    login, now = steps(world, iin), datetime.now(UTC)
    in_flight = [await login.reserved(now=now) for _ in range(MAX_FAILURES)]

    with pytest.raises(AppError) as refused:
        await login.login(PASSWORD, now=now)
    assert refused.value.code == "AUTH_LOCKED"
    outcomes = []
    for attempt in in_flight:
        with pytest.raises(AppError) as wrong:
            await login.check(attempt, "not-the-password")
        outcomes.append(wrong.value.code)
    assert outcomes == ["AUTH_INVALID_CREDENTIALS"] * (MAX_FAILURES - 1) + ["AUTH_LOCKED"]
    assert (await login.state()).failures == MAX_FAILURES


async def test_when_the_lock_runs_out_the_right_password_works_and_forgets_the_failures(world: World) -> None:
    iin, _ = await world.citizen()
    for n in range(MAX_FAILURES):
        await world.login(iin, f"wrong-{n}-password")
    login = steps(world, iin)
    locked = await login.state()
    assert locked.failures == MAX_FAILURES and locked.locked_until is not None

    with pytest.raises(AppError) as refused:  # a second before the end: still locked, the right password too
        await login.login(PASSWORD, now=locked.locked_until - timedelta(seconds=1))
    assert refused.value.code == "AUTH_LOCKED" and await login.state() == locked  # refused: nothing written

    assert (await login.login(PASSWORD, now=locked.locked_until)).iin == iin
    assert await login.state() == LoginState()
    assert (await world.login(iin)).status_code == 200


async def test_a_right_password_does_not_forget_a_guess_reserved_after_it(world: World) -> None:
    iin, _ = await world.citizen()
    login, now = steps(world, iin), datetime.now(UTC)
    right, guess = await login.reserved(now=now), await login.reserved(now=now)

    await login.forgotten(await login.check(right, PASSWORD))
    assert (await login.state()).failures == 2  # the guess, still being checked, stays counted
    with pytest.raises(AppError) as wrong:
        await login.check(guess, "not-the-password")
    assert wrong.value.code == "AUTH_INVALID_CREDENTIALS" and (await login.state()).failures == 2  # counted once


async def test_two_right_passwords_at_once_both_sign_in_and_forget_the_failures(world: World) -> None:
    iin, _ = await world.citizen()
    for n in range(MAX_FAILURES - 2):
        await world.login(iin, f"wrong-{n}-password")
    assert await at_once(sender(world, iin), [PASSWORD, PASSWORD]) == {TOKEN: 2}  # the second reserved locks...
    assert await steps(world, iin).state() == LoginState()  # ...and its success forgets it all


async def test_an_unknown_iin_is_never_locked_and_writes_nothing(world: World) -> None:
    answers = await at_once(
        lambda password: world.login(UNKNOWN_VALID_IIN, password), wrong_passwords(MAX_FAILURES + 1)
    )
    assert answers == {"AUTH_INVALID_CREDENTIALS": MAX_FAILURES + 1}  # never locked: there is nothing to lock
    async with world.db.sessions() as session:
        assert await session.get(Account, UNKNOWN_VALID_IIN) is None


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


async def test_challenges_do_not_pile_up(world: World) -> None:
    """Anyone may ask for a challenge for any IIN: expired ones are forgotten, and an IIN keeps at most
    a handful open, so the table cannot be grown without bound."""
    from sqlmodel import func, select

    from services.portal_gateway.models import AuthChallenge
    from shared.calendar import utcnow

    iin = await world.persona()
    async with world.db.transaction() as session:
        session.add(AuthChallenge(nonce="long-gone", iin=iin, document="{}", expires_at=utcnow() - timedelta(hours=1)))
    for _ in range(3 * accounts.MAX_OPEN_CHALLENGES):
        assert (await world.portal.post("/api/v1/auth/challenge", json={"iin": iin})).status_code == 200
    async with world.db.sessions() as session:
        assert await session.get(AuthChallenge, "long-gone") is None
        count = select(func.count()).select_from(AuthChallenge).where(AuthChallenge.iin == iin)
        assert (await session.exec(count)).one() == accounts.MAX_OPEN_CHALLENGES
