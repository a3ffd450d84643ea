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

Identity proof (README, Design: "Identity proof"). A password account is anyone's who typed the IIN,
until its person proves it is theirs: by an EDS login, or by a one-time code sent to the number the
mobile-citizens database holds for the IIN (`identity.py`). `prove_account` binds the account to its
person: an account nobody had proven loses what its unproven holder set (the password, the e-mail
address) and its lockout, so whoever squatted the IIN is out; a proven one keeps them. Tokens say
whether the account's identity was proven when they were issued (``identity_proven``); only a proven
token gets the registries' data (`drafts`).

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
from shared.consent import Method, attest
from shared.eds.credentials import SignerSource
from shared.eds.document import Author, EDocument
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.iin import is_valid_iin
from shared.lockout import Locked, Reservation, forget_on, reserve_on
from shared.logging import get_logger
from shared.participants import PORTAL, user_id
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


async def consent_of(credentials: SignerSource, iin: str, *, identified_by: Method) -> dict[str, Any]:
    """The consent of the portal's registry queries for the citizen's own data at their own request: the
    portal's ``registry/consent@1`` attestation (`shared.consent`), signed with its system credentials, valid
    15 minutes. ``identified_by``: ``eds`` or ``sms`` when the account's identity is proven so (`proof_of`);
    ``claimed`` when nobody proved it (registration's check, the SMS code's number), under which the
    registries answer only the person and mobile-phone queries about the IIN itself, and the portal shows
    nothing of the answer (whether the person lives; the number masked)."""
    return await attest(credentials, subject_iin=iin, requester=PORTAL, identified_by=identified_by)


def proof_of(account: Account | None) -> Method:
    """How the account's identity was proven (``eds``, ``sms``), or ``claimed`` when it was not."""
    proven_by = account.proven_by if account is not None and is_proven(account) else None
    return "eds" if proven_by == "eds" else "sms" if proven_by == "sms" else "claimed"


def require_valid_iin(iin: str) -> None:
    if not is_valid_iin(iin):
        raise AppError("IIN_INVALID", {"iin": iin})


PROOF_METHODS = ("eds", "sms")
CONFLICT_HINT = (
    "if this IIN is yours, sign in with your EDS (POST /api/v1/auth/challenge, then /api/v1/auth/eds) or with a "
    "one-time code sent to the mobile number the mobile-citizens database holds for it (POST /api/v1/auth/sms-code, "
    "then /api/v1/auth/sms-code/confirm): either proves your identity, and an account nobody has proven becomes "
    "yours, its password and e-mail address removed"
)
"""What CONFLICT says to whoever registers an IIN that has an account (the same whether or not it is proven)."""


def issue_token(tokens: TokenIssuer, *, iin: str, method: str, proven: bool) -> tuple[str, int]:
    """A citizen's token (``amr``: ``pwd``, ``eds`` or ``sms``; ``identity_proven``: whether the account was
    bound to its person when the token was issued) and its lifetime in seconds."""
    return tokens.issue(iin, CITIZEN, amr=method, identity_proven=proven)


def is_proven(account: Account) -> bool:
    return account.identity_proven_at is not None


def prove_account(account: Account, *, by: str, now: datetime, password_hash: str | None = None) -> bool:
    """Bind ``account`` to its person, who has just proven their identity ``by`` EDS or SMS code. An
    unproven account becomes theirs: the password and e-mail address its unproven holder set are gone
    (replaced by ``password_hash``, which may be None), and so are its login failures. A proven account
    gets ``password_hash`` when one is given (and, by SMS code, its failures forgotten: the code is a
    stronger proof than a password). Returns whether the account changed hands (was unproven)."""
    assert by in PROOF_METHODS
    taken = not is_proven(account)
    if taken:
        account.password_hash, account.email = password_hash, None
        account.identity_proven_at, account.proven_by = now, by
    elif password_hash is not None:
        account.password_hash = password_hash
    if taken or by == "sms":
        account.failures, account.first_failure_at, account.locked_until = 0, None, None
    return taken


async def living_person(*, registries: RegistryClient, iin: str, consent: dict[str, Any]) -> dict[str, Any]:
    """The individuals registry's answer for ``iin`` (under ``consent``: `consent_of`); PERSON_NOT_FOUND
    when it has no such person or records them as deceased."""
    answer = await registries.ask("person", {"iin": iin}, consent=consent, user_id=user_id(iin))
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
    """CONFLICT when ``iin`` has an account (a password one, or one its EDS login made), saying how its
    person takes it (`CONFLICT_HINT`)."""
    if await session.get(Account, iin) is not None:
        raise AppError("CONFLICT", {"reason": "an account with this IIN exists", "how_to_take_it": CONFLICT_HINT})


async def check_registration(
    *, registries: RegistryClient, credentials: SignerSource, hasher: PasswordHasher, iin: str, password: str
) -> str:
    """The slow part of registration: ``iin`` is a living person the registry knows (asked under the
    portal's ``claimed`` attestation: nobody has proven the IIN is theirs); the password's hash."""
    consent = await consent_of(credentials, iin, identified_by="claimed")
    await living_person(registries=registries, iin=iin, consent=consent)
    return await hasher.hash(password)


async def register(session: AsyncSession, *, iin: str, password_hash: str, email: str | None) -> Account:
    """A new password account (CONFLICT when one was made meanwhile)."""
    account = Account(iin=iin, password_hash=password_hash, email=email)
    session.add(account)
    try:
        await session.flush()
    except IntegrityError:
        raise AppError(
            "CONFLICT", {"reason": "an account with this IIN exists", "how_to_take_it": CONFLICT_HINT}
        ) from None
    log.info("portal account registered", user_id=user_id(iin))
    return account


# Password login (Process 1, Condition 1, Process 2) and the lockout.


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A password login reserved on an account (`shared.lockout`: counted before its password is
    checked): whose, the hash to check it against (None for an EDS-only account), the reservation, and
    whether the account's identity is proven."""

    iin: str
    password_hash: str | None
    reservation: Reservation
    proven: bool = False


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
    return LoginAttempt(iin, account.password_hash, outcome, proven=is_proven(account))


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
    EDS-only account on the first EDS login, proven by it; prove an existing account (`prove_account`:
    an unproven password account becomes the signer's, its password removed). Returns the citizen's IIN."""
    iin = signed.iin
    assert iin is not None  # judged by judge_challenge: the challenge's IIN is the signer's
    used = await session.exec(
        sa.update(AuthChallenge)
        .where(col(AuthChallenge.nonce) == signed.nonce, col(AuthChallenge.used_at).is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:
        raise AppError("AUTH_INVALID_CREDENTIALS", {"reason": "the challenge was used"})
    now = utcnow()
    account = await session.get(Account, iin, with_for_update=True)
    if account is None:
        session.add(Account(iin=iin, created_by="eds", identity_proven_at=now, proven_by="eds"))
        log.info("portal account made by the first EDS login", user_id=user_id(iin))
    elif prove_account(account, by="eds", now=now):
        session.add(account)
        log.warning("unproven portal account taken by its person's EDS login", user_id=user_id(iin))
    return iin


async def account_of(session: AsyncSession, *, iin: str, token_proven: bool) -> Account:
    """The signed-in citizen's account. UNAUTHORIZED when it is gone, or when its identity was proven
    after this token was issued by an unproven login (whoever held the account before its person took it
    back keeps no way in)."""
    account = await session.get(Account, iin)
    if account is None:
        raise AppError("UNAUTHORIZED", {"reason": "no such account"})
    if is_proven(account) and not token_proven:
        raise AppError("UNAUTHORIZED", {"reason": "the account's identity was proven since: sign in again"})
    return account
