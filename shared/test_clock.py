"""A business clock testers can set, for the services whose rules run on dates (the Center: the register times,
the receipt's day, unclaimed results, the late recall; the provider: the steps' terms, the answers' days), so that
an integration tester can see a month pass, a holiday skipped or a 2014 date judged without waiting for it.

Off by default. With ``TEST_CLOCK=1`` (never in production: like the test NCA's ``NCA_TEST_MODE``) a service's
`create_app` takes a `TestClock` as its ``app.state.clock`` and mounts

    GET /api/v1/test/clock                 {"now", "offset_s", "wall"}
    PUT /api/v1/test/clock {"at": …|null}  the clock at ``at`` now, running on with the wall clock from there
                                           (null: back to the wall clock)

and logs a warning at every start. Only the service's own business dates move: signatures, certificates,
revocation and tokens stay on the wall clock, and so does every other service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.calendar import utcnow
from shared.logging import get_logger

log = get_logger(__name__)

LIMIT = timedelta(days=366 * 30)
"""How far from the wall clock a tester may set it (the model's dates run from 2014 on)."""


class TestClock:
    """The wall clock moved by ``offset``."""

    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def set(self, at: datetime | None) -> None:
        self.offset = timedelta(0) if at is None else at - utcnow()


class ClockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime | None = Field(
        description="the moment the clock shows now (RFC 3339 with its offset); null: the wall clock again",
        examples=["2026-03-20T12:30:00+05:00"],
    )

    @field_validator("at")
    @classmethod
    def _aware_and_near(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("give the moment with its UTC offset")
        if abs(value - utcnow()) > LIMIT:
            raise ValueError("at most thirty years from the wall clock")
        return value.astimezone(UTC)


class ClockView(BaseModel):
    now: datetime = Field(description="what the service's business clock shows")
    offset_s: float = Field(description="its distance from the wall clock, in seconds")
    wall: datetime


def _view(clock: TestClock) -> ClockView:
    return ClockView(now=clock(), offset_s=clock.offset.total_seconds(), wall=utcnow())


def router(service: str) -> APIRouter:
    """The test clock's routes of ``service`` (the app's ``state.clock`` must be a `TestClock`)."""
    routes = APIRouter(prefix="/api/v1/test/clock", tags=["test clock"])

    @routes.get("", response_model=ClockView, summary="Test mode (TEST_CLOCK=1): the business clock")
    async def show(request: Request) -> ClockView:
        return _view(request.app.state.clock)

    @routes.put(
        "",
        response_model=ClockView,
        summary="Test mode (TEST_CLOCK=1): set the business clock",
        description="The clock shows `at` now and runs on from there; null sets it back to the wall clock. Only "
        "this service's business dates move. Errors: VALIDATION_FAILED (no UTC offset, or more than thirty years "
        "away).",
    )
    async def put(request: Request, body: ClockBody) -> ClockView:
        clock: TestClock = request.app.state.clock
        clock.set(body.at)
        log.warning(
            "the test clock was set", service=service, now=clock().isoformat(), offset_s=clock.offset.total_seconds()
        )
        return _view(clock)

    return routes


def warn_on(service: str) -> None:
    log.warning(
        "TEST_CLOCK is on: testers may set this service's business clock (never in production)", service=service
    )
