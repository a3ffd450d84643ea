"""Settings of registry_stub: env prefix ``REGISTRY_STUB_``, database under ``DATABASE_URL_REGISTRY_STUB``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.db import sqlite_url
from shared.settings import ServiceSettings, var_dir


class RegistryStubSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_STUB_", extra="ignore")

    port: int = 8005
    database_url: str = Field(
        default_factory=lambda: sqlite_url(var_dir(), "registry_stub"),
        validation_alias="DATABASE_URL_REGISTRY_STUB",
        description="SQLAlchemy async URL of this service's own database",
    )
