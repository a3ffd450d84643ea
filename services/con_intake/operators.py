"""The Center's operators and branch heads (§19 Process 1: the operator enters login and password into
the Center's workstation): accounts bound to one branch (`services/con_intake/branches.py`), each
with a role (operator, head) and the IIN of the person (whose employee SIGN certificate, with the
Center's BIN, will sign what they certify), passwords hashed by `shared.passwords`, logins locked after
repeated wrong passwords (`shared.lockout`), and the demo roster (`ROSTER`) seeded at start.

A login is three steps, the slow one outside any transaction (`shared.lockout`): reserve the attempt
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

from services.con_intake.branches import BRANCHES
from services.con_intake.models import OperatorAccount
from shared.errors import AppError
from shared.iin import make_iin
from shared.lockout import Locked, Reservation, forget_on, reserve_on
from shared.logging import get_logger
from shared.passwords import PasswordHasher

log = get_logger(__name__)

OperatorRole = Literal["operator", "head"]
OPERATOR_ROLES: tuple[str, ...] = ("operator", "head")


@dataclass(frozen=True, slots=True)
class Seat:
    """One place of a branch's demo roster: its login's prefix, the role, the title."""

    prefix: str
    role: OperatorRole
    title: str


ROSTER: tuple[Seat, ...] = (
    Seat("operator-1", "operator", "Орталық операторы"),
    Seat("operator-2", "operator", "Орталық операторы"),
    Seat("head", "head", "Бөлімше басшысы"),
)
"""Each branch's demo accounts: two operators and the branch's head, logins ``<prefix>.<branch>``."""


def demo_login(branch: str, seat: str = "operator-1") -> str:
    """The demo login of ``seat`` (a seat's prefix) in ``branch``: ``<seat>.<branch>``."""
    return f"{seat}.{branch}"


def demo_iin(branch_index: int, seat_index: int) -> str:
    """A valid IIN for a demo operator, the same at every start (born 1 January 1985 plus the branch's
    place in `BRANCHES` in days, female, serial 9000 + ten per seat, the first with a check digit)."""
    birth = date(1985, 1, 1) + timedelta(days=branch_index)
    for serial in range(9000 + 10 * seat_index, 9010 + 10 * seat_index):
        if (iin := make_iin(birth, "F", serial)) is not None:
            return iin
    raise AssertionError("no serial of ten has a check digit")  # never: about one serial in eleven lacks one


def demo_roster(*, password_hash: str, missing_from: set[str] | None = None) -> list[OperatorAccount]:
    """The demo roster's accounts (all of it, or only the logins not in ``missing_from``), every one with
    ``password_hash`` (one demo password: hashed once, by the caller)."""
    accounts = []
    for branch_index, branch in enumerate(BRANCHES):
        for seat_index, seat in enumerate(ROSTER):
            login = demo_login(branch.code, seat.prefix)
            if missing_from is not None and login in missing_from:
                continue
            accounts.append(
                OperatorAccount(
                    login=login,
                    password_hash=password_hash,
                    role=seat.role,
                    iin=demo_iin(branch_index, seat_index),
                    branch=branch.code,
                    full_name=f"{seat.title}, {branch.name_kk}",
                )
            )
    return accounts


async def demo_logins_present(session: AsyncSession) -> dict[str, str]:
    """The demo roster's logins already in the database, with their password hashes."""
    wanted = {demo_login(b.code, seat.prefix) for b in BRANCHES for seat in ROSTER}
    rows = (await session.exec(select(OperatorAccount).where(col(OperatorAccount.login).in_(wanted)))).all()
    return {row.login: row.password_hash for row in rows}


async def add_accounts(session: AsyncSession, *, accounts: list[OperatorAccount]) -> None:
    session.add_all(accounts)


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A login reserved on an active account (`shared.lockout`: counted before its password is
    checked): who it would admit, the hash to check the password against, and the reservation."""

    login: str
    role: str
    branch: str
    password_hash: str
    reservation: Reservation


async def reserve_login(session: AsyncSession, *, login: str, now: datetime) -> LoginAttempt | None:
    """The first step, in its own short transaction committed before the password is checked: the
    account's row locked, the attempt reserved on it (counted as a failure up front; the window's last
    one locks the account). AUTH_LOCKED while the account is locked, before any hashing and with
    nothing written; None, with nothing written, when there is no active account ``login``."""
    account = await session.get(OperatorAccount, login, with_for_update=True)
    if account is None or not account.active:
        return None
    outcome = reserve_on(account, now=now)
    if isinstance(outcome, Locked):
        raise outcome.error()
    if outcome.locks:
        log.warning("operator account locked after repeated wrong passwords", login=login)
    session.add(account)
    return LoginAttempt(account.login, account.role, account.branch, account.password_hash, outcome)


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
    account = await session.get(OperatorAccount, attempt.login, with_for_update=True)
    if account is not None and forget_on(account, reservation=attempt.reservation):
        session.add(account)


async def on_duty(session: AsyncSession, *, login: str, branch: str) -> OperatorAccount:
    """The account a token names, still active and still of ``branch`` (a token outlives neither);
    UNAUTHORIZED otherwise."""
    account = await session.get(OperatorAccount, login)
    if account is None or not account.active or account.branch != branch:
        raise AppError("UNAUTHORIZED", {"reason": "the account is no longer active at this branch"})
    return account
