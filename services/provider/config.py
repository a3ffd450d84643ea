"""Settings of provider: env prefix ``PROVIDER_``, database under ``DATABASE_URL_PROVIDER``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.db import sqlite_url
from shared.settings import ServiceSettings, var_dir


class ProviderSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROVIDER_", extra="ignore")

    port: int = 8004
    database_url: str = Field(
        default_factory=lambda: sqlite_url(var_dir(), "provider"),
        validation_alias="DATABASE_URL_PROVIDER",
        description="SQLAlchemy async URL of this service's own database",
    )
