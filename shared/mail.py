"""E-mail (§17: the signed result "sent to the recipient's e-mail, when the application gives one").

- `MailMessage`: what is sent — to, subject, text, an optional attachment (name, bytes, content
  type) and a Message-ID; `compose` makes the RFC 5322 message (UTF-8 text, the attachment as it is,
  base64).
- `SmtpSender`: sends over SMTP to the server ``SMTP_URL`` names (`parse_smtp_url`):
  ``smtp://[user[:password]@]host[:port][?starttls=0|1]`` (port 25 by default; STARTTLS when the
  server offers it, unless ``starttls=0``; ``starttls=1`` requires it) or ``smtps://…`` (TLS from the
  first byte, port 465 by default). User and password are percent-decoded; the password never reaches
  a log (`describe_smtp_url`, and `SmtpConfig`'s repr, show ``[redacted]``).
- `MaildirSink`: keeps each message in a Maildir instead of sending it (tests, development).
- `MaildirSmtpServer`: an SMTP server (aiosmtpd) in this event loop that keeps every message it is
  given in a Maildir: the embedded default's mail server (`make run`: ``var/mail/``), so the portal
  sends over real SMTP and testers read what it sent there (`read_maildir`, or any Maildir reader).

Nothing here retries: a sender raises when the server refuses or cannot be reached, and the caller's
outbox keeps the mail for a later attempt (services/portal_gateway/mailing.py).
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.logging import REDACTED, get_logger, redact_text

log = get_logger(__name__)

SMTP_TIMEOUT_S = 30.0
"""How long one SMTP conversation may take (connect, TLS, every command)."""

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class MailMessage:
    """One e-mail. ``message_id`` (``<…@…>``): the same for every attempt to send one mail, so that a
    receiver can tell a mail sent twice (after a crash between sending and recording it) from two."""

    to: str
    subject: str
    text: str
    attachment: Attachment | None = None
    message_id: str | None = None


def compose(message: MailMessage, *, sender: str) -> EmailMessage:
    """The RFC 5322 message: the text as UTF-8, the attachment (if any) as its bytes, base64."""
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    if message.message_id:
        email["Message-ID"] = message.message_id
    email.set_content(message.text, charset="utf-8")
    if message.attachment is not None:
        maintype, _, subtype = message.attachment.content_type.partition("/")
        email.add_attachment(
            message.attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=message.attachment.name,
        )
    return email


class MailSender(Protocol):
    """What sends an e-mail: raises when it was not accepted."""

    async def send(self, message: MailMessage) -> None: ...


# --- SMTP -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send: parsed from ``SMTP_URL`` by `parse_smtp_url`."""

    host: str
    port: int
    use_tls: bool = False
    start_tls: bool | None = None
    """None: STARTTLS when the server offers it; True: required; False: never."""
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """The URL without its password, for logs and the start banner."""
        user = ""
        if self.username is not None:
            user = self.username + (f":{REDACTED}" if self.password is not None else "") + "@"
        query = "" if self.start_tls is None else f"?starttls={int(self.start_tls)}"
        return f"{'smtps' if self.use_tls else 'smtp'}://{user}{self.host}:{self.port}{query}"

    def __repr__(self) -> str:
        return f"SmtpConfig({self.describe()!r})"


def parse_smtp_url(url: str) -> SmtpConfig:
    """``smtp://[user[:password]@]host[:port][?starttls=0|1]`` or ``smtps://…``. ValueError (which never
    quotes the URL: it may hold a password) for another scheme, no host, a bad port or parameter."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError("SMTP_URL: not a URL with a valid port") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("SMTP_URL: the scheme must be smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("SMTP_URL: no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError("SMTP_URL: only smtp[s]://[user[:password]@]host[:port][?starttls=0|1]")
    start_tls: bool | None = None
    for name, values in parse_qs(parts.query, keep_blank_values=True).items():
        if name != "starttls" or len(values) != 1 or values[0].lower() not in ("0", "1", "true", "false"):
            raise ValueError("SMTP_URL: the only parameter is starttls=0 or starttls=1")
        start_tls = values[0].lower() in ("1", "true")
    if scheme == "smtps" and start_tls:
        raise ValueError("SMTP_URL: smtps:// is TLS already; starttls=1 goes with smtp://")
    return SmtpConfig(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        use_tls=scheme == "smtps",
        start_tls=False if scheme == "smtps" else start_tls,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def describe_smtp_url(url: str) -> str:
    """``url`` for a log: parsed and shown without its password; one that does not parse, redacted."""
    try:
        return parse_smtp_url(url).describe()
    except ValueError:
        return redact_text(url)


class SmtpSender:
    """Sends each message over one SMTP conversation with the server of ``config``, from ``sender``."""

    def __init__(self, config: SmtpConfig | str, *, sender: str, timeout: float = SMTP_TIMEOUT_S) -> None:
        self.config = parse_smtp_url(config) if isinstance(config, str) else config
        self.sender = sender
        self.timeout = timeout

    async def send(self, message: MailMessage) -> None:
        config = self.config
        await aiosmtplib.send(
            compose(message, sender=self.sender),
            sender=self.sender,
            recipients=[message.to],
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.use_tls,
            start_tls=config.start_tls,
            timeout=self.timeout,
        )

    def __repr__(self) -> str:
        return f"SmtpSender({self.config.describe()!r})"


# --- Maildir --------------------------------------------------------------------------------------


def _deliver(directory: Path, raw: bytes) -> str:
    """Keep ``raw`` in the Maildir at ``directory`` (made when missing): written under tmp/, then moved
    to new/, so a reader never sees half a message. Its key."""
    return str(_maildir(directory).add(raw))


def _maildir(directory: Path) -> mailbox.Maildir:
    """The Maildir at ``directory``, made (with its parents) when missing."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(directory, create=True)


class MaildirSink:
    """Keeps each message in the Maildir at ``directory`` instead of sending it."""

    def __init__(self, directory: Path | str, *, sender: str) -> None:
        self.directory = Path(directory)
        self.sender = sender

    async def send(self, message: MailMessage) -> None:
        raw = compose(message, sender=self.sender).as_bytes()
        key = await asyncio.to_thread(_deliver, self.directory, raw)
        log.info("mail kept in the Maildir", maildir=str(self.directory), key=key)


def read_maildir(directory: Path | str, *, to: str | None = None) -> list[EmailMessage]:
    """The messages of the Maildir at ``directory``, oldest first (as delivered); only those to ``to``
    when it is given."""
    folder = Path(directory)
    if not (folder / "new").is_dir():
        return []
    paths = [p for sub in ("new", "cur") for p in (folder / sub).iterdir() if not p.name.startswith(".")]
    found = []
    for path in sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name)):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        if to is None or to in str(message.get("To", "")):
            found.append(message)
    return found


def attachments_of(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    """(file name, content type, bytes) of each attachment of ``message``."""
    found = []
    for part in message.iter_attachments():
        content = part.get_payload(decode=True)
        assert isinstance(part, EmailMessage) and isinstance(content, bytes)
        found.append((part.get_filename() or "", part.get_content_type(), content))
    return found


class _MaildirHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw or "").encode("utf-8")
        key = await asyncio.to_thread(_deliver, self.directory, data)
        log.info("mail received", maildir=str(self.directory), key=key, recipients=len(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class MaildirSmtpServer:
    """An SMTP server in the running event loop, on ``host`` (loopback by default) and ``port`` (0: any
    free one), that keeps every message in the Maildir at ``directory``. No TLS and no login: it is for
    this machine's processes (the embedded default), never to be published."""

    def __init__(self, directory: Path | str, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def start(self) -> MaildirSmtpServer:
        # aiosmtpd logs every command at INFO (addresses, and a client's AUTH line): only its warnings here.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        await asyncio.to_thread(_maildir, self.directory)
        handler = _MaildirHandler(self.directory)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(handler, hostname="localhost", ident="egov-housing-queue mail", loop=loop),
            self.host,
            self.port,
        )
        sockets: Sequence[Any] = self._server.sockets
        self.port = int(sockets[0].getsockname()[1])
        log.info("mail server listening", url=self.url, maildir=str(self.directory))
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
