"""Accounts and login (SPEC §8 steps 1–4): registration with IIN and password, a token for IIN and
password, and EDS login with the AUTH key (a challenge signed and sent back)."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.portal_gateway import accounts
from services.portal_gateway.api.schemas import (
    AccountView,
    ChallengeRequest,
    ChallengeView,
    RegisterRequest,
    SignedRequest,
    TokenRequest,
    TokenView,
)
from services.portal_gateway.deps import PortalDep

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountView,
    summary="Register with IIN and password",
    description="SPEC §8 step 1. The IIN must be valid (IIN_INVALID) and name a living person in the individuals "
    "registry (PERSON_NOT_FOUND); the password has at least 8 characters, not only digits, not the IIN "
    "(VALIDATION_FAILED); one account per IIN (CONFLICT, also for an account made by EDS login). Hashed with argon2.",
)
async def register(portal: PortalDep, body: RegisterRequest) -> AccountView:
    account = await accounts.register(portal, iin=body.iin, password=body.password, email=body.email)
    return AccountView(iin=account.iin, email=account.email, created_at=account.created_at)


@router.post(
    "/token",
    response_model=TokenView,
    summary="Sign in with IIN and password",
    description="Process 1 / Condition 1: a bearer token for this portal only (15 minutes). Process 2: "
    "AUTH_INVALID_CREDENTIALS, the same for an unknown IIN and a wrong password. 5 failures within 15 minutes lock "
    "the account for 15 minutes: AUTH_LOCKED, even for the right password.",
)
async def token(portal: PortalDep, body: TokenRequest) -> TokenView:
    access_token, expires_in = await accounts.login(portal, iin=body.iin, password=body.password)
    return TokenView(access_token=access_token, expires_in=expires_in)


@router.post(
    "/challenge",
    response_model=ChallengeView,
    summary="Get a challenge to sign for EDS login",
    description="The exact document to sign with the AUTH certificate's key (type auth/challenge@1, author {iin}, "
    "nonce, expires_at). Single use, valid for 5 minutes.",
)
async def challenge(portal: PortalDep, body: ChallengeRequest) -> ChallengeView:
    return ChallengeView(challenge=await accounts.issue_challenge(portal, iin=body.iin))


@router.post(
    "/eds",
    response_model=TokenView,
    summary="Sign in with the EDS (AUTH certificate)",
    description="The challenge signed with the AUTH key: full EDS verification for purpose AUTH (EDS_* codes; a "
    "SIGN certificate is EDS_WRONG_KEY_USAGE), and an unused, unexpired challenge of this portal for that IIN, "
    "unchanged (else AUTH_INVALID_CREDENTIALS). A living person the registry knows who has no account gets an "
    "EDS-only account on the first EDS login.",
)
async def eds(portal: PortalDep, body: SignedRequest) -> TokenView:
    access_token, expires_in = await accounts.eds_login(portal, signed=body.signed)
    return TokenView(access_token=access_token, expires_in=expires_in)
