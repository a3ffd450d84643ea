"""Identity proof by a one-time SMS code (README, Design: "Identity proof"; the rules are
domain/sms_codes.py): the code goes only to the number the mobile-citizens database (база мобильных
граждан) holds for the IIN, so only the IIN's person can read it back, and confirming it binds the account
to that person (`accounts.prove_account`) or makes one for them.

Asking for a code: the registries are asked first, outside any transaction (`phone_on_record`: a living
person the individuals registry knows, and their number); then `issue_code` purges the codes past the
15-minute window, takes one of the IIN's 3 slots (SMS_CODE_RATE_LIMITED when none is free) and stores the
code's keyed digest; after the commit the caller sends the text (`send_code`), never logging the code.

Confirming, as a password login is (`shared.lockout`): `reserve_try`, a short transaction that locks the
IIN's newest code and counts the try on it before the code is checked, so a burst of guesses gets at most
5 checked; `check_code`, outside any transaction; `confirm`, a second transaction that uses the code
(once) and proves, takes or makes the account."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.accounts import CONFLICT_HINT, consent_of, living_person, prove_account
from services.portal_gateway.domain.sms_codes import (
    CODE_LENGTH,
    CODE_TTL,
    CODE_WINDOW,
    MAX_CODES,
    MAX_TRIES,
    code_digest,
    code_matches,
    free_slot,
    mask_phone,
    retry_after_s,
    sms_text,
)
from services.portal_gateway.models import Account, SmsCode
from shared.eds.credentials import SignerSource
from shared.errors import AppError
from shared.logging import get_logger
from shared.participants import user_id
from shared.registries import RegistryClient
from shared.sms import SmsSender

log = get_logger(__name__)

NO_PHONE_HINT = (
    "register your mobile number for your IIN in the mobile citizens database (with your mobile operator or at a "
    "Public Service Center), or sign in with your EDS (POST /api/v1/auth/challenge, then /api/v1/auth/eds)"
)


@dataclass(frozen=True)
class SmsChannel:
    """What app.py makes for the routes: the sender of the texts and the key of the codes' digests."""

    sender: SmsSender
    key: bytes


def code_key(token_secret: str) -> bytes:
    """The key of the codes' digests, derived from the portal's token secret (so every replica has it, and
    it is random per process when that is); distinct from it, so a digest is no token signature."""
    secret = token_secret or secrets.token_urlsafe(48)
    return hashlib.sha256(b"portal-sms-code-key\x00" + secret.encode()).digest()


async def phone_on_record(*, registries: RegistryClient, credentials: SignerSource, iin: str) -> str:
    """The number the mobile-citizens database holds for ``iin``, a living person the individuals registry
    knows (PERSON_NOT_FOUND otherwise, as registration answers); MOBILE_PHONE_NOT_FOUND when it holds none.
    Asked under the portal's ``claimed`` attestation (`accounts.consent_of`: nobody has proven anything yet),
    which covers just these two queries about the IIN itself; the number is only ever shown masked."""
    consent = await consent_of(credentials, iin, identified_by="claimed")
    await living_person(registries=registries, iin=iin, consent=consent)
    answer = await registries.ask("mobile-phone", {"iin": iin}, consent=consent, user_id=user_id(iin))
    phone = answer.result.get("phone")
    if not isinstance(phone, str) or not phone:
        raise AppError("MOBILE_PHONE_NOT_FOUND", {"iin": iin, "how": NO_PHONE_HINT})
    return phone


# Asking for a code.


@dataclass(frozen=True)
class IssuedCode:
    """A code stored (as its digest) and still to be sent: the code itself lives only here and in the SMS."""

    code_id: str
    code: str
    expires_at: datetime


async def _recent(session: AsyncSession, *, iin: str, now: datetime) -> list[SmsCode]:
    """The IIN's codes sent within the window, which hold its slots."""
    found = await session.exec(select(SmsCode).where(col(SmsCode.iin) == iin, col(SmsCode.sent_at) > now - CODE_WINDOW))
    return list(found.all())


def _rate_limited(codes: list[SmsCode], now: datetime) -> AppError:
    wait = retry_after_s(min(c.sent_at for c in codes), now)
    window = int(CODE_WINDOW.total_seconds())
    return AppError("SMS_CODE_RATE_LIMITED", {"max_codes": MAX_CODES, "window_s": window, "retry_after_s": wait})


async def require_code_allowed(session: AsyncSession, *, iin: str, now: datetime) -> None:
    """SMS_CODE_RATE_LIMITED (with ``retry_after_s``) when the IIN's 3 codes of the window were sent: read
    only, before the registries are asked (`issue_code` decides again, in its transaction)."""
    codes = await _recent(session, iin=iin, now=now)
    if free_slot({c.slot for c in codes}) is None:
        raise _rate_limited(codes, now)


async def issue_code(session: AsyncSession, *, key: bytes, iin: str, now: datetime) -> IssuedCode:
    """A new code for ``iin``, valid 5 minutes, superseding the IIN's earlier ones; every code past the
    window is purged first (of any IIN). SMS_CODE_RATE_LIMITED when the IIN has no free slot. A concurrent
    request that took the same slot makes the flush raise IntegrityError: the caller runs this again."""
    await session.exec(sa.delete(SmsCode).where(col(SmsCode.sent_at) <= now - CODE_WINDOW))
    codes = await _recent(session, iin=iin, now=now)
    slot = free_slot({c.slot for c in codes})
    if slot is None:
        raise _rate_limited(codes, now)
    code_id, code = uuid.uuid4().hex, f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    digest = code_digest(key, code_id=code_id, iin=iin, code=code)
    session.add(SmsCode(id=code_id, iin=iin, slot=slot, digest=digest, sent_at=now, expires_at=now + CODE_TTL))
    await session.flush()
    return IssuedCode(code_id, code, now + CODE_TTL)


async def send_code(*, sms: SmsSender, phone: str, issued: IssuedCode) -> str:
    """Send the code to ``phone`` (SERVICE_UNAVAILABLE when the message cannot be sent); the masked number."""
    try:
        await sms.send(to=phone, text=sms_text(issued.code))
    except OSError:
        log.exception("sms code could not be sent", code_id=issued.code_id)
        raise AppError("SERVICE_UNAVAILABLE", {"reason": "the SMS could not be sent"}) from None
    return mask_phone(phone)


# Confirming a code.


@dataclass(frozen=True)
class CodeTry:
    """A confirmation reserved on the IIN's newest code (counted before the code is checked)."""

    code_id: str
    iin: str
    digest: str
    tries: int

    @property
    def tries_left(self) -> int:
        return MAX_TRIES - self.tries


def _no_code(reason: str) -> AppError:
    return AppError("SMS_CODE_EXPIRED", {"reason": reason, "how": "ask for a new code: POST /api/v1/auth/sms-code"})


async def reserve_try(session: AsyncSession, *, iin: str, with_password: bool, now: datetime) -> CodeTry:
    """The first step of a confirmation, in its own short transaction committed before the code is
    checked: the IIN's newest code locked and the try counted on it. SMS_CODE_EXPIRED, with nothing
    written, when there is no usable code (none sent, superseded, expired, used, or void after 5 tries);
    VALIDATION_FAILED when the IIN has no account and no password was given to make one with."""
    if not with_password and await session.get(Account, iin) is None:
        raise AppError(
            "VALIDATION_FAILED",
            {"errors": [{"loc": ["body", "password"], "msg": "a password is required to make your account"}]},
        )
    code = (
        await session.exec(
            select(SmsCode)
            .where(col(SmsCode.iin) == iin)
            .order_by(col(SmsCode.sent_at).desc(), col(SmsCode.slot).desc())
            .limit(1)
            .with_for_update()
        )
    ).first()
    if code is None or code.sent_at <= now - CODE_WINDOW:
        raise _no_code("no code was sent for this IIN in the last 15 minutes")
    if code.used_at is not None:
        raise _no_code("the code was used")
    if code.expires_at <= now:
        raise _no_code("the code expired (valid 5 minutes)")
    if code.tries >= MAX_TRIES:
        raise _no_code(f"the code is void after {MAX_TRIES} wrong tries")
    code.tries += 1
    session.add(code)
    return CodeTry(code.id, iin, code.digest, code.tries)


def check_code(*, key: bytes, attempt: CodeTry, code: str) -> None:
    """SMS_CODE_INVALID (with ``tries_left``; at 0 the code is void) unless ``code`` is the reserved one's."""
    if not code_matches(key, code_id=attempt.code_id, iin=attempt.iin, code=code, digest=attempt.digest):
        details: dict[str, object] = {"tries_left": attempt.tries_left}
        if attempt.tries_left == 0:
            details["how"] = "the code is void: ask for a new one (POST /api/v1/auth/sms-code)"
        raise AppError("SMS_CODE_INVALID", details)


async def confirm(session: AsyncSession, *, attempt: CodeTry, password_hash: str | None, now: datetime) -> Account:
    """After the right code, in a second transaction: use it (once: SMS_CODE_EXPIRED when a concurrent
    confirmation used it first) and prove the account (`accounts.prove_account`: an unproven one is taken,
    its password replaced by ``password_hash`` or removed), or make one, proven, with ``password_hash``."""
    used = await session.exec(
        sa.update(SmsCode).where(col(SmsCode.id) == attempt.code_id, col(SmsCode.used_at).is_(None)).values(used_at=now)
    )
    if used.rowcount != 1:
        raise _no_code("the code was used")
    account = await session.get(Account, attempt.iin, with_for_update=True)
    if account is None:
        if password_hash is None:
            raise AppError(
                "VALIDATION_FAILED",
                {"errors": [{"loc": ["body", "password"], "msg": "a password is required to make your account"}]},
            )
        account = Account(
            iin=attempt.iin, password_hash=password_hash, created_by="sms", identity_proven_at=now, proven_by="sms"
        )
        session.add(account)
        try:
            await session.flush()
        except IntegrityError:  # registered meanwhile: the code stays unused, and proves it at the next try
            raise AppError(
                "CONFLICT", {"reason": "an account with this IIN was made meanwhile", "how_to_take_it": CONFLICT_HINT}
            ) from None
        log.info("portal account made by an SMS code", user_id=user_id(attempt.iin))
    elif prove_account(account, by="sms", now=now, password_hash=password_hash):
        session.add(account)
        log.warning("unproven portal account taken by its person's SMS code", user_id=user_id(attempt.iin))
    else:
        session.add(account)
    return account
