"""Citizens' accounts and login (§18 steps 1–4: registration with IIN and password, Process 1,
Condition 1, Process 2), and login with the EDS's AUTH key.

Registration needs a valid IIN of a living person in the individuals registry (ЖТ ММБ). Password
login answers AUTH_INVALID_CREDENTIALS alike for an unknown IIN and a wrong password, and is locked
by the one policy of `shared.lockout`: the attempt is reserved on the account (`reserve_login`, in a
short transaction that locks the row) before the password is checked (`check_password`, no session),
and a right password then forgets the failures (`forget_failures`, a second short transaction), so
parallel guesses cannot all be checked before the lock. EDS login signs a single-use challenge; a person
the registry knows who has no account yet gets one made by that login (an EDS-only account: it has
no password, and `register` cannot add one to it, since registration is not authenticated).

The slow steps — the registry query, password hashing, EDS verification — are the session-less
``check_*`` functions and `living_person`, run before the caller opens its unit of work; the others
take the caller's session."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.domain.passwords import password_problems
from services.portal_gateway.models import Account, AuthChallenge
from shared.auth import TokenIssuer
from shared.calendar import utcnow
from shared.eds.document import Author, EDocument
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.iin import is_valid_iin
from shared.lockout import Locked, Reservation, forget_on, reserve_on
from shared.logging import get_logger
from shared.participants import user_id
from shared.passwords import PasswordHasher
from shared.registries import RegistryClient

log = get_logger(__name__)
AUDIENCE = "portal_gateway"
"""The audience of the portal's tokens: no other service accepts them."""
CITIZEN = "citizen"
"""The role of every portal token."""
CHALLENGE_TYPE = "auth/challenge@1"
MAX_OPEN_CHALLENGES = 5
"""Open challenges an IIN may have at once."""
CHALLENGE_TTL = timedelta(minutes=5)


def consent_of(iin: str) -> str:
    """The consent reference for the citizen's own data at their own request."""
    return f"portal-user:{iin}"


def require_valid_iin(iin: str) -> None:
    if not is_valid_iin(iin):
        raise AppError("IIN_INVALID", {"iin": iin})


def issue_token(tokens: TokenIssuer, *, iin: str, method: str) -> tuple[str, int]:
    """A citizen's token (``amr``: ``pwd`` or ``eds``) and its lifetime in seconds."""
    return tokens.issue(iin, CITIZEN, amr=method)


async def living_person(*, registries: RegistryClient, iin: str) -> dict[str, Any]:
    """The individuals registry's answer for ``iin``; PERSON_NOT_FOUND when it has no such person or
    records them as deceased."""
    answer = await registries.ask("person", {"iin": iin}, consent=consent_of(iin), user_id=user_id(iin))
    if not answer.result.get("alive", False):
        raise AppError("PERSON_NOT_FOUND", {"iin": iin, "reason": "the individuals registry records a death"})
    return answer.result


async def email_of(session: AsyncSession, *, iin: str) -> str | None:
    """The e-mail address the account gave, if any."""
    account = await session.get(Account, iin)
    return account.email if account else None


# Registration (§18 step 1).


def check_new_account(*, iin: str, password: str) -> None:
    """IIN_INVALID, or VALIDATION_FAILED naming what is wrong with the password."""
    require_valid_iin(iin)
    problems = password_problems(password, iin=iin)
    if problems:
        raise AppError("VALIDATION_FAILED", {"errors": [{"loc": ["body", "password"], "msg": p} for p in problems]})


async def require_no_account(session: AsyncSession, *, iin: str) -> None:
    """CONFLICT when ``iin`` has an account (a password one, or one its EDS login made)."""
    if await session.get(Account, iin) is not None:
        raise AppError("CONFLICT", {"reason": "an account with this IIN exists"})


async def check_registration(*, registries: RegistryClient, hasher: PasswordHasher, iin: str, password: str) -> str:
    """The slow part of registration: ``iin`` is a living person the registry knows; the password's
    hash."""
    await living_person(registries=registries, iin=iin)
    return await hasher.hash(password)


async def register(session: AsyncSession, *, iin: str, password_hash: str, email: str | None) -> Account:
    """A new password account (CONFLICT when one was made meanwhile)."""
    account = Account(iin=iin, password_hash=password_hash, email=email)
    session.add(account)
    try:
        await session.flush()
    except IntegrityError:
        raise AppError("CONFLICT", {"reason": "an account with this IIN exists"}) from None
    log.info("portal account registered", user_id=user_id(iin))
    return account


# Password login (Process 1, Condition 1, Process 2) and the lockout.


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A password login reserved on an account (`shared.lockout`: counted before its password is
    checked): whose, the hash to check it against (None for an EDS-only account), the reservation."""

    iin: str
    password_hash: str | None
    reservation: Reservation


async def reserve_login(session: AsyncSession, *, iin: str, now: datetime) -> LoginAttempt | None:
    """The first step of a password login, in its own short transaction committed before the password
    is checked: the account's row locked, the attempt reserved on it (counted as a failure up front;
    the window's last one locks the account). AUTH_LOCKED while the account is locked, before any
    hashing and with nothing written; None, with nothing written, when there is no account."""
    account = await session.get(Account, iin, with_for_update=True)
    if account is None:
        return None
    outcome = reserve_on(account, now=now)
    if isinstance(outcome, Locked):
        raise outcome.error()
    if outcome.locks:
        log.warning("portal account locked after repeated failures", user_id=user_id(iin))
    session.add(account)
    return LoginAttempt(iin, account.password_hash, outcome)


async def check_password(*, hasher: PasswordHasher, attempt: LoginAttempt | None, password: str) -> LoginAttempt:
    """The slow step, outside any transaction: ``attempt`` when ``password`` is its account's.
    AUTH_INVALID_CREDENTIALS alike for no account (a decoy is checked, so the answer takes as long
    either way) and for a wrong password, which its reservation counted already (nothing more to
    write) — or AUTH_LOCKED when that reservation locked the account."""
    password_hash, reservation = (attempt.password_hash, attempt.reservation) if attempt else (None, None)
    await hasher.check_reserved(password, password_hash=password_hash, reservation=reservation)
    assert attempt is not None  # a reservation was checked
    return attempt


async def forget_failures(session: AsyncSession, *, attempt: LoginAttempt) -> None:
    """After the right password, in a second short transaction: forget the account's failures — if
    its state is still the one ``attempt`` reserved (no other attempt reserved since, which may be a
    guess; `shared.lockout`)."""
    account = await session.get(Account, attempt.iin, with_for_update=True)
    if account is not None and forget_on(account, reservation=attempt.reservation):
        session.add(account)


# EDS login with the AUTH key.


async def issue_challenge(session: AsyncSession, *, iin: str) -> dict[str, Any]:
    """The exact document to sign with the AUTH key: single use, valid for 5 minutes."""
    require_valid_iin(iin)
    nonce = secrets.token_urlsafe(32)
    expires_at = utcnow().replace(microsecond=0) + CHALLENGE_TTL
    document = EDocument(
        type=CHALLENGE_TYPE, author=Author(iin=iin), nonce=nonce, expires_at=expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    ).to_json()
    await _forget_challenges(session, iin=iin, now=utcnow())
    session.add(AuthChallenge(nonce=nonce, iin=iin, document=json.dumps(document), expires_at=expires_at))
    return document


async def _forget_challenges(session: AsyncSession, *, iin: str, now: datetime) -> None:
    """Keep the challenge table small: every expired challenge goes (used or not, it can never sign
    anyone in again), and an IIN keeps at most `MAX_OPEN_CHALLENGES` open ones (anyone may ask for a
    challenge for any IIN; the oldest make way)."""
    await session.exec(sa.delete(AuthChallenge).where(col(AuthChallenge.expires_at) <= now))
    open_ones = await session.exec(
        select(AuthChallenge.nonce)
        .where(col(AuthChallenge.iin) == iin)
        .order_by(col(AuthChallenge.expires_at).desc())
        .offset(MAX_OPEN_CHALLENGES - 1)
    )
    surplus = list(open_ones.all())
    if surplus:
        await session.exec(sa.delete(AuthChallenge).where(col(AuthChallenge.nonce).in_(surplus)))


@dataclass(frozen=True)
class SignedChallenge:
    """A challenge whose AUTH signature verified: what it says and whose certificate signed it."""

    document: dict[str, Any]
    iin: str | None

    @property
    def nonce(self) -> str | None:
        nonce = self.document.get("nonce")
        return nonce if isinstance(nonce, str) else None


async def check_signed_challenge(*, verifier: Verifier, signed: Any) -> SignedChallenge:
    """Full EDS verification for purpose AUTH (the EDS_* codes as the verifier finds)."""
    verified = await verifier.verify(signed, purpose="auth")
    return SignedChallenge(verified.payload, verified.author.iin)


async def judge_challenge(session: AsyncSession, *, signed: SignedChallenge) -> bool:
    """AUTH_INVALID_CREDENTIALS unless ``signed`` is an unused, unexpired challenge of this portal for
    the signer's IIN, unchanged; returns whether the signer has an account."""
    challenge = await session.get(AuthChallenge, signed.nonce) if signed.nonce else None
    if (
        challenge is None
        or signed.document.get("type") != CHALLENGE_TYPE
        or challenge.iin != signed.iin
        or challenge.used_at is not None
        or challenge.expires_at <= utcnow()
        or json.loads(challenge.document) != signed.document
    ):
        raise AppError("AUTH_INVALID_CREDENTIALS", {"reason": "not a current challenge of this portal"})
    return signed.iin is not None and await session.get(Account, signed.iin) is not None


async def eds_login(session: AsyncSession, *, signed: SignedChallenge) -> str:
    """Use the challenge (once: AUTH_INVALID_CREDENTIALS when it was used meanwhile); make the
    EDS-only account on the first EDS login. Returns the citizen's IIN."""
    iin = signed.iin
    assert iin is not None  # judged by judge_challenge: the challenge's IIN is the signer's
    used = await session.exec(
        sa.update(AuthChallenge)
        .where(col(AuthChallenge.nonce) == signed.nonce, col(AuthChallenge.used_at).is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:
        raise AppError("AUTH_INVALID_CREDENTIALS", {"reason": "the challenge was used"})
    if await session.get(Account, iin) is None:
        session.add(Account(iin=iin, created_by="eds"))
        log.info("portal account made by the first EDS login", user_id=user_id(iin))
    return iin
