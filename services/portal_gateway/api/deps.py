"""The portal routes' dependencies, in one place (`Annotated` aliases): the database (routes open
the unit of work), the EDS verifier and the registries' client (the kernel's, re-exported), what
app.py made — the citizens' token issuer, the password hasher and the SMS channel of one-time codes — and
the citizen behind the bearer token (with whether their token says their identity is proven), and that
citizen checked against their account (`AccountHolder`: the routes that show or take personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.portal_gateway import accounts
from services.portal_gateway.accounts import CITIZEN
from services.portal_gateway.identity import SmsChannel
from shared.api.deps import Db, EdsVerifier, Registries, from_state
from shared.auth import TokenIssuer
from shared.eds.credentials import SignerSource
from shared.errors import AppError
from shared.participants import user_id
from shared.passwords import PasswordHasher

__all__ = [
    "AccountHolder",
    "Citizen",
    "Credentials",
    "CurrentCitizen",
    "Db",
    "EdsVerifier",
    "Hasher",
    "Registries",
    "Sms",
    "Tokens",
]

bearer = HTTPBearer(auto_error=False, description="the access token from /api/v1/auth/token or /api/v1/auth/eds")


Tokens = Annotated[TokenIssuer, from_state("tokens")]
Hasher = Annotated[PasswordHasher, from_state("hasher")]
Sms = Annotated[SmsChannel, from_state("sms")]


def get_credentials(request: Request) -> SignerSource:
    """The portal's system credentials (``runtime.credentials``): what signs its consent attestations."""
    credentials: SignerSource = request.app.state.runtime.credentials
    return credentials


Credentials = Annotated[SignerSource, Depends(get_credentials)]


@dataclass(frozen=True)
class Citizen:
    """The signed-in citizen: their IIN (the token's subject), and whether the token was issued to an
    account whose identity was proven (by EDS or SMS code: accounts.py)."""

    iin: str
    proven: bool = False
    method: str | None = None
    """The token's ``amr``: ``pwd``, ``eds`` or ``sms``."""

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
    method = claims.extra.get("amr")
    proven = claims.extra.get("identity_proven") is True
    return Citizen(claims.subject, proven=proven, method=method if isinstance(method, str) else None)


CurrentCitizen = Annotated[Citizen, Depends(get_citizen)]
"""The citizen a valid token names, not checked against their account: for the routes that need no more (the
draft, which refuses an unproven token itself: IDENTITY_NOT_PROVEN) or that check it themselves."""


async def get_account_holder(db: Db, citizen: CurrentCitizen) -> Citizen:
    """The citizen a token names, if the token still speaks for the account's holder (README, Design: "Identity
    proof"). UNAUTHORIZED, with its reason, when the account is gone; when its identity was proven (by EDS or SMS
    code) and the token was not (issued by a password login before the person took the account back: a squatter's,
    or the person's own from before: either signs in again); when the token came from a password login and the
    account has no password any more (removed when the account was taken by an EDS login)."""
    async with db.sessions() as session:
        account = await accounts.account_of(session, iin=citizen.iin, token_proven=citizen.proven)
    if citizen.method == "pwd" and account.password_hash is None:
        raise AppError("UNAUTHORIZED", {"reason": "the password this token was issued for was removed: sign in again"})
    return citizen


AccountHolder = Annotated[Citizen, Depends(get_account_holder)]
"""The signed-in citizen whose token still speaks for the account (`get_account_holder`): the cabinet, the
e-copies, the submission, the account."""
