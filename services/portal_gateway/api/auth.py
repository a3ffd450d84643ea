"""Accounts and login (§18 steps 1–4): registration with IIN and password, a token for IIN and
password, EDS login with the AUTH key (a challenge signed and sent back), and login by a one-time code
sent by SMS to the number the mobile-citizens database holds for the IIN; the last two prove the
account's identity (accounts.py, identity.py). Each route runs the slow checks (registry, hashing, EDS
verification) outside its units of work; a password login opens one before the check, to reserve the
attempt (`shared.lockout`), and one after a right password; a code confirmation likewise."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.exc import IntegrityError

from services.portal_gateway import accounts, identity
from services.portal_gateway.api.deps import (
    AccountHolder,
    Credentials,
    Db,
    EdsVerifier,
    Hasher,
    Registries,
    Sms,
    Tokens,
)
from services.portal_gateway.api.schemas import (
    AccountView,
    ChallengeRequest,
    ChallengeView,
    RegisterRequest,
    SignedRequest,
    SmsCodeRequest,
    SmsCodeView,
    SmsConfirmRequest,
    TokenRequest,
    TokenView,
)
from services.portal_gateway.domain.sms_codes import CODE_TTL, MAX_CODES, MAX_TRIES
from services.portal_gateway.models import Account
from shared.calendar import utcnow
from shared.db import Database

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])


def account_view(account: Account) -> AccountView:
    return AccountView(
        iin=account.iin,
        email=account.email,
        created_at=account.created_at,
        identity_proven=accounts.is_proven(account),
        proven_by=account.proven_by,
        identity_proven_at=account.identity_proven_at,
        has_password=account.password_hash is not None,
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountView,
    summary="Register with IIN and password",
    description="§18 step 1. The IIN must be valid (IIN_INVALID) and name a living person in the individuals "
    "registry (PERSON_NOT_FOUND); the password has at least 8 characters, not only digits, not the IIN "
    "(VALIDATION_FAILED); one account per IIN (CONFLICT, also for an account made by EDS login; its details say how "
    "the IIN's person takes an account by proving their identity with EDS or an SMS code). Hashed with argon2. The "
    "account's identity is not proven: until an EDS login or an SMS code proves it, the draft is not pre-filled "
    "from the registries (IDENTITY_NOT_PROVEN).",
)
async def register(
    db: Db, registries: Registries, credentials: Credentials, hasher: Hasher, body: RegisterRequest
) -> AccountView:
    accounts.check_new_account(iin=body.iin, password=body.password)
    async with db.sessions() as session:
        await accounts.require_no_account(session, iin=body.iin)
    password_hash = await accounts.check_registration(
        registries=registries, credentials=credentials, hasher=hasher, iin=body.iin, password=body.password
    )
    async with db.transaction() as session:
        account = await accounts.register(session, iin=body.iin, password_hash=password_hash, email=body.email)
    return account_view(account)


@router.post(
    "/token",
    response_model=TokenView,
    summary="Sign in with IIN and password",
    description="Process 1 / Condition 1: a bearer token for this portal only (15 minutes). Process 2: "
    "AUTH_INVALID_CREDENTIALS, the same for an unknown IIN and a wrong password. 5 failures within 15 minutes of the "
    "first lock the account for 15 minutes: AUTH_LOCKED (details: locked_until), even for the right password. An "
    "attempt is counted before its password is checked: at most 5 passwords per window are checked, however many "
    "are sent at once. The token says whether the account's identity is proven (identity_proven).",
)
async def token(db: Db, hasher: Hasher, tokens: Tokens, body: TokenRequest) -> TokenView:
    accounts.require_valid_iin(body.iin)
    async with db.transaction() as session:  # the attempt is counted before the password is checked
        attempt = await accounts.reserve_login(session, iin=body.iin, now=utcnow())
    admitted = await accounts.check_password(hasher=hasher, attempt=attempt, password=body.password)
    async with db.transaction() as session:
        await accounts.forget_failures(session, attempt=admitted)
    access_token, expires_in = accounts.issue_token(tokens, iin=admitted.iin, method="pwd", proven=admitted.proven)
    return TokenView(access_token=access_token, expires_in=expires_in, identity_proven=admitted.proven)


@router.post(
    "/challenge",
    response_model=ChallengeView,
    summary="Get a challenge to sign for EDS login",
    description="The exact document to sign with the AUTH certificate's key (type auth/challenge@1, author {iin}, "
    "nonce, expires_at). Single use, valid for 5 minutes.",
)
async def challenge(db: Db, body: ChallengeRequest) -> ChallengeView:
    async with db.transaction() as session:
        document = await accounts.issue_challenge(session, iin=body.iin)
    return ChallengeView(challenge=document)


@router.post(
    "/eds",
    response_model=TokenView,
    summary="Sign in with the EDS (AUTH certificate)",
    description="The challenge signed with the AUTH key: full EDS verification for purpose AUTH (EDS_* codes; a "
    "SIGN certificate is EDS_WRONG_KEY_USAGE), and an unused, unexpired challenge of this portal for that IIN, "
    "unchanged (else AUTH_INVALID_CREDENTIALS). A living person the registry knows who has no account gets an "
    "EDS-only account on the first EDS login. The login proves the account's identity (amr eds, identity_proven): "
    "a password account nobody had proven becomes the signer's, and its password and e-mail address, which nobody "
    "proven set, are removed.",
)
async def eds(
    db: Db, verifier: EdsVerifier, registries: Registries, credentials: Credentials, tokens: Tokens, body: SignedRequest
) -> TokenView:
    signed = await accounts.check_signed_challenge(verifier=verifier, signed=body.signed)
    async with db.sessions() as session:
        has_account = await accounts.judge_challenge(session, signed=signed)
    if not has_account and signed.iin is not None:  # the first EDS login makes an account: for a living person
        consent = await accounts.consent_of(credentials, signed.iin, identified_by="eds")  # the AUTH key proved it
        await accounts.living_person(registries=registries, iin=signed.iin, consent=consent)
    async with db.transaction() as session:
        iin = await accounts.eds_login(session, signed=signed)
    access_token, expires_in = accounts.issue_token(tokens, iin=iin, method="eds", proven=True)
    return TokenView(access_token=access_token, expires_in=expires_in, identity_proven=True)


@router.post(
    "/sms-code",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SmsCodeView,
    summary="Send a one-time code to the number in the mobile citizens database",
    description="No token needed: the code goes only to the mobile number the mobile citizens database (база "
    "мобильных граждан) holds for the IIN, so only its person can read it. IIN_INVALID; PERSON_NOT_FOUND when the "
    "individuals registry has no living person with this IIN (as registration answers); MOBILE_PHONE_NOT_FOUND when "
    "the database holds no number for it (register one with your operator or at a Public Service Center, or sign in "
    f"with your EDS). The code has 6 digits, is valid {int(CODE_TTL.total_seconds()) // 60} minutes and once, and is "
    f"void after {MAX_TRIES} wrong tries; asking again supersedes the last one. At most {MAX_CODES} codes per IIN "
    "within 15 minutes: SMS_CODE_RATE_LIMITED (429, details: retry_after_s). The answer shows the number masked.",
)
async def sms_code(
    db: Db, registries: Registries, credentials: Credentials, sms: Sms, body: SmsCodeRequest
) -> SmsCodeView:
    accounts.require_valid_iin(body.iin)
    async with db.sessions() as session:
        await identity.require_code_allowed(session, iin=body.iin, now=utcnow())
    phone = await identity.phone_on_record(registries=registries, credentials=credentials, iin=body.iin)
    issued = await _issue(db, key=sms.key, iin=body.iin)
    masked = await identity.send_code(sms=sms.sender, phone=phone, issued=issued)
    return SmsCodeView(
        phone=masked, expires_in_s=int((issued.expires_at - utcnow()).total_seconds()), max_tries=MAX_TRIES
    )


async def _issue(db: Database, *, key: bytes, iin: str) -> identity.IssuedCode:
    """`identity.issue_code` in its own transaction; again when a concurrent request took the same slot
    (each run sees one more slot taken, so the last one runs into the rate limit instead)."""
    for _ in range(MAX_CODES):
        try:
            async with db.transaction() as session:
                return await identity.issue_code(session, key=key, iin=iin, now=utcnow())
        except IntegrityError:
            continue
    async with db.transaction() as session:
        return await identity.issue_code(session, key=key, iin=iin, now=utcnow())


@router.post(
    "/sms-code/confirm",
    response_model=TokenView,
    summary="Sign in with the one-time SMS code, proving your identity",
    description="The IIN's newest code (SMS_CODE_EXPIRED, 401, when there is none usable: never sent, expired, used, "
    f"or void after {MAX_TRIES} wrong tries; SMS_CODE_INVALID, 401, for a wrong one, details: tries_left). Each try "
    f"is counted before the code is checked, so however many are sent at once at most {MAX_TRIES} are checked. The "
    "right code gives a token (amr sms, identity_proven) and proves the account: with no account yet it makes one "
    "(`password` required then, the rules of registration: VALIDATION_FAILED); an account nobody had proven becomes "
    "the code's owner's (whoever held it loses its password, replaced by `password` or removed, and its e-mail "
    "address); a proven account signs in, and `password`, when given, replaces its password.",
)
async def sms_code_confirm(db: Db, hasher: Hasher, sms: Sms, tokens: Tokens, body: SmsConfirmRequest) -> TokenView:
    if body.password is None:
        accounts.require_valid_iin(body.iin)
    else:
        accounts.check_new_account(iin=body.iin, password=body.password)
    async with db.transaction() as session:  # the try is counted before the code is checked
        attempt = await identity.reserve_try(
            session, iin=body.iin, with_password=body.password is not None, now=utcnow()
        )
    identity.check_code(key=sms.key, attempt=attempt, code=body.code)
    password_hash = await hasher.hash(body.password) if body.password is not None else None
    async with db.transaction() as session:
        await identity.confirm(session, attempt=attempt, password_hash=password_hash, now=utcnow())
    access_token, expires_in = accounts.issue_token(tokens, iin=body.iin, method="sms", proven=True)
    return TokenView(access_token=access_token, expires_in=expires_in, identity_proven=True)


@router.get(
    "/account",
    response_model=AccountView,
    summary="Your account",
    description="Whether its identity is proven (by EDS or SMS code, and when), whether it has a password. A token "
    "issued before the account's identity was proven (by whoever held it then) is UNAUTHORIZED.",
)
async def account(db: Db, citizen: AccountHolder) -> AccountView:
    async with db.sessions() as session:
        found = await accounts.account_of(session, iin=citizen.iin, token_proven=citizen.proven)
    return account_view(found)
