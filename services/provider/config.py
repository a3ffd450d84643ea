"""Settings of provider: env prefix ``PROVIDER_``, database under ``DATABASE_URL_PROVIDER``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from shared.participants import GATEWAY
from shared.settings import ServiceSettings


class ProviderSettings(ServiceSettings):
    service_name: ClassVar[str] = "provider"

    port: int = 8004
    test_clock: bool = Field(
        False,
        validation_alias="TEST_CLOCK",
        description="Test mode: the business clock testers may set (`GET`/`PUT /api/v1/test/clock`, "
        "shared/test_clock.py); never in production",
    )
    token_secret: SecretStr = Field(
        SecretStr(""),
        description="HS256 secret of staff tokens (the same on every replica); empty: a random one per process",
    )
    token_ttl_minutes: int = Field(15, ge=1, le=24 * 60, description="lifetime of a staff token")
    demo_password: SecretStr = Field(
        SecretStr(""),
        description="Password of the demo staff accounts seeded at the first start (specialist.<district>); "
        "empty: a random one, logged once as a warning",
    )
    gateway_bin: str = Field(
        GATEWAY.bin,
        description="BIN of the regional gateway, whose registration stamp every delivered application must carry "
        "(default: the gateway's in the participants' directory)",
    )
