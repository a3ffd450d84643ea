"""Settings of con_intake: env prefix ``CON_INTAKE_``, database under ``DATABASE_URL_CON_INTAKE``."""

from __future__ import annotations

from typing import ClassVar

from shared.settings import ServiceSettings


class ConIntakeSettings(ServiceSettings):
    service_name: ClassVar[str] = "con_intake"

    port: int = 8002
