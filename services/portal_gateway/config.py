"""Settings of portal_gateway: env prefix ``PORTAL_GATEWAY_``, database under ``DATABASE_URL_PORTAL_GATEWAY``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from shared.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    service_name: ClassVar[str] = "portal_gateway"

    port: int = 8001
    token_secret: str = Field(
        "",
        description="HS256 secret of the citizens' access tokens (PORTAL_GATEWAY_TOKEN_SECRET, at least 32 bytes); "
        "empty: a random one per process, so tokens do not survive a restart. Set the same value on every replica.",
    )
    token_ttl_minutes: int = Field(15, ge=1, le=24 * 60, description="Lifetime of a citizen's access token")
    sms_dir: str = Field(
        "",
        description="Where the SMS sink keeps every text message the portal sends (one-time codes), one JSON file "
        "each (PORTAL_GATEWAY_SMS_DIR); empty: <VAR_DIR>/sms",
    )
