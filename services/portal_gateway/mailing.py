"""E-mail of the signed result (§17): "sent to the recipient's e-mail (when the application gives one)",
in addition to the personal cabinet (regulation §17, reading R19).

`enqueue_result_mail` runs in the transaction that stores the result (handlers.py `apply_result`): the
mail is a row of the mail outbox (`MailOutboxMessage`), committed with the result or not at all. It goes
to the address the signed application gives, else the account's; with neither, nothing is mailed. Its
id is derived from the application and the result's SHA-256, so the same result arriving again is not
mailed twice. The text is short, in Kazakh and Russian, and tells nothing of the decision: the decision
is the attached e-document, ``result-<application id>.json``, the signed result byte for byte as the
cabinet keeps it (checkable with the portal's `POST /api/v1/edocs/verify` or `python -m client verify`).

`MailRelay` sends the outbox, as the kernel's outbox relay publishes its own (shared/bus/outbox.py):
it claims due rows with a lease (committed before it talks to the mail server, so no database lock is
held meanwhile), sends each, and marks it sent in a transaction of its own. A mail the server does not
accept (down, unreachable, refusing) stays pending and is tried again after a wait that doubles from 1 s
up to ``PORTAL_GATEWAY_MAIL_RETRY_MAX_S``; it is never dropped. A crash between the server's acceptance
and the mark sends it once more when the lease runs out (at least once; the Message-ID is the same on
every attempt, so a mail reader can tell). With no mail server configured (``SMTP_URL`` empty outside
the embedded default) the relay does not run: mails wait in the outbox, and the start is logged as a
warning with how many wait; they go once the portal is started with ``SMTP_URL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from datetime import datetime, timedelta

import aiosmtplib
from sqlalchemy import func
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway import accounts
from services.portal_gateway.api.catalogue import HOUSING_QUEUE
from services.portal_gateway.config import PortalSettings
from services.portal_gateway.models import Application, MailOutboxMessage
from shared.bus.outbox import claim_due
from shared.calendar import utcnow
from shared.db import Database, note_outbox_written
from shared.eds.signing import payload_of
from shared.logging import get_logger
from shared.mail import SMTP_TIMEOUT_S, Attachment, MailMessage, MailSender, SmtpSender, describe_smtp_url

log = get_logger(__name__)

RESULT_CONTENT_TYPE = "application/json"
SUBJECT = "Мемлекеттік қызмет көрсету нәтижесі / Результат оказания государственной услуги"
SEND_DEADLINE_S = 2 * SMTP_TIMEOUT_S
"""The longest one mail may take to send, whatever the server does."""
BATCH_SIZE = 10
CLAIM_LEASE = timedelta(seconds=2 * BATCH_SIZE * SEND_DEADLINE_S)
"""Longer than a claimed batch may take to send: only then may another relay take its rows over."""
_ROW_ERRORS = (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPDataError, aiosmtplib.SMTPSenderRefused)
"""Refusals of one mail (its address, its content): the next mail may still go now. Any other failure
(the server is down, unreachable, slow, refuses the login) is the server's: the batch's rest waits too."""


def result_attachment_name(application_id: str) -> str:
    return f"result-{application_id}.json"


def application_email(row: Application) -> str | None:
    """The e-mail address the signed application gives, if any (verified when it was submitted)."""
    try:
        email = payload_of(json.loads(row.signed)).get("email")
    except (ValueError, KeyError, TypeError):
        return None
    return email.strip() if isinstance(email, str) and email.strip() else None


def result_text(row: Application, attachment: str) -> str:
    """The mail's text, Kazakh then Russian: that the result of the state service is attached, no more."""
    number = row.registration_number or row.id
    submitted = row.submitted_at.date().isoformat()
    return (
        "Құрметті көрсетілетін қызметті алушы!\n\n"
        f"Мемлекеттік қызмет көрсету нәтижесі дайын: «{HOUSING_QUEUE.names['kk']}».\n"
        f"Өтініш: № {number}, {submitted}.\n\n"
        "Нәтиже — көрсетілетін қызметті берушінің уәкілетті тұлғасының ЭЦҚ-мен қол қойылған электрондық "
        f"құжат — осы хатқа тіркелген ({attachment}). Ол жеке кабинетте де бар.\n"
        "Бұл хат автоматты түрде жіберілді, оған жауап бермеңіз.\n\n"
        "---\n\n"
        "Уважаемый услугополучатель!\n\n"
        f"Результат оказания государственной услуги готов: «{HOUSING_QUEUE.names['ru']}».\n"
        f"Заявление: № {number}, {submitted}.\n\n"
        "Результат — электронный документ, подписанный ЭЦП уполномоченного лица услугодателя, — приложен "
        f"к этому письму ({attachment}). Он также доступен в личном кабинете.\n"
        "Письмо отправлено автоматически, не отвечайте на него.\n"
    )


def result_mail_id(application_id: str, result: bytes) -> str:
    """The mail's id (and its Message-ID's left part): 128 bits of SHA-256 over the application and the result."""
    return hashlib.sha256(b"result\x00" + application_id.encode() + b"\x00" + result).hexdigest()[:32]


async def enqueue_result_mail(session: AsyncSession, row: Application) -> bool:
    """In the caller's transaction: the mail of ``row``'s signed result to the application's address, else
    the account's. False when there is no address, or this result was mailed (or is waiting) already."""
    if not row.result_signed:
        return False
    to = application_email(row) or await accounts.email_of(session, iin=row.iin)
    if not to:
        log.info("no e-mail address on the application or the account: the result is not mailed", issue=row.id)
        return False
    content = row.result_signed.encode("utf-8")
    mail_id = result_mail_id(row.id, content)
    if await session.get(MailOutboxMessage, mail_id) is not None:
        return False
    name = result_attachment_name(row.id)
    session.add(
        MailOutboxMessage(
            id=mail_id,
            application_id=row.id,
            to_address=to,
            subject=SUBJECT,
            text=result_text(row, name),
            attachment_name=name,
            attachment_type=RESULT_CONTENT_TYPE,
            attachment=content,
        )
    )
    note_outbox_written(session)  # wakes the mail relay after the commit
    log.info("result e-mail queued", issue=row.id, mail_id=mail_id)
    return True


def retry_delay(attempts: int, longest_s: float) -> timedelta:
    return timedelta(seconds=min(2.0 ** (attempts - 1), longest_s))


def sender_from(settings: PortalSettings) -> MailSender | None:
    """The SMTP sender ``SMTP_URL`` names; None when it is empty."""
    return SmtpSender(settings.smtp_url, sender=settings.mail_from) if settings.smtp_url else None


class MailRelay:
    """Sends the mail outbox through ``sender`` (None: nothing is sent, mail waits); woken after every
    commit that wrote a mail, and polling besides (for retries and rows a crash left claimed)."""

    def __init__(
        self,
        db: Database,
        sender: MailSender | None,
        *,
        mail_domain: str = "egov.kz",
        target: str = "",
        poll_interval: float = 1.0,
        retry_max_s: float = 300.0,
    ) -> None:
        self.db, self.sender, self.mail_domain, self.target = db, sender, mail_domain, target
        self.poll_interval, self.retry_max_s = poll_interval, retry_max_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        db.on_outbox_commit(self._wake.set)

    @classmethod
    def from_settings(cls, db: Database, settings: PortalSettings) -> MailRelay:
        return cls(
            db,
            sender_from(settings),
            mail_domain=settings.mail_from.rpartition("@")[2] or "egov.kz",
            target=describe_smtp_url(settings.smtp_url) if settings.smtp_url else "",
            poll_interval=min(1.0, settings.mail_retry_max_s),
            retry_max_s=settings.mail_retry_max_s,
        )

    async def start(self) -> None:
        """A start-up hook (after the migrations): run the relay, or say why mail waits."""
        if self.sender is None:
            log.warning(
                "SMTP_URL is not set: e-mails of results wait in the mail outbox until the portal runs with it",
                pending=await self.pending(),
            )
            return
        if self._task is None:
            log.info("mail relay started", smtp=self.target)
            self._task = asyncio.create_task(self._run(), name="mail-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def pending(self) -> int:
        async with self.db.transaction() as session:
            query = select(func.count()).select_from(MailOutboxMessage).where(col(MailOutboxMessage.sent_at).is_(None))
            return int((await session.exec(query)).one())

    async def _claim(self) -> tuple[list[MailOutboxMessage], datetime]:
        """Due mails, claimed for this relay as the kernel's outbox claims its rows."""
        return await claim_due(self.db, MailOutboxMessage, limit=BATCH_SIZE, lease_for=CLAIM_LEASE)

    def message(self, row: MailOutboxMessage) -> MailMessage:
        attachment = None
        if row.attachment is not None:
            attachment = Attachment(
                row.attachment_name or "attachment", row.attachment, row.attachment_type or "application/octet-stream"
            )
        return MailMessage(
            to=row.to_address,
            subject=row.subject,
            text=row.text,
            attachment=attachment,
            message_id=f"<{row.id}@{self.mail_domain}>",
        )

    async def send_once(self) -> int:
        """Claim one batch of due mails, send them, record each outcome; how many were sent."""
        assert self.sender is not None
        rows, lease = await self._claim()
        sent = 0
        for index, row in enumerate(rows):
            try:
                await asyncio.wait_for(self.sender.send(self.message(row)), SEND_DEADLINE_S)
            except Exception as error:
                await self._failed(row, lease, error)
                if not isinstance(error, _ROW_ERRORS):
                    await self._release(rows[index + 1 :], lease, retry_delay(row.attempts + 1, self.retry_max_s))
                    break
                continue
            await self._sent(row, lease)
            sent += 1
        return sent

    async def _sent(self, row: MailOutboxMessage, lease: datetime) -> None:
        async with self.db.transaction() as session:
            await session.exec(
                update(MailOutboxMessage)
                .where(col(MailOutboxMessage.id) == row.id, col(MailOutboxMessage.claimed_until) == lease)
                .values(sent_at=utcnow(), claimed_until=None)
            )
        log.info("result e-mail sent", issue=row.application_id, mail_id=row.id, attempts=row.attempts + 1)

    async def _failed(self, row: MailOutboxMessage, lease: datetime, error: BaseException) -> None:
        attempts = row.attempts + 1
        delay = retry_delay(attempts, self.retry_max_s)
        async with self.db.transaction() as session:
            await session.exec(
                update(MailOutboxMessage)
                .where(col(MailOutboxMessage.id) == row.id, col(MailOutboxMessage.claimed_until) == lease)
                .values(
                    attempts=attempts,
                    next_attempt_at=utcnow() + delay,
                    last_error=repr(error)[:1000],
                    claimed_until=None,
                )
            )
        log.warning(
            "e-mail not accepted by the mail server; it waits and is tried again",
            issue=row.application_id,
            mail_id=row.id,
            attempts=attempts,
            retry_in_s=delay.total_seconds(),
            smtp=self.target,
            error=repr(error)[:300],
        )

    async def _release(self, rows: list[MailOutboxMessage], lease: datetime, delay: timedelta) -> None:
        """Give back the claim on ``rows``, not tried (the server failed on an earlier one): due after ``delay``."""
        if not rows:
            return
        async with self.db.transaction() as session:
            await session.exec(
                update(MailOutboxMessage)
                .where(
                    col(MailOutboxMessage.id).in_([r.id for r in rows]), col(MailOutboxMessage.claimed_until) == lease
                )
                .values(claimed_until=None, next_attempt_at=utcnow() + delay)
            )

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.send_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mail relay failed; retrying")
                sent = 0
                await asyncio.sleep(self.poll_interval)
            if sent >= BATCH_SIZE:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
