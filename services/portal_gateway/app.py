"""e-Government portal (ЭҮП, egov.kz): the composition root.

The e-government portal (ЭҮП): citizen accounts and login (IIN and password, or EDS), the service
form, EDS checks (§18 Condition 2), the personal cabinet (жеке кабинет) and public verification of
signed e-documents. `create_app` builds the runtime, the collaborators the routes use
(api/deps.py), the handler table (handlers.py) and the mail relay (mailing.py, §17).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.portal_gateway import accounts, handlers, identity, mailing
from services.portal_gateway.api import applications, attachments, auth, catalogue, edocs
from services.portal_gateway.config import PortalSettings
from shared.auth import TokenIssuer
from shared.bus.port import Bus
from shared.eds.credentials import SignerSource
from shared.eds.verify import Verifier
from shared.passwords import PasswordHasher
from shared.registries import RegistryClient
from shared.service import ServiceRuntime, ServiceSpec, create_service_app
from shared.settings import var_dir
from shared.sms import FileSmsSink

SPEC = ServiceSpec(
    name="portal_gateway",
    title="e-Government portal (ЭҮП, egov.kz)",
    description="The e-government portal (ЭҮП): citizen accounts and login (IIN and password, or EDS), the service "
    "form, EDS checks (§18 Condition 2), the personal cabinet (жеке кабинет) and public verification of signed "
    "e-documents.",
    migrations=Path(__file__).parent / "migrations",
)

OPENAPI_TAGS = [
    {
        "name": "accounts",
        "description": "Registration, login with IIN and password, with the EDS or with a one-time SMS code (§18 steps "
        "1–4); the last two prove the account's identity.",
    },
    {"name": "services", "description": "The service catalogue."},
    {"name": "attachments", "description": "E-copies of documents, referenced from the application by SHA-256 (§14)."},
    {"name": "applications", "description": "The form, the signed submission and the personal cabinet (§18)."},
    {"name": "e-documents", "description": "Public verification of signed e-documents."},
    {"name": "operations", "description": "Liveness and readiness."},
]


def create_app(
    settings: PortalSettings | None = None,
    *,
    bus: Bus | None = None,
    verifier: Verifier | None = None,
    credentials: SignerSource | None = None,
    registries: RegistryClient | None = None,
) -> FastAPI:
    """The portal_gateway app. ``bus``: a bus shared with other services in this process (the embedded
    default); without it the service makes its own from ``AMQP_URL``. ``verifier`` and ``registries``:
    given instead of those the settings make (a test's, trusting its own NCA)."""
    settings = settings or PortalSettings()
    runtime = ServiceRuntime.build(
        SPEC, settings, bus=bus, verifier=verifier, credentials=credentials, registries=registries
    )
    tokens = TokenIssuer(
        audience=accounts.AUDIENCE, secret=settings.token_secret, ttl=timedelta(minutes=settings.token_ttl_minutes)
    )
    routers = [auth.router, catalogue.router, attachments.router, applications.router, edocs.router]
    # §17: the mail outbox's relay, sending through SMTP_URL (none set: mail waits, warned at start).
    mail_relay = mailing.MailRelay.from_settings(runtime.db, settings)
    runtime.closers.insert(0, mail_relay.stop)
    app = create_service_app(
        runtime,
        routers,
        handlers=handlers.table(verifier=runtime.verifier),
        on_startup=[mail_relay.start],
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.tokens, app.state.hasher, app.state.mail_relay = tokens, PasswordHasher(), mail_relay
    sms_dir = Path(settings.sms_dir) if settings.sms_dir else Path(var_dir()) / "sms"
    app.state.sms = identity.SmsChannel(FileSmsSink(sms_dir), identity.code_key(settings.token_secret))
    return app
