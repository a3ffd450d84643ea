"""The one password hasher of every login (portal citizens, the Center's operators, the provider's
staff): Argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane; OWASP Password Storage
Cheat Sheet), run off the event loop. A hash records its own parameters, so hashes made with other
parameters still verify."""

from __future__ import annotations

import asyncio
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from shared.errors import AppError
from shared.lockout import Reservation, wrong_password

_ARGON2 = PasswordHash((Argon2Hasher(memory_cost=19_456, time_cost=2, parallelism=1),))


class PasswordHasher:
    """Hashes and checks passwords. Checking against no hash (an unknown login, an account with no
    password) checks a decoy, so the answer takes as long either way and does not tell which it was."""

    def __init__(self) -> None:
        self._decoy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(_ARGON2.hash, password)

    async def check(self, password: str, password_hash: str | None) -> bool:
        """True when ``password`` is the one ``password_hash`` was made from."""
        if password_hash is None:
            if self._decoy is None:
                self._decoy = await self.hash(secrets.token_urlsafe(16))
            await asyncio.to_thread(_ARGON2.verify, password, self._decoy)
            return False
        return await asyncio.to_thread(_ARGON2.verify, password, password_hash)

    async def check_reserved(
        self, password: str, *, password_hash: str | None, reservation: Reservation | None
    ) -> None:
        """The slow step of a login that `shared.lockout` reserved, outside any transaction: returns
        when ``password`` is right. AUTH_INVALID_CREDENTIALS alike for no reservation (no such account:
        a decoy is checked, so the answer takes as long either way) and for a wrong password, which
        its reservation counted already — or AUTH_LOCKED when that reservation locked the account."""
        right = await self.check(password, password_hash if reservation is not None else None)
        if reservation is None:
            raise AppError("AUTH_INVALID_CREDENTIALS")
        if not right:
            raise wrong_password(reservation)
