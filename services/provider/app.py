"""Service provider: the housing department and the housing commission (the authorized body,
көрсетілетін қызметті беруші) — the composition root (architecture §8).

It takes in the applications the regional gateway delivers (Annex 1 step 3), checks each against §14
(Condition 3 of §18) and §15 on the state registries' answers, and keeps the case register of each
district; its staff move each case through Annex 1 steps 4–9 (the head's resolution, the preparation,
the housing commission's signed protocol, the result the head signs, its dispatch through the regional
gateway to the citizen), each step's due time on the Kazakhstan calendar. It takes in what the Public Service
Center hands each district's department (its registers of originals and of unclaimed results, its late
recalls), which the staff acknowledge with a signed answer sent back to the Center.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from services.provider import handlers, staff
from services.provider.api import cases as cases_api
from services.provider.api import handovers as handovers_api
from services.provider.api import meetings as meetings_api
from services.provider.api import sla as sla_api
from services.provider.api import staff as staff_api
from services.provider.api import steps as steps_api
from services.provider.config import ProviderSettings
from shared import test_clock
from shared.auth import TokenIssuer
from shared.bus.port import Bus
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.credentials import SignerSource
from shared.eds.verify import Verifier
from shared.geo import DISTRICTS
from shared.logging import disclose, get_logger
from shared.passwords import PasswordHasher
from shared.registries import RegistryClient
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

log = get_logger(__name__)

SPEC = ServiceSpec(
    name="provider",
    title="Service provider: housing department and housing commission",
    description="The authorized body (көрсетілетін қызметті беруші): the city/district housing department and "
    "the housing commission: the intake of the applications the regional gateway delivers (Annex 1 step 3), "
    "checked against §14 (Condition 3) and §15; the case register of each district; Annex 1 steps 4–9 (the head's "
    "resolution, the preparation, the commission's signed protocol, the signed result and its dispatch to the "
    "citizen through the regional gateway); each step's terms on the Kazakhstan calendar; what the Public Service "
    "Center hands the department (registers of originals and of unclaimed results, late recalls) and the staff's "
    "signed acknowledgment of each.",
    migrations=Path(__file__).parent / "migrations",
)

OPENAPI_TAGS = [
    {"name": "staff", "description": "Login of the housing department's staff and the housing commission."},
    {
        "name": "cases",
        "description": "The case register of the staff member's district: every application the regional gateway "
        "delivered, registered at Annex 1 step 3 and checked against §14 (Condition 3), with its status history.",
    },
    {
        "name": "steps",
        "description": "Annex 1 steps 4–9 on one case: the head's resolution, the preparation for the commission, "
        "the draft result, the head's signature, the dispatch. Documents are signed on the client side with the staff "
        "member's employee key (the department's BIN).",
    },
    {
        "name": "commission",
        "description": "The housing commission's meetings: the agenda, the protocol signed by every member present.",
    },
    {
        "name": "handovers",
        "description": "What the Public Service Center hands the district's department: the registers of originals "
        "(Annex 1 step 2), the Annex 4 registers of unclaimed results, the late recalls (§14 item 1); and the signed "
        "acknowledgment sent back (Annex 1 step 3).",
    },
    {
        "name": "sla",
        "description": "The terms: every open case's due time, overdue and due today; the Center's handovers "
        "waiting for an acknowledgment.",
    },
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(
    settings: ProviderSettings | None = None,
    *,
    bus: Bus | None = None,
    verifier: Verifier | None = None,
    credentials: SignerSource | None = None,
    registries: RegistryClient | None = None,
) -> FastAPI:
    """The provider app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``. ``verifier`` and ``registries``:
    given (a test's), else made from the settings. Its business clock (``app.state.clock``) is the wall clock, or with
    ``TEST_CLOCK=1`` one testers may set (shared/test_clock.py)."""
    settings = settings or ProviderSettings()
    runtime = ServiceRuntime.build(
        SPEC, settings, bus=bus, verifier=verifier, credentials=credentials, registries=registries
    )
    passwords = PasswordHasher()
    seed = partial(
        seed_demo_staff, runtime.db, passwords=passwords, demo_password=settings.demo_password.get_secret_value()
    )
    table = handlers.table(
        verifier=runtime.verifier,
        registries=runtime.registries,
        credentials=runtime.credentials,
        gateway_bin=settings.gateway_bin,
    )
    app = create_service_app(
        runtime,
        [
            staff_api.router,
            cases_api.router,
            steps_api.router,
            meetings_api.router,
            handovers_api.router,
            sla_api.router,
            *([test_clock.router(SPEC.name)] if settings.test_clock else []),
        ],
        handlers=table,
        on_startup=[seed],
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.tokens = TokenIssuer(
        audience=SPEC.name,
        secret=settings.token_secret.get_secret_value(),
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    app.state.passwords = passwords
    if settings.test_clock:
        test_clock.warn_on(SPEC.name)
    app.state.clock = test_clock.TestClock() if settings.test_clock else utcnow
    return app


async def seed_demo_staff(db: Database, *, passwords: PasswordHasher, demo_password: str) -> None:
    """Start-up hook (after the migrations, before the service takes deliveries or reports ready): the
    demo roster (`staff.ROSTER`: per district a specialist, the head and a commission of five, logins
    ``<seat>.<district>``) with ``demo_password``, or a random one logged once (never a password in the
    code). A roster seeded earlier is completed with the seats it lacks, under the same password (the
    hash an existing demo account has), unless ``demo_password`` is given."""
    async with db.transaction() as session:
        present = await staff.demo_logins_present(session)
        await staff.name_demo_people(session)
    expected = len(DISTRICTS) * len(staff.ROSTER)
    if len(present) == expected:
        return
    password = demo_password or ("" if present else secrets.token_urlsafe(12))
    password_hash = await passwords.hash(password) if password else next(iter(present.values()))
    accounts = staff.demo_roster(password_hash=password_hash, missing_from=set(present))
    try:
        async with db.transaction() as session:
            await staff.add_accounts(session, accounts=accounts)
    except IntegrityError:
        log.info("demo staff accounts were seeded by another replica")
        return
    logins = f"<seat>.<district> ({len(accounts)}; seats: {', '.join(seat.prefix for seat in staff.ROSTER)})"
    if demo_password or present:
        log.info("demo staff accounts created", logins=logins, same_password_as_before=bool(present))
    else:
        log.warning(
            "demo staff accounts created with a random password (shown once; set PROVIDER_DEMO_PASSWORD to choose it)",
            logins=logins,
            password=disclose(password),
        )
