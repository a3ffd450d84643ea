"""Public Service Center (ХҚО / ЦОН) operator workstation: the composition root (architecture §8).

Built so far (architecture §11): the Center's branches (`branches.py`), the operators and branch heads
of each branch with their login (§19 Process 1), and each branch's visitor queue — tickets, windows,
the wait and its 15-minute limit (§12 item 3), the day's figures; and the intake at the operator's desk
(`intake.py`: §19 Processes 2–6 — the written consent, the registries, the §14 checklist, the Annex 5
refusal or the signed application with its acceptance receipt, the journal) with what the gateway reports
back about the applications sent (`handlers.py`); the results received, the issuance window (§17), unclaimed
results with the Annex 4 register and the late recall (`issuance.py`, §14 item 1); the register of originals to
the provider at the day's register times (`registers.py`, Annex 1 step 2), and the provider's signed answers to
what the Center hands it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from services.con_intake import handlers, operators
from services.con_intake.api import intake as intake_api
from services.con_intake.api import issuance as issuance_api
from services.con_intake.api import operators as operators_api
from services.con_intake.api import queue as queue_api
from services.con_intake.api import registers as registers_api
from services.con_intake.branches import BRANCHES
from services.con_intake.config import ConIntakeSettings
from shared import test_clock
from shared.auth import TokenIssuer
from shared.bus.port import Bus
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.credentials import SignerSource
from shared.eds.verify import Verifier
from shared.logging import disclose, get_logger
from shared.passwords import PasswordHasher
from shared.registries import RegistryClient
from shared.service import ServiceRuntime, ServiceSpec, create_service_app

log = get_logger(__name__)

SPEC = ServiceSpec(
    name="con_intake",
    title="Public Service Center (ХҚО / ЦОН) operator workstation",
    description="The Public Service Center's operator workstation (ХҚО АЖ): the Center's branches, the login of "
    "their operators and heads (§19 Process 1), and each branch's visitor queue — tickets, windows, the wait and "
    "its 15-minute limit (§12 item 3), the day's figures; the intake of applications at the desk (§19 Processes 2–6): "
    "the recipient's written consent, the registries and the §14 checklist, the Annex 5 refusal (§16) or the "
    "application signed by the operator, sent through the regional gateway, with its acceptance receipt; the results "
    "at the issuance window (§17), unclaimed ones handed to the provider with the Annex 4 register, the late recall.",
    migrations=Path(__file__).parent / "migrations",
)

OPENAPI_TAGS = [
    {
        "name": "operators",
        "description": "Login of the Center's operators and branch heads: a token bound to one branch.",
    },
    {
        "name": "queue",
        "description": "The visitor queue of the operator's branch (§12 item 3: at most 15 minutes' wait): tickets, "
        "calls to windows, the waits, the day's figures.",
    },
    {
        "name": "intake",
        "description": "§19 Processes 2–6 at the operator's desk: the recipient's written consent, the registries "
        "and the §14 checklist, the documents presented, the Annex 5 refusal (§16) or the application signed and sent "
        "with its acceptance receipt; the branch's journal (Annex 1 step 1).",
    },
    {
        "name": "issuance",
        "description": "§19 Process 9 and §17: the results my branch received, handed over at the window against the "
        "acceptance receipt; unclaimed results after a month and the Annex 4 register to the provider, signed by the "
        "head; the late recall (§14 item 1), asked of the provider and brought back by its signed answer.",
    },
    {
        "name": "registers",
        "description": "Annex 1 step 2: the register (тізілім) of the applications accepted, to each district's "
        "authorized body at the day's register times (twice a working day), and the provider's acceptance.",
    },
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(
    settings: ConIntakeSettings | None = None,
    *,
    bus: Bus | None = None,
    verifier: Verifier | None = None,
    credentials: SignerSource | None = None,
    registries: RegistryClient | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The con_intake app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``. ``verifier``, ``registries``:
    replacements for the ones the settings make (tests). ``clock``: the time tickets are issued,
    called and judged at, and logins counted at (default: the wall clock, UTC; with ``TEST_CLOCK=1`` one testers may
    set, shared/test_clock.py)."""
    settings = settings or ConIntakeSettings()
    runtime = ServiceRuntime.build(
        SPEC,
        settings,
        bus=bus,
        verifier=verifier,
        credentials=credentials,
        registries=registries,
    )
    passwords = PasswordHasher()
    seed = partial(
        seed_demo_operators, runtime.db, passwords=passwords, demo_password=settings.demo_password.get_secret_value()
    )
    app = create_service_app(
        runtime,
        [
            operators_api.router,
            queue_api.router,
            intake_api.router,
            intake_api.journal_router,
            issuance_api.router,
            registers_api.router,
            *([test_clock.router(SPEC.name)] if settings.test_clock else []),
        ],
        handlers=handlers.table(verifier=runtime.verifier),
        on_startup=[seed],
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.tokens = TokenIssuer(
        audience=SPEC.name,
        secret=settings.token_secret.get_secret_value(),
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    app.state.passwords = passwords
    if clock is None and settings.test_clock:
        test_clock.warn_on(SPEC.name)
        clock = test_clock.TestClock()
    app.state.clock = clock or utcnow
    return app


async def seed_demo_operators(db: Database, *, passwords: PasswordHasher, demo_password: str) -> None:
    """Start-up hook (after the migrations, before the service takes deliveries or reports ready): the
    demo roster (`operators.ROSTER`: per branch two operators and the head, logins ``<seat>.<branch>``)
    with ``demo_password``, or a random one logged once (never a password in the code). A roster seeded
    earlier is completed with the seats it lacks, under the same password (the hash an existing demo
    account has), unless ``demo_password`` is given."""
    async with db.sessions() as session:
        present = await operators.demo_logins_present(session)
    expected = len(BRANCHES) * len(operators.ROSTER)
    if len(present) == expected:
        return
    password = demo_password or ("" if present else secrets.token_urlsafe(12))
    password_hash = await passwords.hash(password) if password else next(iter(present.values()))
    accounts = operators.demo_roster(password_hash=password_hash, missing_from=set(present))
    try:
        async with db.transaction() as session:
            await operators.add_accounts(session, accounts=accounts)
    except IntegrityError:
        log.info("demo operator accounts were seeded by another replica")
        return
    logins = f"<seat>.<branch> ({len(accounts)}; seats: {', '.join(seat.prefix for seat in operators.ROSTER)})"
    if demo_password or present:
        log.info("demo operator accounts created", logins=logins, same_password_as_before=bool(present))
    else:
        log.warning(
            "demo operator accounts created with a random password (shown once; set CON_INTAKE_DEMO_PASSWORD to "
            "choose it)",
            logins=logins,
            password=disclose(password),
        )
