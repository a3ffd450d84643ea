"""The operators' login over HTTP (§19 Process 1): the demo roster of every branch, the kernel's lockout
(shared.lockout; parallel guesses included, with the real Argon2 hasher), a token valid here only and
naming the role and the branch, and `/me`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlmodel import col, select

from services.con_intake import operators
from services.con_intake.app import SPEC, seed_demo_operators
from services.con_intake.branches import BRANCHES
from services.con_intake.models import OperatorAccount
from shared.auth import TokenIssuer
from shared.db import Database
from shared.iin import is_valid_iin
from shared.lockout import LOCK_FOR, MAX_FAILURES
from shared.migrate import migrate
from shared.participants import CENTER
from shared.passwords import PasswordHasher
from tests.center.harness import DEMO_PASSWORD, Center
from tests.support.logins import GUESSES, at_once, wrong_passwords

pytestmark = pytest.mark.asyncio(loop_scope="package")


@pytest_asyncio.fixture(loop_scope="package")
async def account(center: Center) -> AsyncIterator[str]:
    """An operator's account of its own (DEMO_PASSWORD) at the Saran branch, for a test that locks or
    deactivates it, removed after it: the seeded roster serves the other tests."""
    login = f"operator-lockout-{uuid.uuid4().hex[:8]}.saran"
    password_hash = await PasswordHasher().hash(DEMO_PASSWORD)
    iin = operators.demo_iin(0, 9)  # a seat no branch's roster has
    made = OperatorAccount(login=login, password_hash=password_hash, role="operator", iin=iin, branch="saran")
    async with center.db.transaction() as session:
        await operators.add_accounts(session, accounts=[made])
    yield login
    async with center.db.transaction() as session:
        await session.delete(await session.get(OperatorAccount, login))


async def test_the_demo_roster_is_seeded_in_every_branch_with_a_hashed_password(center: Center) -> None:
    async with center.db.sessions() as session:
        query = select(OperatorAccount).where(col(OperatorAccount.login).not_like("%lockout%"))
        accounts = (await session.exec(query)).all()
    assert {a.login for a in accounts} == {f"{s.prefix}.{b.code}" for b in BRANCHES for s in operators.ROSTER}
    assert {a.role for a in accounts if a.login.startswith("head.")} == {"head"}
    assert {a.role for a in accounts if a.login.startswith("operator-")} == {"operator"}
    assert all(a.password_hash.startswith("$argon2id$") and DEMO_PASSWORD not in a.password_hash for a in accounts)
    assert all(is_valid_iin(a.iin) for a in accounts) and len({a.iin for a in accounts}) == len(accounts)


async def test_a_token_names_the_role_and_the_branch_and_lives_briefly(center: Center) -> None:
    body = (await center.login("head.temirtau")).json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    claims = center.app.state.tokens.check(body["access_token"])
    assert (claims.subject, claims.role, claims.audience) == ("head.temirtau", "head", "con_intake")
    assert claims.extra["branch"] == "temirtau"


async def test_me_names_the_person_and_the_branch(center: Center) -> None:
    me = await center.as_operator("operator-2.karaganda-2", "GET", "/api/v1/operators/me")
    assert me.status_code == 200
    body = me.json()
    assert (body["login"], body["role"]) == ("operator-2.karaganda-2", "operator") and is_valid_iin(body["iin"])
    branch = body["branch"]
    assert (branch["code"], branch["number"], branch["department"], branch["bin"]) == ("karaganda-2", 2, 1, CENTER.bin)
    assert branch["districts"] == ["karaganda"] and branch["windows"] == 6 and branch["address"]


async def test_a_wrong_password_or_an_unknown_login_is_refused_alike(center: Center) -> None:
    wrong = await center.login("operator-1.abay", "not-the-password")
    unknown = await center.login("operator-1.atlantis")
    for response in (wrong, unknown):
        assert response.status_code == 401 and response.json()["error"]["code"] == "AUTH_INVALID_CREDENTIALS"


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one_until_the_lock_runs_out(
    center: Center, account: str
) -> None:
    answers = [await center.login(account, f"guess-{n}") for n in range(MAX_FAILURES)]
    assert [a.status_code for a in answers] == [401] * (MAX_FAILURES - 1) + [423]
    right = await center.login(account)
    assert right.status_code == 423 and right.json()["error"]["code"] == "AUTH_LOCKED"
    assert right.json()["error"]["details"]["locked_until"]
    assert (await center.login("operator-2.saran")).status_code == 200  # others are not locked

    center.clock.advance(seconds=LOCK_FOR.total_seconds() - 1)
    assert (await center.login(account)).status_code == 423  # a second before its end: still locked
    center.clock.advance(seconds=1)
    assert (await center.login(account)).status_code == 200
    async with center.db.sessions() as session:
        row = await session.get(OperatorAccount, account)
    assert row is not None and (row.failures, row.locked_until) == (0, None)  # the right password forgot them


async def test_parallel_guesses_lock_the_account_before_the_right_password_comes(center: Center, account: str) -> None:
    guesses = await at_once(lambda password: center.login(account, password), wrong_passwords())
    assert guesses == {"AUTH_INVALID_CREDENTIALS": MAX_FAILURES - 1, "AUTH_LOCKED": GUESSES - MAX_FAILURES + 1}
    right = await center.login(account)
    assert right.status_code == 423 and right.json()["error"]["code"] == "AUTH_LOCKED"


async def test_a_deactivated_account_cannot_log_in_and_its_token_stops_working(center: Center, account: str) -> None:
    token = (await center.login(account)).json()["access_token"]
    async with center.db.transaction() as session:
        row = await session.get(OperatorAccount, account)
        assert row is not None
        row.active = False
        session.add(row)
    assert (await center.login(account)).json()["error"]["code"] == "AUTH_INVALID_CREDENTIALS"
    headers = {"Authorization": f"Bearer {token}"}
    me = await center.client.get("/api/v1/operators/me", headers=headers)
    issue = await center.client.post("/api/v1/queue/tickets", json={"service": "housing-queue"}, headers=headers)
    for response in (me, issue):
        assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "issuer",
    [
        TokenIssuer(audience="portal_gateway"),  # a citizen's portal token
        TokenIssuer(audience="provider"),  # the housing department's staff token
        TokenIssuer(audience="con_intake"),  # our audience, another secret
    ],
    ids=["portal", "provider", "forged"],
)
async def test_another_services_token_is_refused(center: Center, issuer: TokenIssuer) -> None:
    token, _ = issuer.issue("head.karaganda-1", "head", branch="karaganda-1")
    response = await center.client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_a_token_of_another_role_or_no_branch_is_refused(center: Center) -> None:
    tokens: TokenIssuer = center.app.state.tokens
    staff, _ = tokens.issue("specialist.karaganda", "specialist", branch="karaganda-1")
    homeless, _ = tokens.issue("operator-1.karaganda-1", "operator")
    nowhere, _ = tokens.issue("operator-1.atlantis", "operator", branch="atlantis")
    answers = [
        await center.client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
        for token in (staff, homeless, nowhere)
    ]
    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (403, "FORBIDDEN"),
        (401, "UNAUTHORIZED"),
        (401, "UNAUTHORIZED"),
    ]


async def test_without_a_token_nothing_is_shown(center: Center) -> None:
    for response in (await center.client.get("/api/v1/queue"), await center.client.get("/api/v1/operators/me")):
        assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_without_a_demo_password_a_random_one_is_made_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'operators.db'}")
    try:
        await migrate(db, SPEC.migrations)
        passwords = PasswordHasher()
        with caplog.at_level(logging.INFO):
            await seed_demo_operators(db, passwords=passwords, demo_password="")
            await seed_demo_operators(db, passwords=passwords, demo_password="")  # a restart: nothing new or logged
        shown = [r.msg for r in caplog.records if isinstance(r.msg, dict) and "password" in r.msg]
        assert len(shown) == 1 and shown[0]["level"] == "warning"
        async with db.sessions() as session:
            account = await session.get(OperatorAccount, "head.shet")
        assert account is not None and await passwords.check(shown[0]["password"], account.password_hash)
    finally:
        await db.dispose()


async def test_a_roster_seeded_before_is_completed_under_its_password(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'operators.db'}")
    try:
        await migrate(db, SPEC.migrations)
        passwords = PasswordHasher()
        await seed_demo_operators(db, passwords=passwords, demo_password="the-first-password")
        async with db.transaction() as session:
            await session.delete(await session.get(OperatorAccount, "operator-2.nura"))
        await seed_demo_operators(db, passwords=passwords, demo_password="")
        async with db.sessions() as session:
            account = await session.get(OperatorAccount, "operator-2.nura")
        assert account is not None and await passwords.check("the-first-password", account.password_hash)
    finally:
        await db.dispose()
