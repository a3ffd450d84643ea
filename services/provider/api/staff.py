"""Staff login: a short-lived bearer token for the housing department's staff."""

from __future__ import annotations

from fastapi import APIRouter

from services.provider import staff
from services.provider.api.deps import Runtime, Tokens
from services.provider.api.schemas import TokenRequest, TokenResponse
from shared.bus.envelope import utcnow

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Log in: login and password → a staff token",
    description="A bearer token for this provider only (audience `provider`), naming the staff member's role "
    "and district. Errors: AUTH_INVALID_CREDENTIALS (401: unknown login or wrong password); AUTH_LOCKED (423: "
    "5 wrong passwords within 15 minutes lock the account for 15 minutes, the right password included).",
)
async def token(body: TokenRequest, runtime: Runtime, tokens: Tokens) -> TokenResponse:
    account = await staff.authenticate(runtime.db, body.login, body.password, now=utcnow())
    access_token, expires_in = tokens.issue(account.login, account.role, district=account.district)
    return TokenResponse(access_token=access_token, expires_in=expires_in)
