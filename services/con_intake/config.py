"""Settings of con_intake: env prefix ``CON_INTAKE_``, database under ``DATABASE_URL_CON_INTAKE``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.db import sqlite_url
from shared.settings import ServiceSettings, var_dir


class ConIntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CON_INTAKE_", extra="ignore")

    port: int = 8002
    database_url: str = Field(
        default_factory=lambda: sqlite_url(var_dir(), "con_intake"),
        validation_alias="DATABASE_URL_CON_INTAKE",
        description="SQLAlchemy async URL of this service's own database",
    )
