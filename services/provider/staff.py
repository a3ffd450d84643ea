"""The housing department's staff: accounts bound to one district's department, each with a role
(specialist, head, housing commission), passwords hashed by `shared.passwords`, logins locked after
repeated wrong passwords (`shared.lockout`), and the demo accounts seeded at the first start.

A login is three steps, the slow one outside any transaction: read the account (`find_account`),
check the password (`check_password`), record the attempt (`record_attempt`, in a transaction) and
then tell the outcome (`admit`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider.models import StaffAccount
from shared.errors import AppError
from shared.geo import DISTRICTS
from shared.lockout import LoginState, after_failure, after_success, is_locked, locked_error
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
    """A recorded login attempt: the account, whether the password was right, its lockout state after."""

    account: StaffAccount
    valid: bool
    state: LoginState


def _state(account: StaffAccount) -> LoginState:
    return LoginState(account.failed_logins, account.first_failed_at, account.locked_until)


async def find_account(session: AsyncSession, *, login: str) -> StaffAccount | None:
    """The active account ``login``, or None."""
    account = await session.get(StaffAccount, login)
    return account if account is not None and account.active else None


async def check_password(
    account: StaffAccount | None, *, password: str, passwords: PasswordHasher, now: datetime
) -> bool:
    """Whether ``password`` is the account's (slow, no session). AUTH_INVALID_CREDENTIALS for no
    account (after checking a decoy, so that it costs what a known login does); AUTH_LOCKED while the
    account is locked, the right password included."""
    if account is None:
        await passwords.check(password, None)
        raise AppError("AUTH_INVALID_CREDENTIALS")
    if is_locked(_state(account), now):
        raise locked_error(_state(account))
    return await passwords.check(password, account.password_hash)


async def record_attempt(session: AsyncSession, *, login: str, valid: bool, now: datetime) -> LoginAttempt:
    """Count a wrong password (locking the account at the limit) or forget the failures after a right one,
    on the account as it is now (locked for the update)."""
    account = await session.get(StaffAccount, login, with_for_update=True)
    if account is None:
        raise AppError("AUTH_INVALID_CREDENTIALS")
    state = after_success() if valid else after_failure(_state(account), now)
    account.failed_logins, account.first_failed_at, account.locked_until = (
        state.failures,
        state.first_failure_at,
        state.locked_until,
    )
    session.add(account)
    return LoginAttempt(account, valid, state)


def admit(attempt: LoginAttempt, *, now: datetime) -> StaffAccount:
    """The account of a right password; else AUTH_INVALID_CREDENTIALS, or AUTH_LOCKED when this very
    failure locked it."""
    if attempt.valid:
        return attempt.account
    if is_locked(attempt.state, now):
        log.warning("staff account locked after repeated wrong passwords", login=attempt.account.login)
        raise locked_error(attempt.state)
    raise AppError("AUTH_INVALID_CREDENTIALS")
