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

With ``AUTOPILOT=1`` this process also runs the autopilot (architecture §6, `client.autopilot`) once the
provider, the Center and the NCA answer ``/ready``: a client in a worker thread that plays every district's demo
staff over the provider's and the NCA's HTTP APIs (their real URLs), so that every application reaches its
result within seconds, and the back office of every branch of the Center over its operator API (the registers
of originals at the register times, the unclaimed results with the Annex 4 register). It logs in with the demo
staff's password: ``PROVIDER_DEMO_PASSWORD``, or, when that is not set, one this process makes once and keeps in
``<VAR_DIR>/provider-demo-password`` (mode 0600; the banner names the file) and gives the provider to seed the
roster with; and likewise with the Center's demo operators' password: ``CON_INTAKE_DEMO_PASSWORD``, or the one
kept in ``<VAR_DIR>/con-intake-demo-password`` (a Center seeded earlier with another password refuses it: the
autopilot logs that once and leaves the Center to people).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr

from client.autopilot import Autopilot, ready_urls, serve
from services.con_intake.app import create_app as con_intake
from services.con_intake.branches import BRANCHES
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
    autopilot: str | None = None,
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
    registry, provider, center = by_name["registry_stub"], by_name["provider"], by_name["con_intake"]
    lines += [
        "  demo accounts:",
        f"    citizens  any persona: http://{registry.host}:{registry.port}/api/v1/personas?trait=eligible "
        "(register on the portal, get a key: python -m client nca-issue)",
        f"    staff     specialist|head|commission-chair|….<district> at http://{provider.host}:{provider.port}"
        "/api/v1/staff/token; password: "
        "PROVIDER_DEMO_PASSWORD, or the one the provider logs at its first start",
        f"    operators operator-1|operator-2|head.<branch> at http://{center.host}:{center.port}"
        "/api/v1/operators/token; password: CON_INTAKE_DEMO_PASSWORD, or the one the Center logs at its first start "
        "(with AUTOPILOT=1: the one the autopilot line names)",
        "    gateway   admin token: REGIONAL_GATEWAY_ADMIN_TOKEN, or the one the gateway logs at start",
        "    NCA       registration authority token (system certificates, revocation): "
        + (
            "NCA_RA_TOKEN as set"
            if ra_token_set
            else "made for this process and not shown; set NCA_RA_TOKEN to use your own"
        ),
        "  autopilot: "
        + (autopilot or "off (AUTOPILOT=1: the demo staff of every district decide each application in seconds)"),
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


AUTOPILOT = "AUTOPILOT"
DEMO_PASSWORD_FILE = "provider-demo-password"
CENTER_PASSWORD_FILE = "con-intake-demo-password"


def autopilot_enabled() -> bool:
    return os.environ.get(AUTOPILOT, "").strip().lower() in ("1", "true", "yes", "on")


def _kept_password(name: str) -> tuple[str, Path]:
    """The password kept in ``<VAR_DIR>/<name>``, made now (mode 0600) when there is none."""
    path = Path(var_dir()) / name
    password = path.read_text().strip() if path.exists() else ""
    if not password:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        password = secrets.token_urlsafe(12)
        path.write_text(password + "\n")
    return password, path


def autopilot_password(provider: ProviderSettings) -> tuple[str, Path | None]:
    """The demo staff's password for the autopilot: ``PROVIDER_DEMO_PASSWORD`` when set; else the one kept in
    ``<VAR_DIR>/provider-demo-password`` (made now, mode 0600, when there is none), which the provider is given
    to seed its roster with. With the file, where it is."""
    given = provider.demo_password.get_secret_value()
    if given:
        return given, None
    password, path = _kept_password(DEMO_PASSWORD_FILE)
    provider.demo_password = SecretStr(password)
    return password, path


def center_password(center: ConIntakeSettings) -> tuple[str, Path | None]:
    """The Center's demo operators' password for the autopilot: ``CON_INTAKE_DEMO_PASSWORD`` when set; else the
    one kept in ``<VAR_DIR>/con-intake-demo-password`` (made now, mode 0600, when there is none), which the
    Center is given to seed its roster with (a roster seeded before keeps its password). With the file, where
    it is."""
    given = center.demo_password.get_secret_value()
    if given:
        return given, None
    password, path = _kept_password(CENTER_PASSWORD_FILE)
    center.demo_password = SecretStr(password)
    return password, path


def local_url(settings: ServiceSettings) -> str:
    """Where this process reaches a service it serves: its host and port (a wildcard host: the loopback)."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(settings.host, settings.host)
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.port}"


def make_autopilot(settings: Sequence[ServiceSettings]) -> tuple[Autopilot, str]:
    """The autopilot on the provider's, the Center's and the NCA's URLs, with the demo passwords (the Center's
    branches: `services.con_intake.branches.BRANCHES`), and the banner's line."""
    provider = next(s for s in settings if isinstance(s, ProviderSettings))
    registry = next(s for s in settings if isinstance(s, RegistryStubSettings))
    center = next(s for s in settings if isinstance(s, ConIntakeSettings))
    password, kept_in = autopilot_password(provider)
    operators_password, operators_kept_in = center_password(center)
    pilot = Autopilot(
        local_url(provider),
        local_url(registry),
        password,
        ra_token=registry.nca_ra_token or None,
        center_url=local_url(center),
        center_password=operators_password,
        branches=[branch.code for branch in BRANCHES],
    )
    where = f"; the demo staff's password is in {kept_in}" if kept_in else " (PROVIDER_DEMO_PASSWORD)"
    center_where = (
        f"; the Center's demo operators' password is in {operators_kept_in}"
        if operators_kept_in
        else " (CON_INTAKE_DEMO_PASSWORD)"
    )
    return pilot, f"on: plays the demo staff of every district{where}, and every branch's back office{center_where}"


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
    pilot, pilot_line = make_autopilot(settings) if autopilot_enabled() else (None, None)
    stop_pilot = threading.Event()
    piloting: asyncio.Task[None] | None = None

    async def before_exit() -> None:
        stop_pilot.set()
        if piloting is not None:
            await asyncio.wait([piloting], timeout=15.0)
        if isinstance(bus, InMemoryBus):
            await bus.drain(5.0)

    await bus.start()
    try:
        apps = [(factory(s, bus=bus), s) for (factory, _), s in zip(FACTORIES, settings, strict=True)]  # type: ignore[operator]
        print(
            banner(bus, apps, ra_token_set=ra_token_set, mail=mail, autopilot=pilot_line), file=sys.stderr, flush=True
        )
        if pilot is not None:
            ready = ready_urls(pilot.provider_url, pilot.nca_url, *([pilot.center_url] if pilot.center_url else []))
            piloting = asyncio.create_task(serve(pilot, ready=ready, stop=stop_pilot))
        await serve_many(apps, before_exit=before_exit)
    finally:
        stop_pilot.set()
        if piloting is not None:
            await asyncio.wait([piloting], timeout=15.0)
        await bus.close()
        if mail is not None:
            await mail.close()


if __name__ == "__main__":
    asyncio.run(main())
