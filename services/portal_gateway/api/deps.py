"""The portal routes' dependencies, in one place (`Annotated` aliases): the database (routes open
the unit of work), the EDS verifier and the registries' client (the kernel's, re-exported), what
app.py made — the citizens' token issuer and the password hasher — and the citizen behind the
bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.portal_gateway.accounts import CITIZEN
from shared.api.deps import Db, EdsVerifier, Registries, from_state
from shared.auth import TokenIssuer
from shared.errors import AppError
from shared.participants import user_id
from shared.passwords import PasswordHasher

__all__ = ["Citizen", "CurrentCitizen", "Db", "EdsVerifier", "Hasher", "Registries", "Tokens"]

bearer = HTTPBearer(auto_error=False, description="the access token from /api/v1/auth/token or /api/v1/auth/eds")


Tokens = Annotated[TokenIssuer, from_state("tokens")]
Hasher = Annotated[PasswordHasher, from_state("hasher")]


@dataclass(frozen=True)
class Citizen:
    """The signed-in citizen: their IIN (the token's subject)."""

    iin: str

    @property
    def user_id(self) -> str:
        """The gateway's user id (architecture §3)."""
        return user_id(self.iin)


def get_citizen(
    tokens: Tokens, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Citizen:
    """The citizen a portal token names; UNAUTHORIZED without one, with an expired one or with another
    service's (its audience is not ours)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AppError("UNAUTHORIZED", {"reason": "a bearer token is required"})
    claims = tokens.check(credentials.credentials, roles=(CITIZEN,))
    return Citizen(claims.subject)


CurrentCitizen = Annotated[Citizen, Depends(get_citizen)]
