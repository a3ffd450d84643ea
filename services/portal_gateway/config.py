"""Settings of portal_gateway: env prefix ``PORTAL_GATEWAY_``, database under ``DATABASE_URL_PORTAL_GATEWAY``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from shared.mail import parse_smtp_url
from shared.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    service_name: ClassVar[str] = "portal_gateway"

    port: int = 8001
    token_secret: str = Field(
        "",
        description="HS256 secret of the citizens' access tokens (PORTAL_GATEWAY_TOKEN_SECRET, at least 32 bytes); "
        "empty: a random one per process, so tokens do not survive a restart. Set the same value on every replica.",
    )
    token_ttl_minutes: int = Field(15, ge=1, le=24 * 60, description="Lifetime of a citizen's access token")
    sms_dir: str = Field(
        "",
        description="Where the SMS sink keeps every text message the portal sends (one-time codes), one JSON file "
        "each (PORTAL_GATEWAY_SMS_DIR); empty: <VAR_DIR>/sms",
    )
    smtp_url: str = Field(
        "",
        validation_alias="SMTP_URL",
        description="The mail server the signed results are e-mailed through (§17): smtp://[user[:password]@]host"
        "[:port][?starttls=0|1] or smtps://…; empty: the embedded default runs one that keeps every message under "
        "<VAR_DIR>/mail/, and a portal alone keeps its mail pending in its outbox (warned at start)",
    )
    mail_from: str = Field(
        "noreply@egov.kz",
        max_length=200,
        description="The From address of the portal's e-mails (PORTAL_GATEWAY_MAIL_FROM)",
    )
    mail_retry_max_s: float = Field(
        300.0,
        gt=0,
        description="The longest wait between two attempts to send one e-mail (PORTAL_GATEWAY_MAIL_RETRY_MAX_S); "
        "the wait doubles from 1 s up to it",
    )

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        if value.strip():
            parse_smtp_url(value)
        return value.strip()
