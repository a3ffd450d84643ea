"""The portal routes' dependencies, in one place (`Annotated` aliases): the database (routes open
the unit of work), the collaborators app.py made — the citizens' token issuer, the password hasher,
the registries' client, the EDS verifier — and the citizen behind the bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.portal_gateway.accounts import CITIZEN
from shared.auth import TokenIssuer
from shared.db import Database
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.participants import user_id
from shared.passwords import PasswordHasher
from shared.registries import RegistryClient
from shared.service import ServiceRuntime

bearer = HTTPBearer(auto_error=False, description="the access token from /api/v1/auth/token or /api/v1/auth/eds")


@dataclass(frozen=True)
class Collaborators:
    """What the portal's routes use beyond the database, made once by app.py (``app.state.portal``)."""

    tokens: TokenIssuer
    hasher: PasswordHasher
    registries: RegistryClient
    verifier: Verifier


def _runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def _collaborators(request: Request) -> Collaborators:
    return request.app.state.portal  # type: ignore[no-any-return]


def get_db(request: Request) -> Database:
    return _runtime(request).db


def get_tokens(request: Request) -> TokenIssuer:
    return _collaborators(request).tokens


def get_hasher(request: Request) -> PasswordHasher:
    return _collaborators(request).hasher


def get_registries(request: Request) -> RegistryClient:
    return _collaborators(request).registries


def get_eds(request: Request) -> Verifier:
    """The EDS verifier."""
    return _collaborators(request).verifier


Db = Annotated[Database, Depends(get_db)]
Tokens = Annotated[TokenIssuer, Depends(get_tokens)]
Hasher = Annotated[PasswordHasher, Depends(get_hasher)]
Registries = Annotated[RegistryClient, Depends(get_registries)]
EdsVerifier = Annotated[Verifier, Depends(get_eds)]


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
