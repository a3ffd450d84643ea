"""The bus suite's service database: a SQLite file with the kernel's tables and a test consumer's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.db import Database
from tests.support.effects import create_tables


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    await create_tables(database)
    yield database
    await database.dispose()
