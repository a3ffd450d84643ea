"""shared/mail.py: SMTP_URL's forms and refusals, the password kept out of every log and repr, the
message as composed (the attachment byte for byte), the Maildir sink, and the in-process SMTP server
with the SMTP sender over the loopback (a server that is not there is an error, never a silent loss)."""

from __future__ import annotations

import json
import logging
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import aiosmtplib
import pytest
import structlog

from shared.logging import configure_logging, get_logger
from shared.mail import (
    Attachment,
    MaildirSink,
    MaildirSmtpServer,
    MailMessage,
    SmtpConfig,
    SmtpSender,
    attachments_of,
    compose,
    describe_smtp_url,
    parse_smtp_url,
    read_maildir,
)
from shared.settings import KNOWN_DEVELOPMENT_SECRETS

SECRET = "s3cr#t/p@ss"
URL = "smtp://mailer%40egov.kz:s3cr%23t%2Fp%40ss@mail.example.kz:587?starttls=1"
RESULT = json.dumps({"payload": "eyJ0eXBlIjoi0J3QsNGC0LjQttC1In0", "signatures": [{"protected": "x"}]}).encode()


def message(**overrides: object) -> MailMessage:
    fields: dict[str, object] = {
        "to": "citizen@example.kz",
        "subject": "Мемлекеттік қызмет көрсету нәтижесі / Результат оказания государственной услуги",
        "text": "Нәтиже дайын.\nРезультат готов.",
        "attachment": Attachment("result-1.json", RESULT, "application/json"),
        "message_id": "<m-1@egov.kz>",
    }
    return MailMessage(**{**fields, **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", SmtpConfig("127.0.0.1", 1025)),
        ("smtp://mailpit", SmtpConfig("mailpit", 25)),
        ("smtps://mail.example.kz", SmtpConfig("mail.example.kz", 465, use_tls=True, start_tls=False)),
        ("smtp://mail.example.kz:587?starttls=1", SmtpConfig("mail.example.kz", 587, start_tls=True)),
        ("smtp://relay:25?starttls=0", SmtpConfig("relay", 25, start_tls=False)),
        ("SMTP://user@relay:2525/", SmtpConfig("relay", 2525, username="user")),
        (URL, SmtpConfig("mail.example.kz", 587, start_tls=True, username="mailer@egov.kz", password=SECRET)),
    ],
)
def test_the_smtp_url_forms(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://user:s3cr3t@mail:25",
        "smtp://user:s3cr3t@:25",
        "smtp://user:s3cr3t@mail:port",
        "smtp://user:s3cr3t@mail:99999",
        "smtp://user:s3cr3t@mail:25/inbox",
        "smtp://user:s3cr3t@mail:25?tls=yes",
        "smtp://user:s3cr3t@mail:25?starttls=maybe",
        "smtps://user:s3cr3t@mail?starttls=1",
        "mail:25",
    ],
)
def test_a_bad_smtp_url_is_refused_without_quoting_it(url: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_smtp_url(url)
    assert "s3cr3t" not in str(refused.value) and str(refused.value).startswith("SMTP_URL: ")


def test_the_password_is_in_no_description_repr_or_log(capsys: pytest.CaptureFixture[str]) -> None:
    config = parse_smtp_url(URL)
    assert config.describe() == "smtp://mailer@egov.kz:[redacted]@mail.example.kz:587?starttls=1"
    assert describe_smtp_url(URL) == config.describe()
    assert SECRET not in repr(config) and SECRET not in repr(SmtpSender(config, sender="noreply@egov.kz"))
    assert describe_smtp_url("smtp://user:s3cr3t@mail:bad") == "smtp://user:[redacted]@mail:bad"
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        configure_logging("DEBUG", "json")
        get_logger("tests.mail").warning("mail server", smtp_url=URL, smtp=describe_smtp_url(URL), config=config)
    finally:
        structlog.contextvars.clear_contextvars()
        configure_logging("INFO", "json")
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "mail.example.kz" in err and "s3cr" not in err and "%23t" not in err


def test_a_published_development_password_in_smtp_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from services.portal_gateway.config import PortalSettings

    secret = sorted(s for s in KNOWN_DEVELOPMENT_SECRETS if s.startswith("dev-"))[0]
    monkeypatch.setenv("SMTP_URL", f"smtp://portal:{secret}@mailpit:1025")
    with pytest.raises(ValidationError) as refused:
        PortalSettings()
    assert "EGOV_DEVELOPMENT" in str(refused.value) and secret not in str(refused.value)
    monkeypatch.setenv("SMTP_URL", "ftp://mailpit")
    with pytest.raises(ValidationError):
        PortalSettings()
    monkeypatch.setenv("SMTP_URL", " smtp://mailpit:1025 ")
    assert PortalSettings().smtp_url == "smtp://mailpit:1025"


def test_the_composed_message_carries_the_attachment_byte_for_byte() -> None:
    email = compose(message(), sender="noreply@egov.kz")
    parsed = read_back(email.as_bytes())
    assert parsed["From"] == "noreply@egov.kz" and parsed["To"] == "citizen@example.kz"
    assert parsed["Subject"] == message().subject and parsed["Message-ID"] == "<m-1@egov.kz>"
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content().replace("\r\n", "\n") == "Нәтиже дайын.\nРезультат готов.\n"
    assert attachments_of(parsed) == [("result-1.json", "application/json", RESULT)]
    assert attachments_of(read_back(compose(message(attachment=None), sender="a@b.kz").as_bytes())) == []


def read_back(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


async def test_the_maildir_sink_keeps_each_message(tmp_path: Path) -> None:
    sink = MaildirSink(tmp_path / "var" / "mail", sender="noreply@egov.kz")  # var/ made too
    assert read_maildir(tmp_path / "var" / "mail") == []
    await sink.send(message())
    await sink.send(message(to="other@example.kz", message_id="<m-2@egov.kz>"))
    kept = read_maildir(tmp_path / "var" / "mail")
    assert [m["Message-ID"] for m in kept] == ["<m-1@egov.kz>", "<m-2@egov.kz>"]
    to_other = read_maildir(tmp_path / "var" / "mail", to="other@example.kz")
    assert [m["Message-ID"] for m in to_other] == ["<m-2@egov.kz>"]
    assert {p.name for p in (tmp_path / "var" / "mail").iterdir()} == {"cur", "new", "tmp"}


async def test_the_smtp_sender_delivers_to_the_in_process_server(tmp_path: Path) -> None:
    server = await MaildirSmtpServer(tmp_path / "var" / "mail").start()  # var/ made too
    try:
        assert server.url == f"smtp://127.0.0.1:{server.port}" and server.port > 0
        await SmtpSender(server.url, sender="noreply@egov.kz", timeout=5).send(message())
    finally:
        await server.close()
    [kept] = read_maildir(tmp_path / "var" / "mail")
    assert kept["To"] == "citizen@example.kz" and kept["Message-ID"] == "<m-1@egov.kz>"
    assert attachments_of(kept) == [("result-1.json", "application/json", RESULT)]


async def test_a_server_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    server = await MaildirSmtpServer(tmp_path / "mail").start()
    await server.close()  # its port is free again: nobody listens
    with pytest.raises((aiosmtplib.SMTPException, OSError)):
        await SmtpSender(server.url, sender="noreply@egov.kz", timeout=5).send(message())
    assert read_maildir(tmp_path / "mail") == []
