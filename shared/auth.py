"""Access tokens (JWT, HS256) for one service's users: the portal's citizens, the Center's operators,
the provider's staff. Each service signs with its own secret and names itself as the audience, so a
token from one service is never accepted by another (architecture §6)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from shared.errors import AppError

ALGORITHM = "HS256"


@dataclass(frozen=True)
class Claims:
    subject: str
    role: str
    audience: str
    expires_at: datetime
    extra: dict[str, Any]


class TokenIssuer:
    """Issues and checks this service's tokens. ``secret`` empty: a random one per process, so tokens
    do not survive a restart (set it, the same on every replica, to keep them)."""

    def __init__(self, *, audience: str, secret: str = "", ttl: timedelta = timedelta(minutes=15)) -> None:
        if secret and len(secret.encode()) < 32:
            raise ValueError("a token secret has at least 32 bytes (RFC 7518 §3.2)")
        self.audience = audience
        self.ttl = ttl
        self._secret = secret or secrets.token_urlsafe(48)

    def issue(self, subject: str, role: str, **extra: Any) -> tuple[str, int]:
        """A signed token for ``subject`` acting as ``role``; returns it with its lifetime in seconds."""
        now = datetime.now(UTC)
        claims = {
            "sub": subject,
            "role": role,
            "aud": self.audience,
            "iss": self.audience,
            "iat": now,
            "exp": now + self.ttl,
            "jti": str(uuid.uuid4()),
            **extra,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM), int(self.ttl.total_seconds())

    def check(self, token: str, *, roles: tuple[str, ...] | None = None) -> Claims:
        """The token's claims, or UNAUTHORIZED (bad, expired, another service's) / FORBIDDEN (role)."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.audience,
                options={"require": ["sub", "exp", "aud", "iss", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise AppError("UNAUTHORIZED", {"reason": "token expired"}) from None
        except jwt.PyJWTError:
            raise AppError("UNAUTHORIZED", {"reason": "token not valid here"}) from None
        if roles is not None and claims["role"] not in roles:
            raise AppError("FORBIDDEN", {"role": claims["role"]})
        extra = {k: v for k, v in claims.items() if k not in {"sub", "role", "aud", "iss", "iat", "exp", "jti"}}
        return Claims(claims["sub"], claims["role"], claims["aud"], datetime.fromtimestamp(claims["exp"], UTC), extra)
