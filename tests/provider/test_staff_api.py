"""The staff's side of the provider over HTTP: login with lockout (shared.lockout; parallel guesses
included, with the real Argon2 hasher), a token valid here only, and the case register of the staff
member's own district (another district's case is "not found")."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
import pytest_asyncio
from sqlmodel import col, select

from services.provider import staff
from services.provider.app import SPEC, seed_demo_staff
from services.provider.models import StaffAccount
from shared.auth import TokenIssuer
from shared.db import Database
from shared.errors import AppError
from shared.geo import DISTRICTS
from shared.housing.application import AttachmentKind
from shared.lockout import MAX_FAILURES, LoginState
from shared.migrate import migrate
from shared.passwords import PasswordHasher
from tests.support.logins import GUESSES, TOKEN, Send, Steps, at_once, wrong_passwords
from tests.support.provider import DEMO_PASSWORD, World, deliver_registered

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def login(world: World, login: str, password: str) -> httpx.Response:
    return await world.provider.post("/api/v1/staff/token", json={"login": login, "password": password})


async def open_case(world: World, district: str, trait: str = "eligible", attach: tuple[str, ...] = ()) -> str:
    iin = await world.persona(trait)
    application = await world.application(iin, district=district, attach=attach)
    await deliver_registered(world, application)
    status = await world.status(application.id)
    assert status.case_number is not None
    return status.case_number


async def test_staff_see_their_own_districts_cases_and_not_anothers(world: World) -> None:
    mine, theirs = await open_case(world, "saran"), await open_case(world, "shakhtinsk", "employee:military")

    page = await world.as_staff("specialist.saran", "/api/v1/cases")
    assert page.status_code == 200
    numbers = [c["number"] for c in page.json()["items"]]
    assert mine in numbers and theirs not in numbers
    assert all(c["district"] == "saran" for c in page.json()["items"])

    own = await world.as_staff("specialist.saran", f"/api/v1/cases/{mine}")
    other = await world.as_staff("specialist.saran", f"/api/v1/cases/{theirs}")
    assert own.status_code == 200
    assert other.status_code == 404 and other.json()["error"]["code"] == "NOT_FOUND"
    assert (await world.as_staff("specialist.shakhtinsk", f"/api/v1/cases/{theirs}")).status_code == 200


async def test_a_case_shows_its_history_the_application_and_the_registry_answers(world: World) -> None:
    number = await open_case(world, "priozersk", "marriage_before_2008")

    case: dict[str, Any] = (await world.as_staff("specialist.priozersk", f"/api/v1/cases/{number}")).json()
    assert case["number"] == number and case["status"] == "REFUSED_DOCUMENTS"
    assert [h["status"] for h in case["history"]] == ["REFUSED_DOCUMENTS"]
    assert case["history"][0]["reason"]["code"] == "DOCS_INCOMPLETE"
    assert case["application"]["type"] == "housing-queue/application@1"
    assert case["application"]["applicant"]["iin"] == case["applicant_iin"]
    answers = {(a["query"], a["subject"]): a for a in case["registry_answers"]}
    assert answers[("person", case["applicant_iin"])]["outcome"] == "ok"
    assert answers[("civil-status", case["applicant_iin"])]["signed"]["signatures"]
    assert case["registration_number"].startswith("KRG-") and case["registered_at"].endswith("Z")


async def test_the_register_pages_newest_first(world: World) -> None:
    registered = await open_case(world, "karazhal", attach=get_args(AttachmentKind))
    refused = await open_case(world, "karazhal", "dead")

    page = (await world.as_staff("specialist.karazhal", "/api/v1/cases", limit=1)).json()
    assert page["total"] == 2 and page["limit"] == 1 and [c["number"] for c in page["items"]] == [refused]
    later = (await world.as_staff("specialist.karazhal", "/api/v1/cases", limit=1, offset=1)).json()
    assert [c["number"] for c in later["items"]] == [registered]
    only = (await world.as_staff("specialist.karazhal", "/api/v1/cases", status="REGISTERED")).json()
    assert [c["number"] for c in only["items"]] == [registered]


async def test_a_wrong_password_or_an_unknown_login_is_refused_alike(world: World) -> None:
    wrong = await login(world, "specialist.abay", "not-the-password")
    unknown = await login(world, "specialist.atlantis", DEMO_PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "AUTH_INVALID_CREDENTIALS"


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(world: World) -> None:
    answers = [await login(world, "specialist.ulytau", f"guess-{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 423]
    right = await login(world, "specialist.ulytau", DEMO_PASSWORD)
    assert right.status_code == 423 and right.json()["error"]["code"] == "AUTH_LOCKED"
    assert right.json()["error"]["details"]["locked_until"]
    assert (await login(world, "specialist.nura", DEMO_PASSWORD)).status_code == 200  # others are not


@pytest_asyncio.fixture(loop_scope="package")
async def account(world: World) -> AsyncIterator[str]:
    """A head's account of its own (DEMO_PASSWORD) for a test that locks it, removed after it: the
    seeded specialists serve the other tests."""
    login = f"head.lockout-{uuid.uuid4().hex[:8]}"
    password_hash = await PasswordHasher().hash(DEMO_PASSWORD)
    made = StaffAccount(login=login, password_hash=password_hash, role="head", district="karaganda")
    db = world.provider_app.state.runtime.db
    async with db.transaction() as session:
        await staff.add_accounts(session, accounts=[made])
    yield login
    async with db.transaction() as session:
        await session.delete(await session.get(StaffAccount, login))


def sender(world: World, account: str) -> Send:
    return lambda password: login(world, account, password)


def steps(world: World, account: str) -> Steps[staff.LoginAttempt]:
    """The token route's steps (api/staff.py) for ``account``, with the clock given."""
    passwords = PasswordHasher()
    return Steps(
        world.provider_app.state.runtime.db,
        reserve=lambda session, now: staff.reserve_login(session, login=account, now=now),
        check=lambda attempt, password: staff.check_password(passwords=passwords, attempt=attempt, password=password),
        forget=lambda session, attempt: staff.forget_failures(session, attempt=attempt),
        row=lambda session: session.get(StaffAccount, account),
    )


async def test_parallel_guesses_lock_the_account_before_the_right_password_comes(world: World, account: str) -> None:
    """The attack, reproduced: 39 wrong passwords at once, then the right one. Each attempt is
    reserved before its password is checked, so only the first five are checked and the right one
    finds the account locked."""
    guesses = await at_once(sender(world, account), wrong_passwords())
    assert guesses == {"AUTH_INVALID_CREDENTIALS": MAX_FAILURES - 1, "AUTH_LOCKED": GUESSES - MAX_FAILURES + 1}

    right = await login(world, account, DEMO_PASSWORD)
    assert right.status_code == 423 and right.json()["error"]["code"] == "AUTH_LOCKED"
    state = await steps(world, account).state()
    assert state.failures == MAX_FAILURES and state.locked_until is not None  # five reserved, no more


@pytest.mark.parametrize("position", [0, GUESSES], ids=["right-sent-first", "right-sent-last"])
async def test_forty_passwords_at_once_get_no_token_beyond_the_windows_five_attempts(
    world: World, account: str, position: int
) -> None:
    """The attack as it was run: 39 wrong passwords and the right one, all in flight together. A
    token only if the right one was among the five attempts reserved before the lock; everything
    after the lock is AUTH_LOCKED."""
    passwords = wrong_passwords()
    passwords.insert(position, DEMO_PASSWORD)
    answers = await at_once(sender(world, account), passwords)

    assert answers[TOKEN] <= 1 and answers["AUTH_LOCKED"] >= GUESSES + 1 - MAX_FAILURES
    assert answers["AUTH_INVALID_CREDENTIALS"] + answers[TOKEN] <= MAX_FAILURES
    if not answers[TOKEN]:  # the right one came after the lock: refused like the guesses
        assert answers == {"AUTH_INVALID_CREDENTIALS": MAX_FAILURES - 1, "AUTH_LOCKED": GUESSES + 2 - MAX_FAILURES}
    state = await steps(world, account).state()
    # Five reserved; forgotten only by a right password reserved last (the one that locked).
    assert state.failures == MAX_FAILURES or (answers[TOKEN] == 1 and state == LoginState())


async def test_a_password_sent_while_five_attempts_are_being_checked_is_refused_unchecked(
    world: World, account: str
) -> None:
    """The attack step by step: five guesses reserved and still being checked (their hashes running)
    use the window, so the right password that comes next is AUTH_LOCKED before it is hashed; the
    guesses then find out they were wrong, the fifth that it locked the account."""
    attempts, now = steps(world, account), datetime.now(UTC)
    in_flight = [await attempts.reserved(now=now) for _ in range(MAX_FAILURES)]

    with pytest.raises(AppError) as refused:
        await attempts.login(DEMO_PASSWORD, now=now)
    assert refused.value.code == "AUTH_LOCKED"
    outcomes = []
    for attempt in in_flight:
        with pytest.raises(AppError) as wrong:
            await attempts.check(attempt, "not-the-password")
        outcomes.append(wrong.value.code)
    assert outcomes == ["AUTH_INVALID_CREDENTIALS"] * (MAX_FAILURES - 1) + ["AUTH_LOCKED"]
    assert (await attempts.state()).failures == MAX_FAILURES


async def test_when_the_lock_runs_out_the_right_password_works_and_forgets_the_failures(
    world: World, account: str
) -> None:
    for n in range(MAX_FAILURES):
        await login(world, account, f"guess-{n}")
    attempts = steps(world, account)
    locked = await attempts.state()
    assert locked.failures == MAX_FAILURES and locked.locked_until is not None

    with pytest.raises(AppError) as refused:  # a second before the end: still locked, the right password too
        await attempts.login(DEMO_PASSWORD, now=locked.locked_until - timedelta(seconds=1))
    assert refused.value.code == "AUTH_LOCKED" and await attempts.state() == locked  # refused: nothing written

    assert (await attempts.login(DEMO_PASSWORD, now=locked.locked_until)).login == account
    assert await attempts.state() == LoginState()
    assert (await login(world, account, DEMO_PASSWORD)).status_code == 200


async def test_a_right_password_does_not_forget_a_guess_reserved_after_it(world: World, account: str) -> None:
    attempts, now = steps(world, account), datetime.now(UTC)
    right, guess = await attempts.reserved(now=now), await attempts.reserved(now=now)

    await attempts.forgotten(await attempts.check(right, DEMO_PASSWORD))
    assert (await attempts.state()).failures == 2  # the guess, still being checked, stays counted
    with pytest.raises(AppError) as wrong:
        await attempts.check(guess, "not-the-password")
    assert wrong.value.code == "AUTH_INVALID_CREDENTIALS" and (await attempts.state()).failures == 2  # counted once


async def test_two_right_passwords_at_once_both_sign_in_and_forget_the_failures(world: World, account: str) -> None:
    for n in range(MAX_FAILURES - 2):
        await login(world, account, f"guess-{n}")
    assert await at_once(sender(world, account), [DEMO_PASSWORD, DEMO_PASSWORD]) == {TOKEN: 2}  # the second locks...
    assert await steps(world, account).state() == LoginState()  # ...and its success forgets it all


async def test_an_unknown_login_is_never_locked(world: World) -> None:
    answers = await at_once(sender(world, "specialist.atlantis"), wrong_passwords(MAX_FAILURES + 1))
    assert answers == {"AUTH_INVALID_CREDENTIALS": MAX_FAILURES + 1}


async def test_a_token_gives_the_role_and_a_short_life(world: World) -> None:
    body = (await login(world, "specialist.satpayev", DEMO_PASSWORD)).json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    claims = world.provider_app.state.tokens.check(body["access_token"])
    assert (claims.subject, claims.role, claims.extra["district"]) == ("specialist.satpayev", "specialist", "satpayev")


@pytest.mark.parametrize(
    "issuer",
    [
        TokenIssuer(audience="portal_gateway"),  # a citizen's portal token
        TokenIssuer(audience="regional_gateway"),  # the gateway's admin token
        TokenIssuer(audience="provider"),  # our audience, another secret
    ],
    ids=["portal", "gateway", "forged"],
)
async def test_another_services_token_is_refused(world: World, issuer: TokenIssuer) -> None:
    token, _ = issuer.issue("specialist.karaganda", "specialist", district="karaganda")
    response = await world.provider.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_without_a_token_nothing_is_shown(world: World) -> None:
    response = await world.provider.get("/api/v1/cases")
    assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_the_demo_roster_is_seeded_in_every_district_with_a_hashed_password(world: World) -> None:
    async with world.provider_app.state.runtime.db.sessions() as session:
        accounts = (await session.exec(select(StaffAccount).where(col(StaffAccount.login).not_like("%lockout%")))).all()
    seats = [seat.prefix for seat in staff.ROSTER]
    assert {a.login for a in accounts} == {f"{seat}.{d.code}" for d in DISTRICTS for seat in seats}
    assert all(a.password_hash.startswith("$argon2id$") and DEMO_PASSWORD not in a.password_hash for a in accounts)


async def test_without_a_demo_password_a_random_one_is_made_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'staff.db'}")
    try:
        await migrate(db, SPEC.migrations)
        passwords = PasswordHasher()
        with caplog.at_level(logging.INFO):
            await seed_demo_staff(db, passwords=passwords, demo_password="")
            await seed_demo_staff(db, passwords=passwords, demo_password="")  # a restart: nothing new, nothing logged
        shown = [r.msg for r in caplog.records if isinstance(r.msg, dict) and "password" in r.msg]
        assert len(shown) == 1 and shown[0]["level"] == "warning"
        async with db.sessions() as session:
            account = await session.get(StaffAccount, "specialist.karaganda")
        assert account is not None and await passwords.check(shown[0]["password"], account.password_hash)
    finally:
        await db.dispose()
