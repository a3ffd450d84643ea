"""The Center suites' harness: `Center`, con_intake started in process (httpx ASGI transport, its
lifespan run: the migrations and the demo operators seeded with `DEMO_PASSWORD`) on its own in-memory
bus and SQLite file, with a clock in the tests' hand (`Clock`, given to ``create_app``), tokens by
login and the queue's calls; `start_center` starts it (conftest.py, once for the package).

    response = await center.as_operator("operator-1.saran", "POST", "/api/v1/queue/tickets", json={...})
    center.clock.advance(minutes=16)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from services.con_intake.app import create_app
from services.con_intake.config import ConIntakeSettings
from shared.calendar import KAZAKHSTAN
from shared.db import Database

DEMO_PASSWORD = "center-demo-password"
FIRST_DAY = date(2026, 3, 2)
"""The first test's Monday; each later test takes the next week (conftest.py)."""


class Clock:
    """The app's clock: ``now`` until moved (`set`, `advance`)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def local(day: Any, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` Kazakhstan time, in UTC."""
    return datetime.combine(day, time(hour, minute), KAZAKHSTAN).astimezone(UTC)


@dataclass
class Center:
    """The started Center: its app, a client on it, the clock, and tokens by login (made once each)."""

    app: FastAPI
    client: httpx.AsyncClient
    clock: Clock
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        database: Database = self.app.state.runtime.db
        return database

    async def login(self, login: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        return await self.client.post("/api/v1/operators/token", json={"login": login, "password": password})

    async def token(self, login: str) -> str:
        if login not in self._tokens:
            response = await self.login(login)
            assert response.status_code == 200, response.text
            self._tokens[login] = response.json()["access_token"]
        return self._tokens[login]

    async def as_operator(self, login: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.token(login)}"}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def issue(self, login: str) -> dict[str, Any]:
        """A housing-queue ticket issued at ``login``'s branch (201 expected)."""
        response = await self.as_operator(login, "POST", "/api/v1/queue/tickets", json={"service": "housing-queue"})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def call(self, login: str, window: int) -> httpx.Response:
        return await self.as_operator(login, "POST", f"/api/v1/queue/windows/{window}/call")

    async def done(self, login: str, ticket_id: str) -> httpx.Response:
        return await self.as_operator(login, "POST", f"/api/v1/queue/tickets/{ticket_id}/done")


@asynccontextmanager
async def start_center(path: Path) -> AsyncIterator[Center]:
    """con_intake on a SQLite file under ``path``, its clock at 09:00 of `FIRST_DAY`, until the block ends."""
    clock = Clock(local(FIRST_DAY))
    settings = ConIntakeSettings(
        database_url=f"sqlite+aiosqlite:///{path / 'con_intake.db'}",
        amqp_url="",
        demo_password=DEMO_PASSWORD,
        token_secret="con-intake-test-secret-of-at-least-32-bytes",
    )
    app = create_app(settings, clock=clock)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://con-intake") as client:
            yield Center(app, client, clock)
