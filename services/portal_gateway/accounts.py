"""Citizens' accounts and login (SPEC §8 steps 1–4: registration with IIN and password, Process 1,
Condition 1, Process 2), and login with the EDS's AUTH key.

Registration needs a valid IIN of a living person in the individuals registry (ЖТ ММБ). Password
login answers AUTH_INVALID_CREDENTIALS alike for an unknown IIN and a wrong password; failures are
counted in the database and lock the account (domain/passwords.py). EDS login signs a single-use
challenge; a person the registry knows who has no account yet gets one made by that login (an
EDS-only account: it has no password, and `register` cannot add one to it, since registration is
not authenticated)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.portal_gateway.context import CITIZEN, Portal
from services.portal_gateway.domain.passwords import FAILURE_WINDOW, is_locked, lock_after_failure, password_problems
from services.portal_gateway.models import Account, AuthChallenge, LoginFailure, aware
from shared.eds.document import Author, EDocument
from shared.errors import AppError
from shared.iin import is_valid_iin
from shared.logging import get_logger

log = get_logger(__name__)
CHALLENGE_TYPE = "auth/challenge@1"
CHALLENGE_TTL = timedelta(minutes=5)


def consent_of(iin: str) -> str:
    """The consent reference for the citizen's own data at their own request."""
    return f"portal-user:{iin}"


def require_valid_iin(iin: str) -> None:
    if not is_valid_iin(iin):
        raise AppError("IIN_INVALID", {"iin": iin})


async def living_person(portal: Portal, iin: str) -> dict[str, Any]:
    """The individuals registry's answer for ``iin``; PERSON_NOT_FOUND when it has no such person or
    records them as deceased."""
    answer = await portal.registries().ask("person", {"iin": iin}, consent=consent_of(iin), user_id=f"KZ{iin}")
    if not answer.result.get("alive", False):
        raise AppError("PERSON_NOT_FOUND", {"iin": iin, "reason": "the individuals registry records a death"})
    return answer.result


async def register(portal: Portal, *, iin: str, password: str, email: str | None) -> Account:
    """A new password account for a living person the registry knows (SPEC §8 step 1)."""
    require_valid_iin(iin)
    problems = password_problems(password, iin=iin)
    if problems:
        raise AppError("VALIDATION_FAILED", {"errors": [{"loc": ["body", "password"], "msg": p} for p in problems]})
    db = portal.runtime.db
    async with db.sessions() as session:
        if await session.get(Account, iin) is not None:
            raise AppError("CONFLICT", {"reason": "an account with this IIN exists"})
    await living_person(portal, iin)
    account = Account(iin=iin, password_hash=await portal.hash_password(password), email=email)
    try:
        async with db.transaction() as session:
            session.add(account)
    except IntegrityError:
        raise AppError("CONFLICT", {"reason": "an account with this IIN exists"}) from None
    log.info("portal account registered", user_id=f"KZ{iin}")
    return account


def _token(portal: Portal, iin: str, method: str) -> tuple[str, int]:
    return portal.tokens.issue(iin, CITIZEN, amr=method)


async def login(portal: Portal, *, iin: str, password: str) -> tuple[str, int]:
    """A token for the right IIN and password (Condition 1), else AUTH_INVALID_CREDENTIALS (Process 2);
    AUTH_LOCKED while the account is locked, even for the right password."""
    require_valid_iin(iin)
    db = portal.runtime.db
    now = datetime.now(UTC)
    async with db.sessions() as session:
        account = await session.get(Account, iin)
    if account is not None and is_locked(aware(account.locked_until), now):
        raise AppError("AUTH_LOCKED", {"until": aware(account.locked_until).isoformat()})  # type: ignore[union-attr]
    right = await portal.check_password(password, account.password_hash if account else None)
    if account is None:
        raise AppError("AUTH_INVALID_CREDENTIALS")
    locked_until = None
    async with db.transaction() as session:
        if right:
            await session.exec(sa.delete(LoginFailure).where(col(LoginFailure.iin) == iin))
        else:
            session.add(LoginFailure(iin=iin, at=now))
            await session.exec(sa.delete(LoginFailure).where(col(LoginFailure.iin) == iin, col(LoginFailure.at) <= now - FAILURE_WINDOW))  # fmt: skip
            await session.flush()
            failures = (await session.exec(select(LoginFailure.at).where(LoginFailure.iin == iin))).all()
            locked_until = lock_after_failure([aware(at) for at in failures], now)  # type: ignore[misc]
            if locked_until is not None:
                await session.exec(sa.update(Account).where(col(Account.iin) == iin).values(locked_until=locked_until))
    if locked_until is not None:
        log.warning("portal account locked after repeated failures", user_id=f"KZ{iin}")
        raise AppError("AUTH_LOCKED", {"until": locked_until.isoformat()})
    if not right:
        raise AppError("AUTH_INVALID_CREDENTIALS")
    return _token(portal, iin, "pwd")


async def issue_challenge(portal: Portal, *, iin: str) -> dict[str, Any]:
    """The exact document to sign with the AUTH key: single use, valid for 5 minutes."""
    require_valid_iin(iin)
    nonce = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC).replace(microsecond=0) + CHALLENGE_TTL
    document = EDocument(
        type=CHALLENGE_TYPE, author=Author(iin=iin), nonce=nonce, expires_at=expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    ).to_json()
    async with portal.runtime.db.transaction() as session:
        session.add(AuthChallenge(nonce=nonce, iin=iin, document=json.dumps(document), expires_at=expires_at))
    return document


async def eds_login(portal: Portal, *, signed: Any) -> tuple[str, int]:
    """A token for a challenge signed with the citizen's AUTH certificate (EDS_* as the verifier
    finds; AUTH_INVALID_CREDENTIALS for a challenge that is not ours, used, expired or altered)."""
    verified = await portal.runtime.verifier.verify(signed, purpose="auth")
    document, iin = verified.document, verified.author.iin
    nonce = document.get("nonce")
    now = datetime.now(UTC)
    db = portal.runtime.db
    async with db.sessions() as session:
        challenge = await session.get(AuthChallenge, nonce) if isinstance(nonce, str) else None
        account = await session.get(Account, iin) if iin else None
    if (
        challenge is None or document.get("type") != CHALLENGE_TYPE or challenge.iin != iin
        or challenge.used_at is not None or aware(challenge.expires_at) <= now  # type: ignore[operator]
        or json.loads(challenge.document) != document
    ):  # fmt: skip
        raise AppError("AUTH_INVALID_CREDENTIALS", {"reason": "not a current challenge of this portal"})
    assert iin is not None
    if account is None:
        await living_person(portal, iin)
    async with db.transaction() as session:
        used = await session.exec(
            sa.update(AuthChallenge)
            .where(col(AuthChallenge.nonce) == nonce, col(AuthChallenge.used_at).is_(None))
            .values(used_at=now)
        )
        if used.rowcount == 1 and account is None and await session.get(Account, iin) is None:
            session.add(Account(iin=iin, created_by="eds"))
            log.info("portal account made by the first EDS login", user_id=f"KZ{iin}")
    if used.rowcount != 1:
        raise AppError("AUTH_INVALID_CREDENTIALS", {"reason": "the challenge was used"})
    return _token(portal, iin, "eds")
