"""Settings of con_intake: env prefix ``CON_INTAKE_``, database under ``DATABASE_URL_CON_INTAKE``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class ConIntakeSettings(ServiceSettings):
    service_name: ClassVar[str] = "con_intake"

    port: int = 8002
    test_clock: bool = Field(
        False,
        validation_alias="TEST_CLOCK",
        description="Test mode: the business clock testers may set (`GET`/`PUT /api/v1/test/clock`, "
        "shared/test_clock.py); never in production",
    )
    token_secret: SecretStr = Field(
        SecretStr(""),
        description="HS256 secret of operators' tokens (the same on every replica); empty: a random one per process",
    )
    token_ttl_minutes: int = Field(15, ge=1, le=24 * 60, description="lifetime of an operator's token")
    demo_password: SecretStr = Field(
        SecretStr(""),
        description="Password of the demo operator accounts seeded at the first start (operator-1.<branch>, "
        "operator-2.<branch>, head.<branch>); empty: a random one, logged once as a warning",
    )
