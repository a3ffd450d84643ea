"""The login of an organisation's staff account — the provider's staff, the Center's operators — in
the three steps of `shared.lockout`, the slow one outside any transaction:

1. `reserve_login` (a short transaction): the account's row locked, the attempt reserved on it before
   the password is checked, so that parallel guesses cannot all be checked before the lock;
2. `check_password` (no session): the password against the reserved account's hash;
3. `forget_failures` (a second short transaction): after the right password, the failures forgotten if
   no other attempt was reserved since.

The account table is the caller's (`StaffRow`: a login key, a role, a scope column — the district, the
branch — its Argon2 hash, ``active``, and the lockout columns); the attempt carries the scope the token
will name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.lockout import Locked, LockoutRow, Reservation, forget_on, reserve_on
from shared.logging import get_logger
from shared.passwords import PasswordHasher

log = get_logger(__name__)


class StaffRow(LockoutRow, Protocol):
    login: str
    role: str
    password_hash: str
    active: bool


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A login reserved on an active account: who it would admit, in which scope (the account's district
    or branch), the hash to check the password against, and the reservation."""

    login: str
    role: str
    scope: str
    password_hash: str
    reservation: Reservation


async def reserve_login(
    session: AsyncSession, table: type[StaffRow], *, login: str, scope: str, now: datetime
) -> LoginAttempt | None:
    """The first step, committed before the password is checked: the attempt reserved on ``table``'s
    row ``login`` (counted as a failure up front; the window's last one locks the account). AUTH_LOCKED
    while the account is locked, before any hashing and with nothing written; None, with nothing
    written, when there is no active account ``login``. ``scope``: the column the attempt carries."""
    account = await session.get(table, login, with_for_update=True)
    if account is None or not account.active:
        return None
    outcome = reserve_on(account, now=now)
    if isinstance(outcome, Locked):
        raise outcome.error()
    if outcome.locks:
        log.warning("staff account locked after repeated wrong passwords", table=table.__name__, login=login)
    session.add(account)
    return LoginAttempt(account.login, account.role, str(getattr(account, scope)), account.password_hash, outcome)


async def check_password(*, passwords: PasswordHasher, attempt: LoginAttempt | None, password: str) -> LoginAttempt:
    """The slow step, outside any transaction: ``attempt`` when ``password`` is its account's.
    AUTH_INVALID_CREDENTIALS alike for no account (after checking a decoy, so that it costs what a
    known login does) and for a wrong password, which its reservation counted already (nothing more
    to write) — or AUTH_LOCKED when that reservation locked the account."""
    password_hash, reservation = (attempt.password_hash, attempt.reservation) if attempt else (None, None)
    await passwords.check_reserved(password, password_hash=password_hash, reservation=reservation)
    assert attempt is not None  # a reservation was checked
    return attempt


async def forget_failures(session: AsyncSession, table: type[StaffRow], *, attempt: LoginAttempt) -> None:
    """After the right password, in a second short transaction: forget the account's failures — if its
    state is still the one ``attempt`` reserved (no other attempt reserved since, which may be a guess)."""
    account = await session.get(table, attempt.login, with_for_update=True)
    if account is not None and forget_on(account, reservation=attempt.reservation):
        session.add(account)
