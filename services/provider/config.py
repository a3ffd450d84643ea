"""Settings of provider: env prefix ``PROVIDER_``, database under ``DATABASE_URL_PROVIDER``."""

from __future__ import annotations

from pydantic import Field, SecretStr
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
        "140440000309",
        description="BIN of the regional gateway, whose registration stamp every delivered application must carry",
    )
    registry_timeout_s: float = Field(10.0, gt=0, description="how long a registry query may take")
