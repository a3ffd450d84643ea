"""Staff login: a short-lived bearer token for the housing department's staff."""

from __future__ import annotations

from fastapi import APIRouter

from services.provider import staff
from services.provider.api.deps import Passwords, Runtime, Tokens
from services.provider.api.schemas import TokenRequest, TokenResponse
from shared.calendar import utcnow

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Log in: login and password → a staff token",
    description="A bearer token for this provider only (audience `provider`), naming the staff member's role "
    "and district. Errors: AUTH_INVALID_CREDENTIALS (401: unknown login or wrong password); AUTH_LOCKED (423: "
    "5 wrong passwords within 15 minutes lock the account for 15 minutes, the right password included).",
)
async def token(body: TokenRequest, runtime: Runtime, tokens: Tokens, passwords: Passwords) -> TokenResponse:
    now = utcnow()
    async with runtime.db.sessions() as session:
        account = await staff.find_account(session, login=body.login)
    valid = await staff.check_password(account, password=body.password, passwords=passwords, now=now)
    async with runtime.db.transaction() as session:
        attempt = await staff.record_attempt(session, login=body.login, valid=valid, now=now)
    admitted = staff.admit(attempt, now=now)
    access_token, expires_in = tokens.issue(admitted.login, admitted.role, district=admitted.district)
    return TokenResponse(access_token=access_token, expires_in=expires_in)
