"""Typed dependencies of the provider's routes: the runtime, the token issuer, the password hasher, the
staff member."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.provider.staff import STAFF_ROLES
from shared.api.deps import Runtime, from_state
from shared.auth import TokenIssuer
from shared.errors import AppError
from shared.passwords import PasswordHasher

__all__ = ["Clock", "Passwords", "Runtime", "Staff", "StaffMember", "Tokens"]

_bearer = HTTPBearer(auto_error=False, description="A staff token from `POST /api/v1/staff/token`")


@dataclass(frozen=True, slots=True)
class StaffMember:
    """Who is asking: a login of this provider, its role, and the district whose cases it may see."""

    login: str
    role: str
    district: str


Tokens = Annotated[TokenIssuer, from_state("tokens")]
Passwords = Annotated[PasswordHasher, from_state("passwords")]
Clock = Annotated[Callable[[], datetime], from_state("clock")]
"""The time steps are recorded and judged at (``app.state.clock``: the wall clock, or a test's)."""


def current_staff(
    tokens: Tokens, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffMember:
    """The staff member the bearer token names; UNAUTHORIZED without one, or with another service's
    (the portal's, the gateway's: another audience and secret), or an expired one."""
    if credentials is None:
        raise AppError("UNAUTHORIZED", {"reason": "a staff token is required"})
    claims = tokens.check(credentials.credentials, roles=STAFF_ROLES)
    district = claims.extra.get("district")
    if not isinstance(district, str):
        raise AppError("UNAUTHORIZED", {"reason": "token not valid here"})
    return StaffMember(claims.subject, claims.role, district)


Staff = Annotated[StaffMember, Depends(current_staff)]
