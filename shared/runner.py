"""Serving apps with uvicorn: one service per process (`run_one`), or several in one process on
their own ports (`serve_many`, the embedded default). Ctrl-C / SIGTERM stop every server cleanly:
each app's lifespan stops its relay, bus and database."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Generator, Sequence
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from shared.logging import configure_logging
from shared.settings import ServiceSettings


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us: with several servers in one loop,
    uvicorn's own handlers would stop only the last one installed."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _server(app: FastAPI, host: str, port: int, log_level: str) -> _Server:
    config = uvicorn.Config(app, host=host, port=port, log_config=None, log_level=log_level.lower(), access_log=False)
    return _Server(config)


async def serve_many(
    apps: Sequence[tuple[FastAPI, ServiceSettings]], *, before_exit: Callable[[], Awaitable[object]] | None = None
) -> None:
    """Serve each app on its settings' host and port until SIGINT/SIGTERM, then shut all down.
    ``before_exit`` runs first, while everything still works (the embedded bus drains its queues);
    a second signal forces the exit."""
    servers = [_server(app, s.host, s.port, s.log_level) for app, s in apps]
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    async def shut_down() -> None:
        if before_exit is not None:
            await before_exit()
        for server in servers:
            server.should_exit = True

    def stop() -> None:
        if stopping:
            for server in servers:
                server.force_exit = True
            return
        stopping.append(loop.create_task(shut_down()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        await asyncio.gather(*(server.serve() for server in servers))
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def run_one(app: FastAPI, settings: ServiceSettings) -> None:
    configure_logging(settings.log_level)
    asyncio.run(serve_many([(app, settings)]))
