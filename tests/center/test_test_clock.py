"""The business clock testers may set (shared/test_clock.py): only with TEST_CLOCK=1, and then the Center's dates
follow it — here the register's schedule on Nauryz 2026 — while without it there is no such route."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from services.con_intake.app import create_app
from services.con_intake.config import ConIntakeSettings
from shared.calendar import utcnow
from tests.center.harness import DEMO_PASSWORD


def settings(path: Path, **extra: object) -> ConIntakeSettings:
    return ConIntakeSettings(
        database_url=f"sqlite+aiosqlite:///{path / 'con_intake.db'}",
        amqp_url="",
        demo_password=DEMO_PASSWORD,
        token_secret="con-intake-test-secret-of-at-least-32-bytes",
        **extra,
    )


@pytest.mark.asyncio
async def test_the_clock_is_set_only_in_test_mode_and_the_dates_follow_it(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, TEST_CLOCK=True))
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://con-intake") as client:
            token = (
                await client.post(
                    "/api/v1/operators/token", json={"login": "operator-1.abay", "password": DEMO_PASSWORD}
                )
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            set_to = await client.put("/api/v1/test/clock", json={"at": "2026-03-23T12:30:00+05:00"})
            assert set_to.status_code == 200, set_to.text
            assert set_to.json()["now"].startswith("2026-03-23T07:30")
            schedule = (await client.get("/api/v1/registers/originals/schedule", headers=auth)).json()
            assert schedule["working_day"] is False and schedule["next_at"].startswith("2026-03-26T07:00:00")
            naive = await client.put("/api/v1/test/clock", json={"at": "2026-03-23T12:30:00"})
            assert naive.status_code == 422 and naive.json()["error"]["code"] == "VALIDATION_FAILED"
            back = await client.put("/api/v1/test/clock", json={"at": None})
            assert back.json()["offset_s"] == 0 and back.json()["now"][:4] == str(utcnow().year)
    (tmp_path / "plain").mkdir()
    plain = create_app(settings(tmp_path / "plain"))
    async with LifespanManager(plain):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://con-intake") as client:
            assert (await client.put("/api/v1/test/clock", json={"at": None})).status_code == 404
