"""Settings of portal_gateway: env prefix ``PORTAL_GATEWAY_``, database under ``DATABASE_URL_PORTAL_GATEWAY``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.db import sqlite_url
from shared.settings import ServiceSettings, var_dir


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_GATEWAY_", extra="ignore")

    port: int = 8001
    database_url: str = Field(
        default_factory=lambda: sqlite_url(var_dir(), "portal_gateway"),
        validation_alias="DATABASE_URL_PORTAL_GATEWAY",
        description="SQLAlchemy async URL of this service's own database",
    )
    token_secret: str = Field(
        "",
        description="HS256 secret of the citizens' access tokens (PORTAL_GATEWAY_TOKEN_SECRET, at least 32 bytes); empty: a random one "
        "per process, so tokens do not survive a restart. Set the same value on every replica.",
    )
    token_ttl_minutes: int = Field(15, ge=1, le=24 * 60, description="Lifetime of a citizen's access token")
    registry_timeout_s: float = Field(10.0, gt=0, description="How long a registry query may take")
