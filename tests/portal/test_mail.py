"""§17: the signed result is e-mailed when the application gives an address, through the portal's mail
outbox (services/portal_gateway/mailing.py): mailed once, with the signed result attached byte for byte;
a mail server that is down delays the mail and never loses or doubles it; no address, no mail.

The portal sends over real SMTP to an SMTP server in this test (`shared.mail.MaildirSmtpServer`, as
`make run` runs one), and the test reads the Maildir it keeps, as a tester reads ``var/mail/``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlmodel import col, select

from services.portal_gateway.app import create_app as create_portal
from services.portal_gateway.config import PortalSettings
from services.portal_gateway.models import Application, MailOutboxMessage
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.eds.signing import sign
from shared.housing.messages import SUBMITTED, result_key
from shared.mail import MaildirSmtpServer, attachments_of, read_maildir
from shared.participants import PORTAL
from tests.support.portal import TOKEN_SECRET, World
from tests.support.processes import free_port
from tests.support.services import running, sqlite_url

pytestmark = pytest.mark.asyncio(loop_scope="module")

RETRY_MAX_S = 0.2  # the longest wait between two attempts, kept short here


@dataclass
class MailWorld:
    world: World
    smtp: MaildirSmtpServer
    maildir: Path

    def mails(self, to: str | None = None) -> list[EmailMessage]:
        return read_maildir(self.maildir, to=to)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def mail(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MailWorld]:
    """The portal world of tests/support/portal.py, with ``SMTP_URL`` naming this test's SMTP server."""
    tmp = tmp_path_factory.mktemp("portal-mail")
    smtp = await MaildirSmtpServer(tmp / "mail", port=free_port()).start()
    try:
        async with running(tmp, bus_name="portal-mail-test", population_size=400) as env:
            sent: list[Envelope] = []

            async def gateway(delivery: Delivery) -> None:
                sent.append(delivery.envelope)

            await env.bus.subscribe("test.regional_gateway", [SUBMITTED], gateway)
            settings = PortalSettings(
                database_url=sqlite_url(tmp, "portal"),
                token_secret=TOKEN_SECRET,
                sms_dir=str(tmp / "sms"),
                smtp_url=smtp.url,
                mail_retry_max_s=RETRY_MAX_S,
            )
            portal = await env.start(
                "portal",
                lambda bus, verifier, credentials: create_portal(
                    settings, bus=bus, verifier=verifier, credentials=credentials("portal_gateway")
                ),
                base_url="http://portal.test",
            )
            world = World(
                portal=portal.client,
                registry=env.registry,
                pki=env.pki,
                bus=env.signing,
                db=portal.app.state.runtime.db,
                sent=sent,
                sms_dir=tmp / "sms",
            )
            yield MailWorld(world, smtp, tmp / "mail")
    finally:
        await smtp.close()


async def submitted(world: World, email: str | None) -> str:
    """An application submitted by a proven citizen, giving ``email`` (or none); its id."""
    iin, auth = await world.citizen()
    body: dict[str, Any] = {"email": email} if email else {}
    document = (await world.draft(auth, **body))["document"]
    assert document.get("email") == email
    response = await world.submit(auth, sign(document, await world.pki.issue(iin)))
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def result_for(world: World, application_id: str) -> dict[str, Any]:
    """A notification signed by the head of the housing department (an employee of the provider's BIN) and
    stamped by the regional gateway."""
    return await world.result(application_id)


async def publish_result(world: World, application_id: str, signed: dict[str, Any]) -> None:
    await world.from_gateway(result_key(PORTAL.address), application_id, signed)


async def in_cabinet(world: World, application_id: str) -> str:
    """Wait for the result to be stored; the text the portal keeps."""
    stored: list[str] = []

    async def arrived() -> bool:
        async with world.db.transaction() as session:
            row = await session.get(Application, application_id)
            stored[:] = [row.result_signed] if row is not None and row.result_signed else []
        return bool(stored)

    await world.until(arrived)
    return stored[0]


async def outbox(world: World, application_id: str) -> list[MailOutboxMessage]:
    async with world.db.transaction() as session:
        query = select(MailOutboxMessage).where(col(MailOutboxMessage.application_id) == application_id)
        return list((await session.exec(query)).all())


async def sent_out(world: World, application_id: str) -> None:
    async def done() -> bool:
        rows = await outbox(world, application_id)
        return bool(rows) and all(row.sent_at is not None for row in rows)

    await world.until(done)


async def test_the_result_is_mailed_once_with_the_signed_result_attached(mail: MailWorld) -> None:
    world, address = mail.world, "citizen.one@example.kz"
    application_id = await submitted(world, address)
    signed = await result_for(world, application_id)
    await publish_result(world, application_id, signed)
    stored = await in_cabinet(world, application_id)
    await sent_out(world, application_id)

    [message] = mail.mails(address)
    assert message["To"] == address and message["From"] == "noreply@egov.kz"
    assert message["Subject"] == "Мемлекеттік қызмет көрсету нәтижесі / Результат оказания государственной услуги"
    [row] = await outbox(world, application_id)
    assert message["Message-ID"] == f"<{row.id}@egov.kz>" and row.attempts == 0
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Мемлекеттік қызмет көрсету нәтижесі" in text and "Результат оказания государственной услуги" in text
    assert f"result-{application_id}.json" in text
    [(name, content_type, content)] = attachments_of(message)
    assert (name, content_type) == (f"result-{application_id}.json", "application/json")
    assert content == stored.encode("utf-8"), "the signed result as the cabinet keeps it, byte for byte"
    assert json.loads(content) == signed
    verified = await world.portal.post("/api/v1/edocs/verify", json=json.loads(content))
    assert verified.status_code == 200 and verified.json()["valid"] is True, verified.text

    # The same result again (another envelope; and that envelope twice): still one mail.
    await publish_result(world, application_id, signed)
    await publish_result(world, application_id, signed)
    marker = await submitted(world, None)  # messages are handled in order: once its result is in, so are those
    await publish_result(world, marker, await result_for(world, marker))
    await in_cabinet(world, marker)
    assert len(await outbox(world, application_id)) == 1
    assert len(mail.mails(address)) == 1


async def test_a_mail_server_that_is_down_delays_the_mail_and_never_loses_or_doubles_it(mail: MailWorld) -> None:
    world, address = mail.world, "citizen.two@example.kz"
    application_id = await submitted(world, address)
    await mail.smtp.close()
    try:
        await publish_result(world, application_id, await result_for(world, application_id))
        await in_cabinet(world, application_id)

        async def tried_twice() -> bool:
            rows = await outbox(world, application_id)
            return bool(rows) and rows[0].attempts >= 2

        await world.until(tried_twice)
        [row] = await outbox(world, application_id)
        assert row.sent_at is None and row.last_error, "pending, with why"
        assert mail.mails(address) == []
    finally:
        await mail.smtp.start()  # back, on the same port

    await sent_out(world, application_id)
    [message] = mail.mails(address)
    [row] = await outbox(world, application_id)
    assert message["Message-ID"] == f"<{row.id}@egov.kz>" and row.attempts >= 2
    [(name, _, _)] = attachments_of(message)
    assert name == f"result-{application_id}.json"


async def test_no_address_no_mail(mail: MailWorld) -> None:
    world = mail.world
    before = len(mail.mails())
    application_id = await submitted(world, None)
    await publish_result(world, application_id, await result_for(world, application_id))
    await in_cabinet(world, application_id)
    assert await outbox(world, application_id) == []
    assert len(mail.mails()) == before
