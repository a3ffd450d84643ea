"""Settings of regional_gateway: env prefix ``REGIONAL_GATEWAY_``, database under ``DATABASE_URL_REGIONAL_GATEWAY``
(``NCA_RA_TOKEN``, for certifying its system key, is every service's: `shared.settings`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from shared.settings import ServiceSettings


class RegionalGatewaySettings(ServiceSettings):
    service_name: ClassVar[str] = "regional_gateway"

    port: int = 8003
    admin_token: str = Field(
        "",
        description="Bearer token of the gateway's workstation (admin and evidence endpoints); empty: a random one "
        "is made at start and logged once",
    )
    registration_prefix: str = Field(
        "KRG", pattern=r"^[A-Z]{2,8}$", description="Prefix of registration numbers (Karaganda regional gateway)"
    )
    delivery_limit: int = Field(
        5, ge=0, description="Redeliveries of a message whose handling fails before it is dead-lettered"
    )
