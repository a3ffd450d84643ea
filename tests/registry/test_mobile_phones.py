"""The mobile-citizens database (база мобильных граждан): a Kazakh mobile number for most of the
synthetic population, deterministic from the seed, none for about one living person in ten (the trait
``mobile:none``) and for the dead; the ``mobile-phone`` query answered, signed and logged by the desk like
the others (its HTTP mirror here; the portal's suite asks it over the sync channel); and a database
populated before the phones existed gets the same numbers at its next start."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from asgi_lifespan import LifespanManager
from sqlmodel import col, select

from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.models import MobilePhoneRow, PersonaTraitRow, PopulationRow, QueryLogRow
from services.registry_stub.population.loader import ensure_phones, ensure_population
from services.registry_stub.population.phones import NO_PHONE_TRAIT, phone_of
from shared.db import Database
from tests.support.pki import NCA_URL

IN_THE_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
AS_OF = date(2026, 11, 1)
CONSENT = "consent:written:CON-2026-0001"
KAZAKH_MOBILE = re.compile(r"^\+77(00|01|02|05|07|08|47|71|75|76|77|78)[0-9]{7}$")


@dataclass
class Registry:
    http: httpx.AsyncClient
    db: Database

    async def mobile(self, iin: str, **params: str) -> httpx.Response:
        return await self.http.get(f"/api/v1/persons/{iin}/mobile-phone", params={"consent": CONSENT, **params})

    async def personas(self, trait: str) -> list[dict[str, Any]]:
        found = await self.http.get("/api/v1/personas", params={"trait": trait, "limit": 1000})
        return found.json()  # type: ignore[no-any-return]

    async def phones(self) -> dict[str, str]:
        async with self.db.sessions() as session:
            return {r.iin: r.phone for r in (await session.exec(select(MobilePhoneRow))).all()}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def registry(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Registry]:
    path = tmp_path_factory.mktemp("registry-phones") / "r.db"
    settings = RegistryStubSettings(
        database_url=f"sqlite+aiosqlite:///{path}", nca_test_mode=True, population_size=400, population_as_of=AS_OF
    )
    app = create_app(settings)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=NCA_URL) as http:
            yield Registry(http, app.state.runtime.db)


def test_numbers_are_kazakh_mobiles_deterministic_from_the_seed() -> None:
    iins = [f"{n:012d}" for n in range(3000)]
    numbers = [phone_of(17032014, iin) for iin in iins]
    assert numbers == [phone_of(17032014, iin) for iin in iins]  # the same seed, the same numbers
    assert numbers != [phone_of(1, iin) for iin in iins]
    given = [n for n in numbers if n is not None]
    assert all(KAZAKH_MOBILE.match(n) for n in given)
    assert 0.05 < 1 - len(given) / len(iins) < 0.15  # about one in ten has none
    assert len(set(given)) > 0.99 * len(given)
    assert phone_of(17032014, iins[0], alive=False) is None


@IN_THE_MODULE_LOOP
async def test_the_query_answers_the_number_on_record_signed(registry: Registry) -> None:
    async with registry.db.sessions() as session:
        seed = (await session.exec(select(PopulationRow))).one().seed
    answered = await registry.mobile(iin := next(iter(await registry.phones())), application="APP-7")
    assert answered.status_code == 200, answered.text
    answer = answered.json()["answer"]
    assert answer["registry"] == "mobile-citizens" and answer["query"] == "mobile-phone"
    assert answer["result"] == {"iin": iin, "phone": phone_of(seed, iin)}
    assert answered.json()["signed"]["signatures"]
    async with registry.db.sessions() as session:
        logged = (await session.exec(select(QueryLogRow).where(col(QueryLogRow.application) == "APP-7"))).one()
    assert (logged.query, logged.subject, logged.outcome) == ("mobile-phone", iin, "ok")


@IN_THE_MODULE_LOOP
async def test_living_people_without_a_number_are_personas_a_tester_finds(registry: Registry) -> None:
    without = await registry.personas(NO_PHONE_TRAIT)
    assert 0.04 * 400 < len(without) < 0.2 * 400
    for listed in without[:5]:
        assert (await registry.mobile(listed["iin"])).json()["answer"]["result"]["phone"] is None
        person = await registry.http.get(f"/api/v1/persons/{listed['iin']}", params={"consent": CONSENT})
        assert person.json()["answer"]["result"]["alive"] is True
    dead = (await registry.personas("dead"))[0]["iin"]
    assert (await registry.mobile(dead)).json()["answer"]["result"]["phone"] is None


@IN_THE_MODULE_LOOP
async def test_the_query_refuses_like_the_others(registry: Registry) -> None:
    unknown = await registry.mobile("871008401427")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "PERSON_NOT_FOUND"
    invalid = await registry.mobile("123456789012")
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "IIN_INVALID"
    iin = next(iter(await registry.phones()))
    no_consent = await registry.http.get(f"/api/v1/persons/{iin}/mobile-phone")
    assert no_consent.status_code == 403 and no_consent.json()["error"]["code"] == "CONSENT_REQUIRED"


@IN_THE_MODULE_LOOP
async def test_a_database_populated_before_phones_gets_the_same_numbers(registry: Registry) -> None:
    before = await registry.phones()
    without = {p["iin"] for p in await registry.personas(NO_PHONE_TRAIT)}
    async with registry.db.transaction() as session:  # as a database made before the mobile-citizens table
        await session.exec(sa.delete(MobilePhoneRow))
        await session.exec(sa.delete(PersonaTraitRow).where(col(PersonaTraitRow.trait) == NO_PHONE_TRAIT))
    assert await registry.phones() == {}

    async with registry.db.sessions() as session:
        record = (await session.exec(select(PopulationRow))).one()
    await ensure_population(registry.db, seed=record.seed, people=record.people, as_of=record.as_of)  # a restart
    assert await registry.phones() == before
    assert {p["iin"] for p in await registry.personas(NO_PHONE_TRAIT)} == without
    assert await ensure_phones(registry.db, seed=record.seed) == 0  # filled once
