"""The login lockout (shared.lockout) seen from outside, the same for every password login (the
portal's citizens, the provider's staff): the attack of parallel guesses over HTTP, with the real
Argon2 hasher behind the route, and a login driven through the service layer's three steps with the
clock in the test's hand (a lock runs out without waiting 15 minutes).

    steps = Steps(db, reserve=..., check=..., forget=..., row=...)
    answers = await at_once(send, [*wrong_passwords(), right])       # Counter of the answers' codes
    await steps.login(right, now=locked_until)                       # the route's steps at ``now``
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import Database
from shared.lockout import LockoutRow, LoginState, state_of

TOKEN = "TOKEN"
"""The code `answer` gives a 200 with an access token."""
GUESSES = 39
"""The reproduced attack: 39 wrong passwords and the right one, all at once."""

Send = Callable[[str], Awaitable[httpx.Response]]
"""Sends one login attempt for the account under attack, with this password."""

A = TypeVar("A")


def answer(response: httpx.Response) -> str:
    """`TOKEN` for a 200 with an access token, else the catalogue code (checked against the status)."""
    if response.status_code == 200:
        assert response.json()["access_token"]
        return TOKEN
    code = str(response.json()["error"]["code"])
    assert (response.status_code, code) in {(401, "AUTH_INVALID_CREDENTIALS"), (423, "AUTH_LOCKED")}, response.text
    return code


def wrong_passwords(count: int = GUESSES) -> list[str]:
    return [f"wrong-guess-{n:02d}" for n in range(count)]


async def at_once(send: Send, passwords: Sequence[str]) -> Counter[str]:
    """Every password sent concurrently (all in flight together); how many answers had each code."""
    return Counter(answer(r) for r in await asyncio.gather(*(send(p) for p in passwords)))


@dataclass(frozen=True)
class Steps(Generic[A]):
    """One account's password login through its service layer, as the route runs it — reserve (a
    transaction), check the password (no session), forget the failures (a transaction) — with ``now``
    given instead of the clock's; and the account's stored `LoginState`."""

    db: Database
    reserve: Callable[[AsyncSession, datetime], Awaitable[A | None]]
    check: Callable[[A | None, str], Awaitable[A]]
    forget: Callable[[AsyncSession, A], Awaitable[None]]
    row: Callable[[AsyncSession], Awaitable[LockoutRow | None]]

    async def reserved(self, *, now: datetime) -> A | None:
        async with self.db.transaction() as session:
            return await self.reserve(session, now)

    async def forgotten(self, attempt: A) -> None:
        async with self.db.transaction() as session:
            await self.forget(session, attempt)

    async def login(self, password: str, *, now: datetime) -> A:
        """The three steps; raises the route's refusal (AUTH_LOCKED, AUTH_INVALID_CREDENTIALS)."""
        admitted = await self.check(await self.reserved(now=now), password)
        await self.forgotten(admitted)
        return admitted

    async def state(self) -> LoginState:
        async with self.db.sessions() as session:
            row = await self.row(session)
        assert row is not None
        return state_of(row)
