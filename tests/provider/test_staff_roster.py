"""The housing department's demo roster (Annex 1's actors): in every district a specialist, the head
and a housing commission of five, each a person (an IIN, for the employee certificate that signs what
the role signs), seeded at start and completed, under the same password, when seeded before."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.provider import staff
from services.provider.app import seed_demo_staff
from services.provider.models import StaffAccount
from shared.db import Database
from shared.geo import DISTRICTS
from shared.iin import is_valid_iin
from shared.migrate import migrate
from shared.passwords import PasswordHasher
from tests.support.provider import DEMO_PASSWORD, World

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "provider" / "migrations"


async def me(world: World, login: str) -> httpx.Response:
    token = await world.provider.post("/api/v1/staff/token", json={"login": login, "password": DEMO_PASSWORD})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return await world.provider.get("/api/v1/staff/me", headers=headers)


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize(
    ("login", "role", "position"),
    [
        ("specialist.saran", "specialist", "specialist"),
        ("head.saran", "head", "head"),
        ("commission-chair.saran", "commission", "chair"),
        ("commission-secretary.ulytau", "commission", "secretary"),
        ("commission-member-3.karaganda", "commission", "member"),
    ],
)
async def test_every_seat_of_the_roster_logs_in_with_its_role_and_is_a_person(
    world: World, login: str, role: str, position: str
) -> None:
    view = (await me(world, login)).json()
    assert (view["login"], view["role"], view["position"]) == (login, role, position)
    assert view["district"] == login.split(".", 1)[1] and is_valid_iin(view["iin"])


def test_the_roster_names_different_people_the_same_at_every_start() -> None:
    accounts = staff.demo_roster(password_hash="x")
    assert len(accounts) == len(DISTRICTS) * len(staff.ROSTER) == len({a.iin for a in accounts})
    assert [a.iin for a in accounts] == [a.iin for a in staff.demo_roster(password_hash="y")]


async def test_a_roster_seeded_before_is_completed_under_the_same_password(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'provider.db'}")
    passwords = PasswordHasher()
    try:
        await migrate(db, MIGRATIONS)
        old = StaffAccount(
            login="specialist.saran", password_hash=await passwords.hash("an old random one"), role="specialist",
            district="saran",
        )  # fmt: skip
        async with db.transaction() as session:
            session.add(old)
        await seed_demo_staff(db, passwords=passwords, demo_password="")
        async with db.sessions() as session:
            head = await session.get(StaffAccount, "head.saran")
            specialist = await session.get(StaffAccount, "specialist.saran")
            present = await staff.demo_logins_present(session)
        assert len(present) == len(DISTRICTS) * len(staff.ROSTER)
        assert head is not None and await passwords.check("an old random one", head.password_hash)
        assert specialist is not None and specialist.iin is not None and specialist.position == "specialist"
    finally:
        await db.dispose()
