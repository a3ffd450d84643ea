"""Logs on stderr carrying the service, message and correlation ids: JSON for machines, one object per
line, or structlog's console lines for a person (``LOG_FORMAT``: ``json`` or ``console``; unset, it is
``console`` when stderr is a terminal and ``json`` otherwise). Records of the standard library's
loggers (uvicorn's among them) go through the same renderer as structlog's.

Ids live in context variables (structlog.contextvars), so everything logged while an HTTP request or
a bus delivery is handled carries them without passing them around.

No secret reaches the log, whatever ``LOG_LEVEL`` is: the loggers of the database drivers, SQLAlchemy,
the AMQP client and httpx, which print statements with their bound parameters (private keys, password
hashes) or the frames and headers carrying credentials, are held at WARNING (`QUIET_LOGGERS`); and the
renderer replaces, in every record, the values of secret-looking keys (`is_secret_key`) and anything
that looks like a PEM private key, an Argon2 hash, a JWT or a bearer token (`redact`). A value that is
meant to be shown (a generated password, logged once) says so with `disclose`.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, ExcInfo, Processor, WrappedLogger

LogFormat = Literal["json", "console"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "console")
LOG_FORMAT_VARIABLE = "LOG_FORMAT"

# Loggers held at WARNING whatever LOG_LEVEL is: below it they print SQL with its bound parameters
# (aiosqlite: every call with its arguments; SQLAlchemy: statements and parameters), AMQP frames (the
# connection's credentials among them) and HTTP exchanges.
QUIET_LOGGERS: tuple[str, ...] = (
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "sqlalchemy.orm",
    "sqlalchemy.dialects",
    "aiosqlite",
    "asyncpg",
    "aio_pika",
    "aiormq",
    "pamqp",
    "httpx",
    "httpcore",
)

REDACTED = "[redacted]"

# A key is secret when it names one of these, alone or as a part (``password``, ``password_hash``,
# ``admin_token``, ``token_secret``, ``private_key_pem``, ``authorization``, ...). "key" alone is not:
# ``routing_key`` and ``key_usage`` are not secrets.
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|pwd|secret|token|private_?key|privkey|key_pem|pkcs_?12|p12|authorization"
    r"|cookie|api_?key|credential|salt",
    re.IGNORECASE,
)
_SECRET_KEY_PARTS = frozenset({"pass", "pwd", "p12", "salt"})  # short ones count only as a whole part

# Values that are secrets wherever they appear, as text or in a repr (where line breaks are "\n"):
# PEM private keys (PKCS#8, traditional, encrypted; when cut short, up to where the base64 stops),
# Argon2 and bcrypt hashes, JWTs, and bearer or basic credentials.
_SECRET_VALUE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[A-Za-z0-9+/=\s\\:,-]*)"
    r"|\$argon2(?:id|i|d)\$[A-Za-z0-9+/=$,.-]*"
    r"|\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    r"|\b(?:Bearer|Basic) [A-Za-z0-9._~+/-]{16,}=*",
    re.DOTALL,
)
# The password of a URL's user information (amqp://user:password@host, postgresql+asyncpg://...).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]+:)[^\s/@'\"]+(?=@)")


class Disclosed(str):
    """A value the log shows as it is even under a secret-looking key: see `disclose`."""

    __slots__ = ()


def disclose(value: str) -> Disclosed:
    """Mark ``value`` to be logged as it is, for the rare secret that is meant to be shown, once (a random
    password or admin token made at the first start): ``log.warning(..., password=disclose(password))``."""
    return Disclosed(value)


def is_secret_key(key: object) -> bool:
    """Whether an event key names a secret (``password``, ``password_hash``, ``admin_token``, ...)."""
    if not isinstance(key, str):
        return False
    name = key.lower().replace("-", "_")
    for match in _SECRET_KEY.finditer(name):
        word = match.group(0)
        if word not in _SECRET_KEY_PARTS:
            return True
        before = name[match.start() - 1] if match.start() else "_"
        after = name[match.end()] if match.end() < len(name) else "_"
        if before == "_" and after == "_":
            return True
    return False


def redact_text(text: str) -> str:
    """``text`` with every PEM private key, Argon2/bcrypt hash, JWT, bearer credential and URL password
    replaced."""
    if not text:
        return text
    return _URL_PASSWORD.sub(rf"\g<head>{REDACTED}", _SECRET_VALUE.sub(REDACTED, text))


def redact(value: Any) -> Any:
    """``value`` with its secrets replaced: text by `redact_text`, and in mappings (at any depth) the
    values of secret keys. Containers are copied, never changed; `Disclosed` values pass."""
    if isinstance(value, Disclosed):
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_item(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, tuple):  # exc_info among them: it stays a tuple
        items = [redact(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, set | frozenset):
        return type(value)(redact(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", "replace")) if b"-----BEGIN" in value else value
    return value


def _redact_item(key: object, value: Any) -> Any:
    if isinstance(value, Disclosed) or value is None or value == "" or isinstance(value, bool):
        return value
    if is_secret_key(key):
        return REDACTED
    return redact(value)


def redact_secrets(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """The processor: every field of the event (the message, the formatted exception, bound ids) redacted."""
    return {key: _redact_item(key, value) for key, value in event_dict.items()}


def _redacting_traceback(sio: TextIO, exc_info: ExcInfo) -> None:
    """ConsoleRenderer's plain traceback, redacted (an exception's text can carry SQL parameters)."""
    buffer = io.StringIO()
    structlog.dev.plain_traceback(buffer, exc_info)
    sio.write(redact_text(buffer.getvalue()))


_SHARED_PROCESSORS: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (as `logging.lastResort` does), so
    a redirected or captured stderr gets the records too."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # under the handler's lock: handle() holds it
        super().emit(record)


_handler: _StderrHandler | None = None
_warned: set[str] = set()


def _stderr_is_a_terminal() -> bool:
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def resolve_format(fmt: str | None = None) -> tuple[LogFormat, str | None]:
    """The format to log in, from ``fmt`` or else ``$LOG_FORMAT`` (unset or empty: by the terminal),
    and the value given when it was neither ``json`` nor ``console`` (then the format is ``json``)."""
    given = fmt if fmt is not None else os.environ.get(LOG_FORMAT_VARIABLE, "")
    value = given.strip().lower()
    if not value:
        return ("console" if _stderr_is_a_terminal() else "json"), None
    if value == "console":
        return "console", None
    if value == "json":
        return "json", None
    return "json", given


def _formatter(fmt: LogFormat) -> structlog.stdlib.ProcessorFormatter:
    renderer: list[Processor]
    if fmt == "console":
        # ConsoleRenderer lays out exc_info itself; colours only when a person is looking.
        renderer = [
            redact_secrets,
            structlog.dev.ConsoleRenderer(colors=_stderr_is_a_terminal(), exception_formatter=_redacting_traceback),
        ]
    else:
        renderer = [
            structlog.processors.format_exc_info,
            redact_secrets,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )


def configure_logging(level: str = "INFO", fmt: str | None = None) -> None:
    """Route stdlib and structlog records through one renderer on stderr: ``fmt`` is ``json`` or
    ``console``; None reads ``LOG_FORMAT`` (unset: console on a terminal, else JSON). An unknown format
    logs JSON and says so once. Calling it again changes the level and the format, nothing else. The
    `QUIET_LOGGERS` stay at WARNING whatever ``level`` is, and every record is redacted (`redact`)."""
    global _handler
    chosen, invalid = resolve_format(fmt)
    root = logging.getLogger()
    handler = _handler
    if handler is None:
        structlog.configure(
            processors=[*_SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
        handler = _handler = _StderrHandler()
        root.handlers[:] = [handler]
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).handlers[:] = []
            logging.getLogger(name).propagate = True
    elif handler not in root.handlers:
        root.addHandler(handler)
    handler.setFormatter(_formatter(chosen))
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if invalid is not None and invalid not in _warned:
        _warned.add(invalid)
        get_logger(__name__).warning("unknown log format; logging JSON", log_format=invalid, expected=list(LOG_FORMATS))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Bind ids (service, message_id, correlation_id, …) for everything logged inside the block."""
    tokens = structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v is not None})
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)
