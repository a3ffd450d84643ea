"""The housing department's staff: accounts bound to one district's department, each with a role
(specialist, head, housing commission) and a position on the commission (chair, secretary, member),
the IIN of the person (whose employee certificate, with the department's BIN, signs what the role
signs), passwords hashed by `shared.passwords`, logins locked after repeated wrong passwords
(`shared.lockout`), and the demo roster (`ROSTER`) seeded at start.

A login is three steps (`shared.staff_login`), the slow one outside any transaction: reserve the attempt
on the account (`reserve_login`, a short transaction that locks the row and counts the attempt before
the password is checked, so that parallel guesses cannot all be checked before the lock), check the
password (`check_password`, no session), and after a right one forget the failures
(`forget_failures`, a second short transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider.models import StaffAccount
from shared import staff_login
from shared.geo import DISTRICTS
from shared.iin import make_iin
from shared.logging import get_logger

log = get_logger(__name__)

StaffRole = Literal["specialist", "head", "commission"]
STAFF_ROLES: tuple[str, ...] = ("specialist", "head", "commission")
Position = Literal["specialist", "head", "chair", "secretary", "member"]


@dataclass(frozen=True, slots=True)
class Seat:
    """One place of a district's demo roster: its login's prefix, the role, the position, the title."""

    prefix: str
    role: StaffRole
    position: Position
    title: str


ROSTER: tuple[Seat, ...] = (
    Seat("specialist", "specialist", "specialist", "Маман"),
    Seat("head", "head", "head", "Бөлім басшысы"),
    Seat("commission-chair", "commission", "chair", "Тұрғын үй комиссиясының төрағасы"),
    Seat("commission-secretary", "commission", "secretary", "Тұрғын үй комиссиясының хатшысы"),
    Seat("commission-member-1", "commission", "member", "Тұрғын үй комиссиясының мүшесі"),
    Seat("commission-member-2", "commission", "member", "Тұрғын үй комиссиясының мүшесі"),
    Seat("commission-member-3", "commission", "member", "Тұрғын үй комиссиясының мүшесі"),
)
"""Each district's demo staff: a specialist, the head, and a housing commission of five (chair,
secretary, three members), logins ``<prefix>.<district>``."""


def demo_login(district: str, role: str = "specialist") -> str:
    """The demo login of ``role`` (a seat's prefix) in ``district``: ``<prefix>.<district>``."""
    return f"{role}.{district}"


def demo_iin(district_index: int, seat_index: int) -> str:
    """A valid IIN for a demo staff member, the same at every start (born 1 January 1975 plus the
    district's number in days, male, serial 9000 + ten per seat, the first with a check digit)."""
    birth = date(1975, 1, 1) + timedelta(days=district_index)
    for serial in range(9000 + 10 * seat_index, 9010 + 10 * seat_index):
        if (iin := make_iin(birth, "M", serial)) is not None:
            return iin
    raise AssertionError("no serial of ten has a check digit")  # never: about one serial in eleven lacks one


def demo_roster(*, password_hash: str, missing_from: set[str] | None = None) -> list[StaffAccount]:
    """The demo roster's accounts (all of it, or only the logins not in ``missing_from``), every one with
    ``password_hash`` (one demo password: hashed once, by the caller)."""
    accounts = []
    for district_index, district in enumerate(DISTRICTS):
        for seat_index, seat in enumerate(ROSTER):
            login = demo_login(district.code, seat.prefix)
            if missing_from is not None and login in missing_from:
                continue
            accounts.append(
                StaffAccount(
                    login=login,
                    password_hash=password_hash,
                    role=seat.role,
                    position=seat.position,
                    iin=demo_iin(district_index, seat_index),
                    district=district.code,
                    full_name=f"{seat.title}, {district.name_kk}",
                )
            )
    return accounts


async def demo_logins_present(session: AsyncSession) -> dict[str, str]:
    """The demo roster's logins already in the database, with their password hashes."""
    wanted = {demo_login(d.code, seat.prefix) for d in DISTRICTS for seat in ROSTER}
    rows = (await session.exec(select(StaffAccount).where(col(StaffAccount.login).in_(wanted)))).all()
    return {row.login: row.password_hash for row in rows}


async def name_demo_people(session: AsyncSession) -> int:
    """Give the demo accounts seeded before staff had IINs and positions theirs; how many it named."""
    named = 0
    for district_index, district in enumerate(DISTRICTS):
        for seat_index, seat in enumerate(ROSTER):
            account = await session.get(StaffAccount, demo_login(district.code, seat.prefix), with_for_update=True)
            if account is not None and account.iin is None:
                account.iin, account.position = demo_iin(district_index, seat_index), seat.position
                session.add(account)
                named += 1
    return named


async def add_accounts(session: AsyncSession, *, accounts: list[StaffAccount]) -> None:
    session.add_all(accounts)


LoginAttempt = staff_login.LoginAttempt
"""A reserved login (`shared.staff_login`); its ``scope`` is the account's district."""


async def reserve_login(session: AsyncSession, *, login: str, now: datetime) -> LoginAttempt | None:
    """`shared.staff_login.reserve_login` on this service's accounts, scoped by district."""
    return await staff_login.reserve_login(session, StaffAccount, login=login, scope="district", now=now)


check_password = staff_login.check_password


async def forget_failures(session: AsyncSession, *, attempt: LoginAttempt) -> None:
    """`shared.staff_login.forget_failures` on this service's accounts."""
    await staff_login.forget_failures(session, StaffAccount, attempt=attempt)
