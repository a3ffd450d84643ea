"""Settings of regional_gateway: env prefix ``REGIONAL_GATEWAY_``, database under ``DATABASE_URL_REGIONAL_GATEWAY``,
and ``NCA_RA_TOKEN`` (unprefixed, as the NCA names it) for certifying the gateway's own stamping key."""

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
    admin_token: str = Field(
        "",
        description="Bearer token of the gateway's workstation (admin and evidence endpoints); empty: a random one "
        "is made at start and logged once",
    )
    nca_ra_token: str = Field(
        "",
        validation_alias="NCA_RA_TOKEN",
        description="Registration authority token the NCA asks for before certifying the gateway's system key "
        "(not needed when the NCA runs in test mode)",
    )
    registration_prefix: str = Field(
        "KRG", pattern=r"^[A-Z]{2,8}$", description="Prefix of registration numbers (Karaganda regional gateway)"
    )
    delivery_limit: int = Field(
        5, ge=0, description="Redeliveries of a message whose handling fails before it is dead-lettered"
    )
