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
from shared import staff_login
from shared.errors import AppError
from shared.iin import make_iin
from shared.logging import get_logger

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


LoginAttempt = staff_login.LoginAttempt
"""A reserved login (`shared.staff_login`); its ``scope`` is the account's branch."""


async def reserve_login(session: AsyncSession, *, login: str, now: datetime) -> LoginAttempt | None:
    """`shared.staff_login.reserve_login` on this service's accounts, scoped by branch."""
    return await staff_login.reserve_login(session, OperatorAccount, login=login, scope="branch", now=now)


check_password = staff_login.check_password


async def forget_failures(session: AsyncSession, *, attempt: LoginAttempt) -> None:
    """`shared.staff_login.forget_failures` on this service's accounts."""
    await staff_login.forget_failures(session, OperatorAccount, attempt=attempt)


async def on_duty(session: AsyncSession, *, login: str, branch: str) -> OperatorAccount:
    """The account a token names, still active and still of ``branch`` (a token outlives neither);
    UNAUTHORIZED otherwise."""
    account = await session.get(OperatorAccount, login)
    if account is None or not account.active or account.branch != branch:
        raise AppError("UNAUTHORIZED", {"reason": "the account is no longer active at this branch"})
    return account
