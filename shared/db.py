"""Async database access: one `Database` per service (each service owns its database, ARCHITECTURE
§1), SQLite by default and PostgreSQL by URL, and the unit of work every state change goes through.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.calendar import as_utc

_OUTBOX_WRITTEN = "outbox_written"


def note_outbox_written(session: AsyncSession) -> None:
    """For the kernel's outbox: this transaction wrote rows, so wake the relay after it commits."""
    session.info[_OUTBOX_WRITTEN] = True


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp column that is always timezone-aware UTC, on PostgreSQL and on SQLite alike
    (SQLite keeps no zone and hands naive values back). Written values are converted to UTC, and a
    naive one is taken as UTC; read values come back aware. Every model's timestamps use it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def sqlite_url(var_dir: str | Path, name: str) -> str:
    return f"sqlite+aiosqlite:///{Path(var_dir) / f'{name}.db'}"


def describe_url(url: str) -> str:
    """The URL without its password, for logs and the start banner."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so that `begin` below can make them
        # IMMEDIATE: two deferred transactions that both read and then write would otherwise fail
        # with "database is locked" instead of waiting their turn.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """A service's database: engine, sessions, and `transaction()`, the unit of work."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        # SQLite takes one writer at a time. Queueing writers here, in the process, is far cheaper than
        # letting them collide in SQLite, whose busy handler sleeps up to 100 ms between retries.
        self._writer: asyncio.Lock | None = None
        if make_url(url).get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(url)
            self._writer = asyncio.Lock()
        else:
            self.engine = create_async_engine(
                url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
            )
        self.dialect = self.engine.dialect.name
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._after_outbox_commit: list[Callable[[], None]] = []

    def on_outbox_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every commit that wrote outbox rows (the relay's wake-up)."""
        self._after_outbox_commit.append(callback)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: everything done with the yielded session commits together, or not at
        all if the block raises. Outbox rows written here go out only after the commit."""
        async with self._writer or contextlib.nullcontext(), self.sessions() as session:
            async with session.begin():
                yield session
            if session.info.pop(_OUTBOX_WRITTEN, False):
                for callback in self._after_outbox_commit:
                    callback()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
