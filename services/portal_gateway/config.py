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
