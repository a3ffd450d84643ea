"""Filling the registries from the generator, once: the population's seed, size and "as of" day are
recorded, and a later start with the same database loads nothing (a half-finished load, which has no
record, is wiped and done again).

The mobile-citizens database (`phones`) is filled after the population, from the recorded seed, in one
transaction, whenever it is empty: so a database populated before it existed gets its phones at the
next start (the loader fills them, not a migration: the numbers come from the seed, which only the
population code knows), and a new one gets them right after its population."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.registry_stub import models as m
from services.registry_stub.population.generator import generate
from services.registry_stub.population.phones import NO_PHONE_TRAIT, phone_of
from services.registry_stub.population.records import Population
from shared.db import Database
from shared.logging import get_logger

log = get_logger(__name__)

TABLES: tuple[type[Any], ...] = (
    m.PersonRow,
    m.FamilyLinkRow,
    m.CivilEventRow,
    m.CivilPartyRow,
    m.DwellingRow,
    m.OwnershipRow,
    m.ResidenceRow,
    m.SocialStatusRow,
    m.EmploymentRow,
    m.PowerOfAttorneyRow,
    m.CourtDecisionRow,
    m.PersonaTraitRow,
    m.MobilePhoneRow,
)


def _rows(records: Iterable[Any], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{c: getattr(r, c) for c in columns} for r in records]


def rows_of(batch: Population) -> Iterator[tuple[type[Any], list[dict[str, Any]]]]:
    """The batch as rows per table (records and tables share their field names)."""
    yield (
        m.PersonRow,
        _rows(
            batch.persons,
            ("iin", "surname", "given_name", "patronymic", "birth_date", "sex", "citizenship", "death_date"),
        ),
    )
    yield m.FamilyLinkRow, _rows(batch.family, ("iin", "relative_iin", "relation"))
    yield m.CivilEventRow, _rows(batch.civil_events, ("record_no", "kind", "registered_on", "office"))
    yield (
        m.CivilPartyRow,
        [{"record_no": e.record_no, "role": role, "iin": iin} for e in batch.civil_events for role, iin in e.parties],
    )
    yield (
        m.DwellingRow,
        _rows(
            batch.dwellings,
            (
                "cadastral_no",
                "locality",
                "address",
                "area_m2",
                "rooms",
                "state_fund",
                "emergency_finding_no",
                "emergency_found_on",
            ),
        ),
    )
    yield (
        m.OwnershipRow,
        _rows(
            batch.ownerships,
            (
                "dwelling",
                "iin",
                "share",
                "acquired_on",
                "acquired_by",
                "preferential_credit",
                "disposed_on",
                "disposed_by",
                "counterparty",
            ),
        ),
    )
    yield (
        m.ResidenceRow,
        _rows(
            batch.residences,
            (
                "iin",
                "locality",
                "address",
                "registered_from",
                "registered_to",
                "dwelling",
                "basis",
                "host_iin",
                "left_voluntarily",
            ),
        ),
    )
    yield (
        m.SocialStatusRow,
        _rows(batch.social, ("document_no", "iin", "group", "since", "until", "monthly_income_per_member")),
    )
    yield (
        m.EmploymentRow,
        _rows(batch.employment, ("iin", "category", "employer_bin", "employer_name", "position", "since", "until")),
    )
    yield (
        m.PowerOfAttorneyRow,
        _rows(
            batch.powers,
            (
                "number",
                "principal_iin",
                "attorney_iin",
                "issued_on",
                "valid_until",
                "covers_service",
                "notarised",
                "notary",
                "revoked_on",
            ),
        ),
    )
    yield (
        m.CourtDecisionRow,
        _rows(batch.court_decisions, ("case_no", "court", "decided_on", "iin", "family_member_iin")),
    )
    yield (
        m.PersonaTraitRow,
        [{"trait": trait, "iin": p.iin, "note": p.note[:300]} for p in batch.personas for trait in p.traits],
    )


async def ensure_population(db: Database, *, seed: int, people: int, as_of: date) -> m.PopulationRow:
    """The population recorded in ``db``; generated and stored first if there is none."""
    async with db.sessions() as session:
        existing = (await session.exec(select(m.PopulationRow))).first()
    if existing is not None:
        if (existing.seed, existing.people) != (seed, people):
            log.warning(
                "registries keep their population; a new seed or size needs a new database",
                seed=existing.seed,
                people=existing.people,
            )
        await ensure_phones(db, seed=existing.seed)
        return existing
    started = time.perf_counter()
    async with db.transaction() as session:
        connection = await session.connection()
        for table in reversed(TABLES):  # a load that stopped half-way left rows but no record
            await connection.execute(sa.delete(table))
    for batch in generate(seed, people, today=as_of):
        async with db.transaction() as session:
            connection = await session.connection()
            for table, rows in rows_of(batch):
                if rows:
                    await connection.execute(sa.insert(table), rows)
    record = m.PopulationRow(seed=seed, people=people, as_of=as_of)
    async with db.transaction() as session:
        session.add(record)
    await ensure_phones(db, seed=seed)
    log.info("registries populated", seed=seed, people=people, seconds=round(time.perf_counter() - started, 1))
    return record


async def ensure_phones(db: Database, *, seed: int) -> int:
    """Fill the mobile-citizens database from ``seed`` (`phones.phone_of`) if it holds no number yet, with
    the persona trait `NO_PHONE_TRAIT` for each living person left without one, in one transaction. How
    many numbers it stored (0 when it had them already, or another process filled it meanwhile)."""
    try:
        return await _fill_phones(db, seed=seed)
    except IntegrityError:  # another process starting on this database filled it first (PostgreSQL)
        return 0


async def _fill_phones(db: Database, *, seed: int) -> int:
    async with db.transaction() as session:
        if (await session.exec(select(m.MobilePhoneRow.iin).limit(1))).first() is not None:
            return 0
        people = (await session.exec(select(col(m.PersonRow.iin), col(m.PersonRow.death_date)))).all()
        phones, without = [], []
        for iin, death_date in people:
            phone = phone_of(seed, iin, alive=death_date is None)
            if phone is not None:
                phones.append({"iin": iin, "phone": phone})
            elif death_date is None:
                without.append({"trait": NO_PHONE_TRAIT, "iin": iin, "note": ""})  # a persona keeps its own note
        connection = await session.connection()
        await connection.execute(sa.delete(m.PersonaTraitRow).where(col(m.PersonaTraitRow.trait) == NO_PHONE_TRAIT))
        if phones:
            await connection.execute(sa.insert(m.MobilePhoneRow), phones)
        if without:
            await connection.execute(sa.insert(m.PersonaTraitRow), without)
    log.info("mobile-citizens database filled", numbers=len(phones), without=len(without))
    return len(phones)
