"""Typed dependencies of the gateway's routes: its database (each route opens its unit of work), and
the workstation's admin token."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.api.deps import Db, from_state
from shared.errors import AppError
from shared.logging import disclose, get_logger

__all__ = ["AdminOnly", "AdminToken", "Db"]

log = get_logger(__name__)

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="GatewayAdminToken",
    description="The gateway workstation's token: REGIONAL_GATEWAY_ADMIN_TOKEN (or the one logged at start).",
)


class AdminToken:
    """The workstation's one bearer token. Empty in the settings: a random one, made here and logged
    once (with a warning, by `announce` at start), so that a fresh installation is never open."""

    def __init__(self, token: str) -> None:
        self.generated = not token
        self._token = token or secrets.token_urlsafe(32)

    async def announce(self) -> None:
        """The start-up hook: log a generated token once."""
        if self.generated:
            log.warning(
                "REGIONAL_GATEWAY_ADMIN_TOKEN is not set: a random admin token was made for this run",
                admin_token=disclose(self._token),
            )

    def check(self, credentials: HTTPAuthorizationCredentials | None) -> None:
        """UNAUTHORIZED without a bearer token; FORBIDDEN with any other token (another service's too)."""
        if credentials is None or not credentials.credentials:
            raise AppError("UNAUTHORIZED", {"reason": "the gateway's admin bearer token is required"})
        if not hmac.compare_digest(credentials.credentials.encode(), self._token.encode()):
            raise AppError("FORBIDDEN", {"reason": "not the gateway's admin token"})


def require_admin(
    token: Annotated[AdminToken, from_state("admin_token")],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    token.check(credentials)


AdminOnly = Depends(require_admin)
