"""Public Service Center (ХҚО / ЦОН) operator workstation: the composition root.

Today the service is its skeleton: health, readiness, its database and the bus. The Center's work
(architecture §11) is not built yet.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.con_intake import handlers
from services.con_intake.config import ConIntakeSettings
from shared.bus.port import Bus
from shared.eds.credentials import SignerSource
from shared.eds.verify import Verifier
from shared.registries import RegistryClient
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="con_intake",
    title="Public Service Center (ХҚО / ЦОН) operator workstation",
    description="The Public Service Center's operator workstation (ХҚО АЖ). Not built yet beyond health and readiness.",
    migrations=Path(__file__).parent / "migrations",
)


def create_app(
    settings: ConIntakeSettings | None = None,
    *,
    bus: Bus | None = None,
    verifier: Verifier | None = None,
    credentials: SignerSource | None = None,
    registries: RegistryClient | None = None,
) -> FastAPI:
    """The con_intake app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``. ``verifier``, ``registries``:
    replacements for the ones the settings make (tests)."""
    runtime = ServiceRuntime.build(
        SPEC,
        settings or ConIntakeSettings(),
        bus=bus,
        verifier=verifier,
        credentials=credentials,
        registries=registries,
    )
    return create_service_app(runtime, [], handlers=handlers.table())
