"""Accounts and login (§18 steps 1–4): registration with IIN and password, a token for IIN and
password, and EDS login with the AUTH key (a challenge signed and sent back). Each route runs the
slow checks (registry, hashing, EDS verification) outside its units of work; a password login opens
one before the check, to reserve the attempt (`shared.lockout`), and one after a right password."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.portal_gateway import accounts
from services.portal_gateway.api.deps import Db, EdsVerifier, Hasher, Registries, Tokens
from services.portal_gateway.api.schemas import (
    AccountView,
    ChallengeRequest,
    ChallengeView,
    RegisterRequest,
    SignedRequest,
    TokenRequest,
    TokenView,
)
from shared.calendar import utcnow

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountView,
    summary="Register with IIN and password",
    description="§18 step 1. The IIN must be valid (IIN_INVALID) and name a living person in the individuals "
    "registry (PERSON_NOT_FOUND); the password has at least 8 characters, not only digits, not the IIN "
    "(VALIDATION_FAILED); one account per IIN (CONFLICT, also for an account made by EDS login). Hashed with argon2.",
)
async def register(db: Db, registries: Registries, hasher: Hasher, body: RegisterRequest) -> AccountView:
    accounts.check_new_account(iin=body.iin, password=body.password)
    async with db.sessions() as session:
        await accounts.require_no_account(session, iin=body.iin)
    password_hash = await accounts.check_registration(
        registries=registries, hasher=hasher, iin=body.iin, password=body.password
    )
    async with db.transaction() as session:
        account = await accounts.register(session, iin=body.iin, password_hash=password_hash, email=body.email)
    return AccountView(iin=account.iin, email=account.email, created_at=account.created_at)


@router.post(
    "/token",
    response_model=TokenView,
    summary="Sign in with IIN and password",
    description="Process 1 / Condition 1: a bearer token for this portal only (15 minutes). Process 2: "
    "AUTH_INVALID_CREDENTIALS, the same for an unknown IIN and a wrong password. 5 failures within 15 minutes of the "
    "first lock the account for 15 minutes: AUTH_LOCKED (details: locked_until), even for the right password. An "
    "attempt is counted before its password is checked: at most 5 passwords per window are checked, however many "
    "are sent at once.",
)
async def token(db: Db, hasher: Hasher, tokens: Tokens, body: TokenRequest) -> TokenView:
    accounts.require_valid_iin(body.iin)
    async with db.transaction() as session:  # the attempt is counted before the password is checked
        attempt = await accounts.reserve_login(session, iin=body.iin, now=utcnow())
    admitted = await accounts.check_password(hasher=hasher, attempt=attempt, password=body.password)
    async with db.transaction() as session:
        await accounts.forget_failures(session, attempt=admitted)
    access_token, expires_in = accounts.issue_token(tokens, iin=admitted.iin, method="pwd")
    return TokenView(access_token=access_token, expires_in=expires_in)


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
    "EDS-only account on the first EDS login.",
)
async def eds(db: Db, verifier: EdsVerifier, registries: Registries, tokens: Tokens, body: SignedRequest) -> TokenView:
    signed = await accounts.check_signed_challenge(verifier=verifier, signed=body.signed)
    async with db.sessions() as session:
        has_account = await accounts.judge_challenge(session, signed=signed)
    if not has_account and signed.iin is not None:  # the first EDS login makes an account: for a living person
        await accounts.living_person(registries=registries, iin=signed.iin)
    async with db.transaction() as session:
        iin = await accounts.eds_login(session, signed=signed)
    access_token, expires_in = accounts.issue_token(tokens, iin=iin, method="eds")
    return TokenView(access_token=access_token, expires_in=expires_in)
