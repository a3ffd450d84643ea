"""The housing department's staff: accounts bound to one district's department, each with a role
(specialist, head, housing commission), passwords hashed with Argon2id, logins locked after repeated
wrong passwords (domain/lockout.py), and the demo accounts seeded at the first start."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from typing import Literal

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from services.provider.domain.lockout import LoginState, after_failure, after_success, is_locked
from services.provider.models import StaffAccount, as_utc
from shared.db import Database
from shared.errors import AppError
from shared.geo import DISTRICTS
from shared.logging import get_logger

log = get_logger(__name__)

StaffRole = Literal["specialist", "head", "commission"]
STAFF_ROLES: tuple[str, ...] = ("specialist", "head", "commission")
PASSWORDS = PasswordHash((Argon2Hasher(memory_cost=19_456, time_cost=2, parallelism=1),))
"""Argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): ~40 ms a check here."""
_DUMMY_HASH = PASSWORDS.hash(secrets.token_urlsafe(16))
"""Checked against for an unknown login, so that it costs what a known one does."""


def demo_login(district: str, role: str = "specialist") -> str:
    return f"{role}.{district}"


async def seed_demo_accounts(db: Database, demo_password: str) -> None:
    """At the first start (no staff yet): one specialist per district, ``specialist.<district>``, with
    ``demo_password``, or a random one logged once (never a password in the code)."""
    async with db.sessions() as session:
        if (await session.exec(select(func.count()).select_from(StaffAccount))).one():
            return
    password = demo_password or secrets.token_urlsafe(12)
    hashes = await asyncio.gather(*(asyncio.to_thread(PASSWORDS.hash, password) for _ in DISTRICTS))
    try:
        async with db.transaction() as session:
            for district, hashed in zip(DISTRICTS, hashes, strict=True):
                session.add(
                    StaffAccount(
                        login=demo_login(district.code), password_hash=hashed, role="specialist",
                        district=district.code, full_name=f"Маман, {district.name_kk}",
                    )
                )  # fmt: skip
    except IntegrityError:
        log.info("demo staff accounts were seeded by another replica")
        return
    if demo_password:
        log.info("demo staff accounts created", logins=f"specialist.<district> ({len(DISTRICTS)})")
    else:
        log.warning(
            "demo staff accounts created with a random password (shown once; set PROVIDER_DEMO_PASSWORD to choose it)",
            logins=f"specialist.<district> ({len(DISTRICTS)})", password=password,
        )  # fmt: skip


def _state(account: StaffAccount) -> LoginState:
    first, until = account.first_failed_at, account.locked_until
    return LoginState(account.failed_logins, first and as_utc(first), until and as_utc(until))


async def authenticate(db: Database, login: str, password: str, *, now: datetime) -> StaffAccount:
    """The account when ``password`` is its password; else AUTH_INVALID_CREDENTIALS (an unknown login
    alike), or AUTH_LOCKED while locked — including by this very failure, the one that locks it."""
    async with db.sessions() as session:
        account = await session.get(StaffAccount, login)
    if account is None or not account.active:
        await asyncio.to_thread(PASSWORDS.verify, password, _DUMMY_HASH)
        raise AppError("AUTH_INVALID_CREDENTIALS")
    if is_locked(_state(account), now):
        raise _locked(_state(account).locked_until)
    valid = await asyncio.to_thread(PASSWORDS.verify, password, account.password_hash)
    async with db.transaction() as session:
        fresh = await session.get(StaffAccount, login, with_for_update=True)
        assert fresh is not None
        state = after_success() if valid else after_failure(_state(fresh), now)
        fresh.failed_logins, fresh.first_failed_at, fresh.locked_until = (
            state.failures, state.first_failure_at, state.locked_until,
        )  # fmt: skip
        session.add(fresh)
    if valid:
        return fresh
    if is_locked(state, now):
        log.warning("staff account locked after repeated wrong passwords", login=login)
        raise _locked(state.locked_until)
    raise AppError("AUTH_INVALID_CREDENTIALS")


def _locked(until: datetime | None) -> AppError:
    return AppError("AUTH_LOCKED", {"locked_until": until.isoformat() if until else None})
