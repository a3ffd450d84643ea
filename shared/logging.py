"""JSON logs, one object per line, carrying the service, message and correlation ids.

Ids live in context variables (structlog.contextvars), so everything logged while an HTTP request or
a bus delivery is handled carries them without passing them around.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

_configured = False


def configure_logging(level: str = "INFO") -> None:
    """Route stdlib and structlog records through one JSON renderer on stderr (idempotent)."""
    global _configured
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if not _configured:
        structlog.configure(
            processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=shared_processors,
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(ensure_ascii=False),
                ],
            )
        )
        root = logging.getLogger()
        root.handlers[:] = [handler]
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).handlers[:] = []
            logging.getLogger(name).propagate = True
        logging.getLogger("aio_pika").setLevel(logging.WARNING)
        logging.getLogger("aiormq").setLevel(logging.WARNING)
        _configured = True
    logging.getLogger().setLevel(level.upper())


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
