"""What the portal's routes and handlers share beyond the kernel's runtime: the citizens' token
issuer, the password hasher and the registries' client."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from pwdlib import PasswordHash

from services.portal_gateway.config import PortalSettings
from shared.auth import TokenIssuer
from shared.registries import RegistryClient
from shared.service import ServiceRuntime

AUDIENCE = "portal_gateway"
CITIZEN = "citizen"


@dataclass
class Portal:
    runtime: ServiceRuntime
    tokens: TokenIssuer
    hasher: PasswordHash = field(default_factory=PasswordHash.recommended)
    _decoy: str = ""

    @classmethod
    def build(cls, runtime: ServiceRuntime) -> Portal:
        settings = runtime.settings
        assert isinstance(settings, PortalSettings)
        tokens = TokenIssuer(
            audience=AUDIENCE, secret=settings.token_secret, ttl=timedelta(minutes=settings.token_ttl_minutes)
        )
        return cls(runtime, tokens)

    @property
    def sender(self) -> str:
        return self.runtime.spec.sender

    def registries(self) -> RegistryClient:
        """A client on the runtime's bus and verifier (made per use: the verifier is the runtime's,
        which tests may replace)."""
        settings = self.runtime.settings
        timeout = settings.registry_timeout_s if isinstance(settings, PortalSettings) else 10.0
        return RegistryClient(self.runtime.bus, self.runtime.verifier, sender=self.sender, timeout=timeout)

    async def hash_password(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, password)

    async def check_password(self, password: str, password_hash: str | None) -> bool:
        """Argon2 check off the event loop. Without a hash (unknown IIN, EDS-only account) a decoy hash
        is checked, so the answer takes as long either way and does not tell which it was."""
        if password_hash is None:
            if not self._decoy:
                self._decoy = await self.hash_password(secrets.token_urlsafe(16))
            await asyncio.to_thread(self.hasher.verify, password, self._decoy)
            return False
        return await asyncio.to_thread(self.hasher.verify, password, password_hash)
