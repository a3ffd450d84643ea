"""The embedded default (architecture §2): all five services in one process, each on its own port,
sharing nothing but the bus: the in-memory bus, or RabbitMQ when ``AMQP_URL`` is set.

    python -m services          # what `make run` runs

Every service has the NCA certify its system key (what signs its messages; the gateway's stamps) over
the NCA's HTTP API with its enrollment token (`shared.eds.enrollment`), derived from the registration
authority's token. When ``NCA_RA_TOKEN`` is not set, this process makes a random one for the
registry_stub and derives the others' enrollment tokens from it; none is logged. Separate processes
(``python -m services.<name>``, compose) need ``NCA_RA_TOKEN`` for the registry_stub and each service's
``NCA_ENROLLMENT_TOKEN_<SERVICE>`` under it (``python -m client nca-enrollment-token``).

Unless ``SMTP_URL`` names a mail server, this process also runs one (`shared.mail.MaildirSmtpServer`, on
the loopback, a free port) that keeps every e-mail it is given in the Maildir ``<VAR_DIR>/mail/``, and
the portal sends its e-mails (§17) to it over SMTP; the banner says where.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from services.con_intake.app import create_app as con_intake
from services.con_intake.config import ConIntakeSettings
from services.portal_gateway.app import create_app as portal_gateway
from services.portal_gateway.config import PortalSettings
from services.provider.app import create_app as provider
from services.provider.config import ProviderSettings
from services.regional_gateway.app import create_app as regional_gateway
from services.regional_gateway.config import RegionalGatewaySettings
from services.registry_stub.app import create_app as registry_stub
from services.registry_stub.config import RegistryStubSettings
from shared.bus.amqp import AmqpBus
from shared.bus.memory import InMemoryBus
from shared.bus.port import Bus
from shared.db import describe_url
from shared.eds.enrollment import enrollment_token
from shared.logging import configure_logging
from shared.mail import MaildirSmtpServer, describe_smtp_url
from shared.participants import BY_SERVICE
from shared.runner import serve_many
from shared.settings import ServiceSettings, var_dir

FACTORIES = (
    (portal_gateway, PortalSettings),
    (con_intake, ConIntakeSettings),
    (regional_gateway, RegionalGatewaySettings),
    (provider, ProviderSettings),
    (registry_stub, RegistryStubSettings),
)


def banner(
    bus: Bus,
    apps: Sequence[tuple[FastAPI, ServiceSettings]],
    *,
    ra_token_set: bool = True,
    mail: MaildirSmtpServer | None = None,
) -> str:
    if isinstance(bus, AmqpBus):
        bus_line = f"RabbitMQ {describe_url(bus.url)} (exchange {bus.namespace!r})"
    else:
        bus_line = "in-memory (this process only; set AMQP_URL for RabbitMQ)"
    portal = next(s for _, s in apps if isinstance(s, PortalSettings))
    if mail is not None:
        mail_line = f"SMTP {mail.url} (this process), every e-mail kept in {mail.directory}/ (Maildir)"
    elif portal.smtp_url:
        mail_line = f"SMTP_URL {describe_smtp_url(portal.smtp_url)}"
    else:
        mail_line = "none: e-mails wait in the portal's outbox"
    lines = [
        "",
        "e-gov housing queue: five services",
        f"  bus: {bus_line}",
        f"  mail: {mail_line}",
        "  services, databases and API docs:",
    ]
    for app, settings in apps:
        name = app.state.runtime.spec.name
        lines.append(
            f"    {name:<17} http://{settings.host}:{settings.port}/docs   {describe_url(settings.database_url)}"
        )
    by_name = {app.state.runtime.spec.name: settings for app, settings in apps}
    registry, provider = by_name["registry_stub"], by_name["provider"]
    lines += [
        "  demo accounts:",
        f"    citizens  any persona: http://{registry.host}:{registry.port}/api/v1/personas?trait=eligible "
        "(register on the portal, get a key: python -m client nca-issue)",
        f"    staff     specialist|head|commission-chair|….<district> at http://{provider.host}:{provider.port}"
        "/api/v1/staff/token; password: "
        "PROVIDER_DEMO_PASSWORD, or the one the provider logs at its first start",
        "    gateway   admin token: REGIONAL_GATEWAY_ADMIN_TOKEN, or the one the gateway logs at start",
        "    NCA       registration authority token (system certificates, revocation): "
        + (
            "NCA_RA_TOKEN as set"
            if ra_token_set
            else "made for this process and not shown; set NCA_RA_TOKEN to use your own"
        ),
        "  Ctrl-C stops them all.",
    ]
    return "\n".join(lines) + "\n"


def share_ra_token(settings: Sequence[ServiceSettings]) -> bool:
    """One RA token for the NCA (``NCA_RA_TOKEN`` when it is set, else a random one made now), and each
    other service its enrollment token under it (`shared.eds.enrollment`; one set in the environment
    is kept). True when the RA token was set."""
    registry = next(s for s in settings if isinstance(s, RegistryStubSettings))
    given = bool(registry.nca_ra_token)
    registry.nca_ra_token = registry.nca_ra_token or secrets.token_urlsafe(32)
    for each in settings:
        bin_ = BY_SERVICE[each.service_name].bin
        each.nca_enrollment_token = each.nca_enrollment_token or enrollment_token(registry.nca_ra_token, bin_)
    return given


async def main() -> None:
    settings = [settings_cls() for _, settings_cls in FACTORIES]
    configure_logging(settings[0].log_level)
    ra_token_set = share_ra_token(settings)
    first = settings[0]
    bus: Bus = (
        AmqpBus(first.amqp_url, first.bus_namespace, connection_name="embedded")
        if first.amqp_url
        else InMemoryBus(first.bus_namespace)
    )
    portal = next(s for s in settings if isinstance(s, PortalSettings))
    mail = None if portal.smtp_url else await MaildirSmtpServer(Path(var_dir()) / "mail").start()
    if mail is not None:
        portal.smtp_url = mail.url
    await bus.start()
    try:
        apps = [(factory(s, bus=bus), s) for (factory, _), s in zip(FACTORIES, settings, strict=True)]  # type: ignore[operator]
        print(banner(bus, apps, ra_token_set=ra_token_set, mail=mail), file=sys.stderr, flush=True)
        drain = bus.drain if isinstance(bus, InMemoryBus) else None
        await serve_many(apps, before_exit=(lambda: drain(5.0)) if drain else None)
    finally:
        await bus.close()
        if mail is not None:
            await mail.close()


if __name__ == "__main__":
    asyncio.run(main())
