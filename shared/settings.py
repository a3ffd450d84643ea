"""Settings (pydantic-settings). A service subclasses `ServiceSettings`, names itself in
``service_name`` and sets its ``port``; the kernel derives the rest: the env prefix (``PORTAL_GATEWAY_``,
``PROVIDER_``, …), the database under ``DATABASE_URL_<SERVICE>`` (architecture §2), and, when that is
not set, a SQLite file under ``VAR_DIR``. What all services share has no prefix."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def var_dir() -> str:
    """Where SQLite files and the dev PKI live in the embedded default (``VAR_DIR``, default var/)."""
    return os.environ.get("VAR_DIR", "var")


def database_variable(service: str) -> str:
    """The environment variable holding ``service``'s database URL: ``DATABASE_URL_<SERVICE>``."""
    return f"DATABASE_URL_{service.upper()}"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = ""
    """The service's package name; a subclass sets it, and its env prefix and database follow."""

    host: str = Field("127.0.0.1", description="interface to listen on")
    port: int
    database_url: str = Field(
        "",
        description="SQLAlchemy async URL of this service's own database (DATABASE_URL_<SERVICE>); "
        "empty: a SQLite file under VAR_DIR",
    )
    amqp_url: str = Field("", validation_alias="AMQP_URL", description="RabbitMQ URL; empty means the in-memory bus")
    bus_namespace: str = Field(
        "egov", validation_alias="BUS_NAMESPACE", description="topic exchange name and queue prefix"
    )
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    nca_url: str = Field(
        "http://127.0.0.1:8005",
        validation_alias="NCA_URL",
        description="the test NCA (registry_stub): where the trust anchors (chain.pem) come from",
    )
    nca_root_sha256: str = Field(
        "",
        validation_alias="NCA_ROOT_SHA256",
        description="pin: the root's SHA-256 fingerprint (hex); empty = first seen",
    )
    registry_timeout_s: float = Field(10.0, gt=0, description="how long a registry query may take")
    revocation_freshness_s: float = Field(
        300.0,
        validation_alias="REVOCATION_FRESHNESS_S",
        description="how long an OCSP or CRL answer is reused before asking again",
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.service_name and cls.model_config.get("env_prefix") != f"{cls.service_name.upper()}_":
            cls.model_config["env_prefix"] = f"{cls.service_name.upper()}_"
            cls.model_fields["database_url"].validation_alias = database_variable(cls.service_name)
            cls.model_rebuild(force=True)

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.database_url and self.service_name:
            from shared.db import sqlite_url

            self.database_url = sqlite_url(var_dir(), self.service_name)
        return self
