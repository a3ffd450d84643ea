"""What the gateway's handlers and routes share: the runtime (database, bus, verifier), its settings and
its own signing credentials (the registration stamp)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.regional_gateway.config import RegionalGatewaySettings
from shared.db import Database
from shared.eds.signing import Signer
from shared.eds.verify import Verifier
from shared.service import ServiceRuntime


class SignerSource(Protocol):
    """shared.eds.credentials.SystemCredentials, or anything else that hands out the gateway's signer."""

    async def signer(self) -> Signer: ...


@dataclass(frozen=True)
class Gateway:
    runtime: ServiceRuntime
    settings: RegionalGatewaySettings
    credentials: SignerSource

    @property
    def address(self) -> str:
        """The gateway's own address, ``KZ/GOV/140440000309/gateway``: the sender of what it sends."""
        return self.runtime.spec.sender

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def verifier(self) -> Verifier:
        return self.runtime.verifier
