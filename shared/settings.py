"""Settings (pydantic-settings). Each service subclasses `ServiceSettings` with its own env prefix
(``PORTAL_GATEWAY_``, ``PROVIDER_``, …) and its database URL under ``DATABASE_URL_<SERVICE>``
(ARCHITECTURE §2); what all services share has no prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    host: str = Field("127.0.0.1", description="interface to listen on")
    port: int
    database_url: str
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
    revocation_freshness_s: float = Field(
        300.0,
        validation_alias="REVOCATION_FRESHNESS_S",
        description="how long an OCSP or CRL answer is reused before asking again",
    )


def var_dir() -> str:
    """Where SQLite files and the dev PKI live in the embedded default (``VAR_DIR``, default var/)."""
    import os

    return os.environ.get("VAR_DIR", "var")
