"""The housing department's staff: accounts bound to one district's department, each with a role
(specialist, head, housing commission), passwords hashed by `shared.passwords`, logins locked after
repeated wrong passwords (`shared.lockout`), and the demo accounts seeded at the first start.

A login is three steps, the slow one outside any transaction (`shared.lockout`): reserve the attempt
on the account (`reserve_login`, a short transaction that locks the row and counts the attempt before
the password is checked, so that parallel guesses cannot all be checked before the lock), check the
password (`check_password`, no session), and after a right one forget the failures
(`forget_failures`, a second short transaction)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider.models import StaffAccount
from shared.geo import DISTRICTS
from shared.lockout import Locked, Reservation, forget_on, reserve_on
from shared.logging import get_logger
from shared.passwords import PasswordHasher

log = get_logger(__name__)

StaffRole = Literal["specialist", "head", "commission"]
STAFF_ROLES: tuple[str, ...] = ("specialist", "head", "commission")


def demo_login(district: str, role: str = "specialist") -> str:
    return f"{role}.{district}"


async def has_accounts(session: AsyncSession) -> bool:
    return bool((await session.exec(select(func.count()).select_from(StaffAccount))).one())


async def demo_accounts(*, passwords: PasswordHasher, password: str) -> list[StaffAccount]:
    """One specialist per district, ``specialist.<district>``, with ``password`` (hashed here: slow,
    no session)."""
    hashes = await asyncio.gather(*(passwords.hash(password) for _ in DISTRICTS))
    return [
        StaffAccount(
            login=demo_login(district.code),
            password_hash=hashed,
            role="specialist",
            district=district.code,
            full_name=f"Маман, {district.name_kk}",
        )
        for district, hashed in zip(DISTRICTS, hashes, strict=True)
    ]


async def add_accounts(session: AsyncSession, *, accounts: list[StaffAccount]) -> None:
    session.add_all(accounts)


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A login reserved on an active account (`shared.lockout`: counted before its password is
    checked): who it would admit, the hash to check the password against, and the reservation."""

    login: str
    role: str
    district: str
    password_hash: str
    reservation: Reservation


async def reserve_login(session: AsyncSession, *, login: str, now: datetime) -> LoginAttempt | None:
    """The first step, in its own short transaction committed before the password is checked: the
    account's row locked, the attempt reserved on it (counted as a failure up front; the window's last
    one locks the account). AUTH_LOCKED while the account is locked, before any hashing and with
    nothing written; None, with nothing written, when there is no active account ``login``."""
    account = await session.get(StaffAccount, login, with_for_update=True)
    if account is None or not account.active:
        return None
    outcome = reserve_on(account, now=now)
    if isinstance(outcome, Locked):
        raise outcome.error()
    if outcome.locks:
        log.warning("staff account locked after repeated wrong passwords", login=login)
    session.add(account)
    return LoginAttempt(account.login, account.role, account.district, account.password_hash, outcome)


async def check_password(*, passwords: PasswordHasher, attempt: LoginAttempt | None, password: str) -> LoginAttempt:
    """The slow step, outside any transaction: ``attempt`` when ``password`` is its account's.
    AUTH_INVALID_CREDENTIALS alike for no account (after checking a decoy, so that it costs what a
    known login does) and for a wrong password, which its reservation counted already (nothing more
    to write) — or AUTH_LOCKED when that reservation locked the account."""
    password_hash, reservation = (attempt.password_hash, attempt.reservation) if attempt else (None, None)
    await passwords.check_reserved(password, password_hash=password_hash, reservation=reservation)
    assert attempt is not None  # a reservation was checked
    return attempt


async def forget_failures(session: AsyncSession, *, attempt: LoginAttempt) -> None:
    """After the right password, in a second short transaction: forget the account's failures — if
    its state is still the one ``attempt`` reserved (no other attempt reserved since, which may be a
    guess; `shared.lockout`)."""
    account = await session.get(StaffAccount, attempt.login, with_for_update=True)
    if account is not None and forget_on(account, reservation=attempt.reservation):
        session.add(account)
