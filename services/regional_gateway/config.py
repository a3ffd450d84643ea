"""Settings of regional_gateway: env prefix ``REGIONAL_GATEWAY_``, database under ``DATABASE_URL_REGIONAL_GATEWAY``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.db import sqlite_url
from shared.settings import ServiceSettings, var_dir


class RegionalGatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGIONAL_GATEWAY_", extra="ignore")

    port: int = 8003
    database_url: str = Field(
        default_factory=lambda: sqlite_url(var_dir(), "regional_gateway"),
        validation_alias="DATABASE_URL_REGIONAL_GATEWAY",
        description="SQLAlchemy async URL of this service's own database",
    )
