"""LOG_FORMAT: one JSON object per line for machines, structlog's console lines for a person, the same
fields either way, stdlib (uvicorn) records through the same renderer, and no crash over a bad value.
No secret reaches the output at any level: the drivers' loggers stay at WARNING, and secret keys and
secret-looking values are redacted."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from shared.logging import configure_logging, get_logger, log_context, resolve_format

IDS = {
    "service": "portal_gateway",
    "correlation_id": "corr-42",
    "message_id": "msg-7",
    "queue": "portal_gateway.results",
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()
    configure_logging("INFO", "json")
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if line.strip()]


def _log_one() -> None:
    with log_context(**IDS):
        get_logger("tests.logging").info("result delivered to the personal cabinet", issue="app-1")


def test_json_gives_one_parseable_object_per_line_with_the_bound_fields(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    configure_logging("INFO")
    _log_one()
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["event"] == "result delivered to the personal cabinet"
    assert {k: record[k] for k in IDS} == IDS
    assert record["issue"] == "app-1" and record["level"] == "info" and record["timestamp"]


def test_console_gives_a_human_line_with_the_event_and_the_field_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "console")
    configure_logging("INFO")
    _log_one()
    lines = _lines(capsys.readouterr().err)
    assert len(lines) == 1
    with pytest.raises(ValueError):
        json.loads(lines[0])
    assert "result delivered to the personal cabinet" in lines[0]
    for key, value in IDS.items():
        assert f"{key}={value}" in lines[0]
    assert "\x1b[" not in lines[0], "no colours when stderr is not a terminal"


def test_without_a_terminal_and_without_log_format_it_is_json(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    assert resolve_format() == ("json", None)
    assert resolve_format("") == ("json", None), "an empty LOG_FORMAT (compose's ${LOG_FORMAT:-}) is unset"
    configure_logging("INFO")
    _log_one()
    record = json.loads(_lines(pipe.getvalue())[0])
    assert {k: record[k] for k in IDS} == IDS


def test_on_a_terminal_without_log_format_it_is_console_in_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert resolve_format() == ("console", None)
    configure_logging("INFO")
    _log_one()
    line = terminal.getvalue().strip()
    assert "result delivered to the personal cabinet" in line and "corr-42" in line and "\x1b[" in line


def test_stdlib_and_uvicorn_records_go_through_the_same_renderer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "json")
    with log_context(**IDS):
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8001")
    record = json.loads(_lines(capsys.readouterr().err)[0])
    assert record["event"] == "Uvicorn running on http://127.0.0.1:8001" and record["logger"] == "uvicorn.error"
    assert record["correlation_id"] == "corr-42"

    configure_logging("INFO", "console")
    with log_context(**IDS):
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8001")
    line = _lines(capsys.readouterr().err)[0]
    assert "Uvicorn running on http://127.0.0.1:8001" in line and "correlation_id=corr-42" in line
    with pytest.raises(ValueError):
        json.loads(line)


def test_an_unknown_log_format_logs_json_and_warns_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "pretty-please")
    assert resolve_format() == ("json", "pretty-please")
    configure_logging("INFO")
    configure_logging("INFO")  # every service of `make run` configures it: still one warning
    _log_one()
    records = [json.loads(line) for line in _lines(capsys.readouterr().err)]
    warnings = [r for r in records if r.get("log_format") == "pretty-please"]
    assert len(warnings) == 1 and warnings[0]["level"] == "warning"
    assert records[-1]["event"] == "result delivered to the personal cabinet"


@pytest.mark.parametrize(("given", "expected"), [("JSON", "json"), (" Console ", "console")])
def test_the_value_is_read_leniently(given: str, expected: str) -> None:
    assert resolve_format(given) == (expected, None)


def test_the_level_still_applies(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning", "json")
    get_logger("tests.logging").info("not shown")
    get_logger("tests.logging").warning("shown")
    assert [json.loads(line)["event"] for line in _lines(capsys.readouterr().err)] == ["shown"]


# --- no secret in the log, whatever LOG_LEVEL is ---------------------------------------------------


def _private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _secret_fragments(pem: str) -> list[str]:
    """Pieces of the key that must not appear: each base64 line (also as a repr would show it)."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


@pytest.mark.parametrize("fmt", ["json", "console"])
async def test_at_debug_a_database_write_logs_no_private_key_and_no_password_hash(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reproduction: LOG_LEVEL=DEBUG and a real Database on SQLite writing a CA's key and a password
    hash (aiosqlite printed every call with its arguments), and events carrying secrets by key or value."""
    from sqlalchemy import text

    from shared.db import Database, sqlite_url
    from shared.passwords import PasswordHasher

    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    configure_logging(os.environ["LOG_LEVEL"], fmt)
    pem = _private_key_pem()
    password = "correct horse battery staple"
    password_hash = await PasswordHasher().hash(password)
    assert password_hash.startswith("$argon2")
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI5MDAxMDEzMDAwMTciLCJyb2xlIjoiY2l0aXplbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

    db = Database(sqlite_url(tmp_path, "secrets"))
    try:
        async with db.transaction() as session:
            connection = await session.connection()
            await connection.execute(text("CREATE TABLE ca (role TEXT, private_key_pem TEXT, password_hash TEXT)"))
            await connection.execute(
                text("INSERT INTO ca VALUES (:role, :key, :hash)"), {"role": "root", "key": pem, "hash": password_hash}
            )
        async with db.sessions() as session:
            connection = await session.connection()
            row = (await connection.execute(text("SELECT private_key_pem, password_hash FROM ca"))).one()
        assert tuple(row) == (pem, password_hash)
    finally:
        await db.dispose()

    log = get_logger("tests.logging")
    log.debug("debug is on", probe="visible")
    log.info("account created", password=password, password_hash=password_hash, login="specialist.nura")
    log.info("issued", ca={"private_key_pem": pem, "serial": "0a1b"}, headers=[f"Authorization: Bearer {token}"])
    log.info(f"stored {pem}")  # a secret in the message itself
    logging.getLogger("some.library").debug("hash %s, token %s", password_hash, token)
    logging.getLogger("aiosqlite").warning("still shown: %s", "a warning")
    try:
        raise ValueError(f"(sqlite3.IntegrityError) [parameters: ({pem!r}, {password_hash!r})]")
    except ValueError:
        log.exception("write failed")
        exc_info = sys.exc_info()
    # A stdlib record carrying an exception, rendered after the except block.
    logging.getLogger("some.library").error("later", exc_info=exc_info)

    captured = capsys.readouterr()
    output = captured.err + captured.out
    assert "debug is on" in output and "visible" in output, "DEBUG really is on"
    assert "still shown: a warning" in output, "the quiet loggers still say what goes wrong"
    assert "specialist.nura" in output and "0a1b" in output, "what is not secret is kept"
    assert "write failed" in output and output.count("IntegrityError") >= 2, "both tracebacks are shown"
    assert "INSERT INTO ca" not in output, "the driver and SQL loggers print no statement (nor its parameters)"
    for secret in [password, password_hash, token, "PRIVATE KEY-----\\n", *_secret_fragments(pem)]:
        assert secret not in output, f"{secret[:24]}... was logged"
    assert "[redacted]" in output


def test_the_driver_and_sql_loggers_stay_at_warning_whatever_the_level() -> None:
    from shared.logging import QUIET_LOGGERS

    assert {"sqlalchemy.engine", "sqlalchemy.pool", "aiosqlite", "asyncpg", "aio_pika", "aiormq", "httpx"} <= set(
        QUIET_LOGGERS
    )
    for level in ("DEBUG", "INFO", "DEBUG"):
        configure_logging(level, "json")
        assert logging.getLogger().level == getattr(logging, level)
        for name in QUIET_LOGGERS:
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("password_hash", True),
        ("demo_password", True),
        ("secret", True),
        ("token_secret", True),
        ("admin_token", True),
        ("access_token", True),
        ("NCA_RA_TOKEN", True),
        ("private_key", True),
        ("private_key_pem", True),
        ("key_pem", True),
        ("pkcs12", True),
        ("p12", True),
        ("authorization", True),
        ("Authorization", True),
        ("routing_key", False),
        ("key_usage", False),
        ("passport", False),
        ("iin", False),
        ("serial", False),
        ("user_id", False),
        ("event", False),
    ],
)
def test_secret_keys(key: str, secret: bool) -> None:
    from shared.logging import is_secret_key

    assert is_secret_key(key) is secret


def test_redaction_keeps_the_rest_and_changes_nothing_it_was_given() -> None:
    from shared.logging import REDACTED, redact, redact_text

    event = {"user": {"login": "a", "password": "p4ss"}, "urls": ["amqp://provider:s3cret-pw@rabbitmq:5672/"]}
    assert redact(event) == {
        "user": {"login": "a", "password": REDACTED},
        "urls": [f"amqp://provider:{REDACTED}@rabbitmq:5672/"],
    }
    assert event["user"] == {"login": "a", "password": "p4ss"}, "the caller's objects are not changed"
    assert redact_text("the admin bearer token is required") == "the admin bearer token is required"
    assert redact_text("http://127.0.0.1:8005/nca/v1/chain.pem") == "http://127.0.0.1:8005/nca/v1/chain.pem"
    assert redact({"password": "", "token": None, "count": 3}) == {"password": "", "token": None, "count": 3}


def test_a_disclosed_value_is_shown(capsys: pytest.CaptureFixture[str]) -> None:
    """A secret meant to be shown once (a random demo password made at the first start) says so."""
    from shared.logging import disclose

    configure_logging("INFO", "json")
    get_logger("tests.logging").warning("random password made", password=disclose("shown-once-XYZ"), other="p")
    record = json.loads(_lines(capsys.readouterr().err)[-1])
    assert record["password"] == "shown-once-XYZ"
