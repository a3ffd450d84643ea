"""Typed dependencies of the portal's routes (`Annotated` aliases): the portal context and the citizen
behind the bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.portal_gateway.context import CITIZEN, Portal
from shared.errors import AppError

bearer = HTTPBearer(auto_error=False, description="the access token from /api/v1/auth/token or /api/v1/auth/eds")


@dataclass(frozen=True)
class Citizen:
    """The signed-in citizen: their IIN (the token's subject)."""

    iin: str

    @property
    def user_id(self) -> str:
        """The gateway's user id (ARCHITECTURE §3): ``KZ`` + IIN."""
        return f"KZ{self.iin}"


def get_portal(request: Request) -> Portal:
    return request.app.state.portal  # type: ignore[no-any-return]


PortalDep = Annotated[Portal, Depends(get_portal)]


def get_citizen(
    portal: PortalDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Citizen:
    """The citizen a portal token names; UNAUTHORIZED without one, with an expired one or with another
    service's (its audience is not ours)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AppError("UNAUTHORIZED", {"reason": "a bearer token is required"})
    claims = portal.tokens.check(credentials.credentials, roles=(CITIZEN,))
    return Citizen(claims.subject)


CurrentCitizen = Annotated[Citizen, Depends(get_citizen)]
