"""Logs on stderr carrying the service, message and correlation ids: JSON for machines, one object per
line, or structlog's console lines for a person (``LOG_FORMAT``: ``json`` or ``console``; unset, it is
``console`` when stderr is a terminal and ``json`` otherwise). Records of the standard library's
loggers (uvicorn's among them) go through the same renderer as structlog's.

Ids live in context variables (structlog.contextvars), so everything logged while an HTTP request or
a bus delivery is handled carries them without passing them around.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import Processor

LogFormat = Literal["json", "console"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "console")
LOG_FORMAT_VARIABLE = "LOG_FORMAT"

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
            structlog.dev.ConsoleRenderer(
                colors=_stderr_is_a_terminal(), exception_formatter=structlog.dev.plain_traceback
            )
        ]
    else:
        renderer = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(ensure_ascii=False)]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )


def configure_logging(level: str = "INFO", fmt: str | None = None) -> None:
    """Route stdlib and structlog records through one renderer on stderr: ``fmt`` is ``json`` or
    ``console``; None reads ``LOG_FORMAT`` (unset: console on a terminal, else JSON). An unknown format
    logs JSON and says so once. Calling it again changes the level and the format, nothing else."""
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
        logging.getLogger("aio_pika").setLevel(logging.WARNING)
        logging.getLogger("aiormq").setLevel(logging.WARNING)
    elif handler not in root.handlers:
        root.addHandler(handler)
    handler.setFormatter(_formatter(chosen))
    root.setLevel(level.upper())
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
