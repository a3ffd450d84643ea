"""Settings (pydantic-settings). A service subclasses `ServiceSettings`, names itself in
``service_name`` and sets its ``port``; the kernel derives the rest: the env prefix (``PORTAL_GATEWAY_``,
``PROVIDER_``, …), the database under ``DATABASE_URL_<SERVICE>`` (architecture §2), and, when that is
not set, a SQLite file under ``VAR_DIR``. What all services share has no prefix.

No service starts with a secret whose value was published in the repository (`KNOWN_DEVELOPMENT_SECRETS`:
the values of deploy/.env.example) unless ``EGOV_DEVELOPMENT=1`` says this is a developer's machine;
an empty secret stays allowed (the service makes a random one, as the embedded default does)."""

from __future__ import annotations

import os
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.eds.enrollment import enrollment_token
from shared.participants import PARTICIPANTS

DEVELOPMENT_VARIABLE = "EGOV_DEVELOPMENT"

KNOWN_DEVELOPMENT_SECRETS: frozenset[str] = frozenset(
    {
        # deploy/.env.example (and, until they were removed, the defaults of deploy/docker-compose.yml):
        # public, so refused as secrets unless EGOV_DEVELOPMENT=1. tests/deploy checks that every secret
        # of deploy/.env.example is listed here.
        "dev-ra-token",
        "dev-portal-token-secret-0123456789abcdef",
        "dev-provider-token-secret-0123456789abcdef",
        "dev-con-intake-token-secret-0123456789abcdef",
        "dev-staff-password",
        "dev-operator-password",
        "dev-gateway-admin-token",
        "dev-postgres-superuser",
        "dev-db-portal-gateway",
        "dev-db-con-intake",
        "dev-db-regional-gateway",
        "dev-db-provider",
        "dev-db-registry-stub",
        "dev-amqp-portal-gateway",
        "dev-amqp-con-intake",
        "dev-amqp-regional-gateway",
        "dev-amqp-provider",
        "dev-amqp-registry-stub",
        "dev-amqp-admin",
        # the services' enrollment tokens under dev-ra-token (deploy/.env.example lists them too)
        *(enrollment_token("dev-ra-token", participant.bin) for participant in PARTICIPANTS),
    }
)
"""Secret values published in the repository, which anyone can read (and forge tokens with)."""

MIN_TOKEN_SECRET_BYTES = 32
"""An HS256 secret's least length (RFC 7518 §3.2); `shared.auth.TokenIssuer` refuses shorter too."""


def var_dir() -> str:
    """Where SQLite files and the dev PKI live in the embedded default (``VAR_DIR``, default var/)."""
    return os.environ.get("VAR_DIR", "var")


def database_variable(service: str) -> str:
    """The environment variable holding ``service``'s database URL: ``DATABASE_URL_<SERVICE>``."""
    return f"DATABASE_URL_{service.upper()}"


def enrollment_variable(service: str) -> str:
    """The environment variable holding ``service``'s NCA enrollment token: ``NCA_ENROLLMENT_TOKEN_<SERVICE>``."""
    return f"NCA_ENROLLMENT_TOKEN_{service.upper()}"


class ServiceSettings(BaseSettings):
    # Settings carry secrets: a refusal names the variable, never echoes what was given.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, hide_input_in_errors=True)

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
    development: bool = Field(
        False,
        validation_alias=DEVELOPMENT_VARIABLE,
        description="a developer's machine: allows the published development secrets of deploy/.env.example",
    )
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
    nca_enrollment_token: str = Field(
        "",
        description="NCA_ENROLLMENT_TOKEN_<SERVICE>: the service's enrollment token (shared.eds.enrollment), with "
        "which the NCA certifies its system key (the key that signs its messages, and the gateway's stamps) and "
        "nothing else; empty: the service cannot sign (it logs an error, and what it would send waits in its "
        "outbox) unless it runs in the embedded default, which derives one from the RA token of the process",
    )
    own_certificate_check_s: float = Field(
        60.0,
        ge=0,
        validation_alias="OWN_CERTIFICATE_CHECK_S",
        description="how often, at most, a service asks the NCA whether its own system certificate was revoked "
        "(then it renews it); 0: before every signature",
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
            cls.model_fields["nca_enrollment_token"].validation_alias = enrollment_variable(cls.service_name)
            cls.model_rebuild(force=True)

    @field_validator("development", mode="before")
    @classmethod
    def _empty_is_off(cls, value: Any) -> Any:
        return False if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _refuse_published_secrets(self) -> ServiceSettings:
        """Start-up check: no secret (a field, or the password in ``DATABASE_URL_<SERVICE>`` or ``AMQP_URL``)
        holds a value of `KNOWN_DEVELOPMENT_SECRETS` unless ``EGOV_DEVELOPMENT=1``, and no token secret
        is shorter than 32 bytes. Empty stays allowed."""
        for name, value in self._secret_values():
            if name.endswith("TOKEN_SECRET") and value and len(value.encode()) < MIN_TOKEN_SECRET_BYTES:
                raise ValueError(f"{name} must have at least {MIN_TOKEN_SECRET_BYTES} bytes")
            if value in KNOWN_DEVELOPMENT_SECRETS and not self.development:
                raise ValueError(
                    f"{name} holds a development value published in deploy/.env.example, which anyone can read: "
                    f"set a secret of your own (or {DEVELOPMENT_VARIABLE}=1 on a developer's machine)"
                )
        return self

    def _secret_values(self) -> list[tuple[str, str]]:
        """(environment variable, value) of every text setting, and of the passwords inside the URLs."""
        found: list[tuple[str, str]] = []
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if not isinstance(value, str) or not value:
                continue
            alias = field.validation_alias
            variable = alias if isinstance(alias, str) else f"{self.model_config.get('env_prefix', '')}{name}".upper()
            found.append((variable, value))
            if "://" in value:
                try:
                    password = urlsplit(value).password
                except ValueError:
                    password = None
                if password:
                    found.append((f"the password in {variable}", unquote(password)))
        return found

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.database_url and self.service_name:
            from shared.db import sqlite_url

            self.database_url = sqlite_url(var_dir(), self.service_name)
        return self
