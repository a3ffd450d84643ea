"""Public Service Center (ХҚО / ЦОН) operator workstation.

The Public Service Center's operator workstation (ХҚО АЖ): operators, visitor queue tickets, intakes and receipts (қолхат), registers (тізілім) sent to the provider, the issuance window and unclaimed results (SPEC §9, §14, §16).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.con_intake.config import ConIntakeSettings
from shared.bus.port import Bus
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="con_intake",
    title="Public Service Center (ХҚО / ЦОН) operator workstation",
    description="The Public Service Center's operator workstation (ХҚО АЖ): operators, visitor queue tickets, intakes and receipts (қолхат), registers (тізілім) sent to the provider, the issuance window and unclaimed results (SPEC §9, §14, §16).",
    migrations=Path(__file__).parent / "migrations",
    sender="KZ/GOV/140440000207/con",
)


def create_app(settings: ConIntakeSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    """The con_intake app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``."""
    runtime = ServiceRuntime.build(SPEC, settings or ConIntakeSettings(), bus)
    return create_service_app(runtime)
