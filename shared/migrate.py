"""Alembic, per service: each service keeps its migrations in ``services/<name>/migrations`` and
applies them at start, on the service's own connection (the cookbook's "sharing a connection").

A service's ``migrations/env.py`` is two lines: import its metadata, call `run_env`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import Database

# Alembic keeps the running migration in module globals (`alembic.context`, `alembic.op`), so two
# services migrating at once in one process (the embedded default) would clobber each other's.
_ALEMBIC_IS_GLOBAL = asyncio.Lock()


def alembic_config(script_location: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(db: Database, script_location: Path) -> None:
    """Bring the service's database to the newest revision."""
    config = alembic_config(script_location, db.url)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with _ALEMBIC_IS_GLOBAL, db.engine.begin() as connection:
        await connection.run_sync(upgrade)


def run_env(target_metadata: MetaData | list[MetaData]) -> None:
    """The body of every service's ``env.py``."""
    config = context.config
    options: dict[str, Any] = {"target_metadata": target_metadata, "render_as_batch": True}

    def run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return

    # From the alembic command line (revision --autogenerate): open our own connection.
    async def online() -> None:
        engine = create_async_engine(str(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(run)
        await engine.dispose()

    asyncio.run(online())
