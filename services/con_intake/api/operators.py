"""Operators' login (§19 Process 1): a short-lived bearer token for the Center's operators and branch heads."""

from __future__ import annotations

from fastapi import APIRouter

from services.con_intake import operators
from services.con_intake.api.deps import Clock, CurrentOperator, Passwords, Runtime, Tokens
from services.con_intake.api.schemas import OperatorView, TokenRequest, TokenResponse
from services.con_intake.branches import BRANCH_BY_CODE

router = APIRouter(prefix="/api/v1/operators", tags=["operators"])


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Log in: login and password → an operator's token",
    description="A bearer token for this Center only (audience `con_intake`), naming the account's role (operator "
    "or head) and branch: everything it reads or does is of that branch. Errors: AUTH_INVALID_CREDENTIALS (401: "
    "unknown login or wrong password); AUTH_LOCKED (423: 5 wrong passwords within 15 minutes lock the account for "
    "15 minutes, the right password included; details: locked_until). An attempt is counted before its password "
    "is checked: at most 5 passwords per window are checked, however many are sent at once.",
)
async def token(
    body: TokenRequest, runtime: Runtime, tokens: Tokens, passwords: Passwords, clock: Clock
) -> TokenResponse:
    async with runtime.db.transaction() as session:  # the attempt is counted before the password is checked
        attempt = await operators.reserve_login(session, login=body.login, now=clock())
    admitted = await operators.check_password(passwords=passwords, attempt=attempt, password=body.password)
    async with runtime.db.transaction() as session:
        await operators.forget_failures(session, attempt=admitted)
    access_token, expires_in = tokens.issue(admitted.login, admitted.role, branch=admitted.scope)
    return TokenResponse(access_token=access_token, expires_in=expires_in)


@router.get(
    "/me",
    response_model=OperatorView,
    summary="The operator the token names: role, branch, the IIN their certificate carries",
    description="What the workstation needs to know: whose key signs what the operator certifies (the employee "
    "SIGN certificate of this IIN, with the Center's BIN), and the branch (its numbers, address, the districts it "
    "serves, its windows). Errors: UNAUTHORIZED (no valid operator's token, or the account is no longer active at "
    "the token's branch).",
)
async def me(operator: CurrentOperator, runtime: Runtime) -> OperatorView:
    async with runtime.db.sessions() as session:
        account = await operators.on_duty(session, login=operator.login, branch=operator.branch)
    return OperatorView.of(account, BRANCH_BY_CODE[account.branch])
