"""Staff login: a short-lived bearer token for the housing department's staff."""

from __future__ import annotations

from fastapi import APIRouter

from services.provider import staff
from services.provider.api.deps import Passwords, Runtime, Staff, Tokens
from services.provider.api.schemas import StaffView, TokenRequest, TokenResponse
from services.provider.models import StaffAccount
from shared.calendar import utcnow
from shared.errors import AppError

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Log in: login and password → a staff token",
    description="A bearer token for this provider only (audience `provider`), naming the staff member's role "
    "and district. Errors: AUTH_INVALID_CREDENTIALS (401: unknown login or wrong password); AUTH_LOCKED (423: "
    "5 wrong passwords within 15 minutes lock the account for 15 minutes, the right password included). An attempt "
    "is counted before its password is checked: at most 5 passwords per window are checked, however many are sent "
    "at once.",
)
async def token(body: TokenRequest, runtime: Runtime, tokens: Tokens, passwords: Passwords) -> TokenResponse:
    async with runtime.db.transaction() as session:  # the attempt is counted before the password is checked
        attempt = await staff.reserve_login(session, login=body.login, now=utcnow())
    admitted = await staff.check_password(passwords=passwords, attempt=attempt, password=body.password)
    async with runtime.db.transaction() as session:
        await staff.forget_failures(session, attempt=admitted)
    access_token, expires_in = tokens.issue(admitted.login, admitted.role, district=admitted.scope)
    return TokenResponse(access_token=access_token, expires_in=expires_in)


@router.get(
    "/me",
    response_model=StaffView,
    summary="The staff member the token names: role, position, district, the IIN their certificate carries",
    description="What the staff client needs to know whose key signs (the employee certificate of this IIN, with "
    "the department's BIN) and which steps are theirs. Errors: UNAUTHORIZED (no valid staff token, or the account "
    "is no longer active).",
)
async def me(member: Staff, runtime: Runtime) -> StaffView:
    async with runtime.db.sessions() as session:
        account = await session.get(StaffAccount, member.login)
    if account is None or not account.active:
        raise AppError("UNAUTHORIZED", {"reason": "the account is no longer active"})
    return StaffView(
        login=account.login,
        role=account.role,
        position=account.position,
        district=account.district,
        iin=account.iin,
        full_name=account.full_name,
    )
