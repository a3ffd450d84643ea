"""Typed dependencies of the Center's routes: the runtime, the token issuer, the password hasher, the
clock, and the operator signed in (any role of the branch, or its head only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.con_intake.branches import BRANCH_BY_CODE
from services.con_intake.operators import OPERATOR_ROLES
from shared.api.deps import Runtime, from_state
from shared.auth import TokenIssuer
from shared.errors import AppError
from shared.passwords import PasswordHasher

__all__ = ["Clock", "CurrentOperator", "Head", "Operator", "Passwords", "Runtime", "Tokens"]

_bearer = HTTPBearer(auto_error=False, description="An operator's token from `POST /api/v1/operators/token`")


@dataclass(frozen=True, slots=True)
class Operator:
    """Who is asking: a login of this Center, its role, and the branch whose queue and records it may see."""

    login: str
    role: str
    branch: str


Tokens = Annotated[TokenIssuer, from_state("tokens")]
Passwords = Annotated[PasswordHasher, from_state("passwords")]
Clock = Annotated[Callable[[], datetime], from_state("clock")]
"""The time tickets are issued, called and judged at (``app.state.clock``: the wall clock, or a test's)."""


def current_operator(
    tokens: Tokens, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Operator:
    """The operator the bearer token names; UNAUTHORIZED without one, or with another service's (the
    portal's, the provider's: another audience and secret), or an expired one, or one naming no branch
    of the Center."""
    if credentials is None:
        raise AppError("UNAUTHORIZED", {"reason": "an operator's token is required"})
    claims = tokens.check(credentials.credentials, roles=OPERATOR_ROLES)
    branch = claims.extra.get("branch")
    if not isinstance(branch, str) or branch not in BRANCH_BY_CODE:
        raise AppError("UNAUTHORIZED", {"reason": "token not valid here"})
    return Operator(claims.subject, claims.role, branch)


CurrentOperator = Annotated[Operator, Depends(current_operator)]


def branch_head(operator: CurrentOperator) -> Operator:
    """The operator, when they are their branch's head; FORBIDDEN for an operator."""
    if operator.role != "head":
        raise AppError("FORBIDDEN", {"role": operator.role, "reason": "only the branch's head may see this"})
    return operator


Head = Annotated[Operator, Depends(branch_head)]
