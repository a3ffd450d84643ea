"""Annex 1 steps 3–9 as the provider's state machine (services/provider/domain/steps.py): the table as
the regulation gives it, who may complete each step, and what the citizen sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.provider.domain.steps import (
    FIRST_STEP,
    STEPS,
    Limit,
    StepRefused,
    citizen_status,
    complete,
    due_at,
    overdue,
)

ANNEX_1 = {  # step: (who, limit) as docs/regulation.md's Annex 1 table gives them
    3: ("specialist", Limit(15, "minutes")),
    4: ("head", Limit(1, "working")),
    5: ("specialist", Limit(5, "working")),
    6: ("commission", Limit(7, "calendar")),
    7: ("specialist", Limit(5, "calendar")),
    8: ("head", Limit(1, "working")),
    9: ("specialist", Limit(1, "working")),
}


def test_the_table_is_annex_1s() -> None:
    assert {n: (s.actor, s.limit) for n, s in STEPS.items()} == ANNEX_1
    assert [s.next for s in STEPS.values()] == [4, 5, 6, 7, 8, 9, None]


def test_a_case_goes_through_every_step_by_its_actors_and_ends() -> None:
    awaiting: int | None = FIRST_STEP
    walked = []
    while awaiting is not None:
        walked.append((awaiting, citizen_status(awaiting)))
        awaiting = complete(awaiting, STEPS[awaiting].actor)
    assert walked == [
        (3, "REGISTERED"),
        (4, "REGISTERED"),
        (5, "IN_REVIEW"),
        (6, "IN_REVIEW"),
        (7, "IN_REVIEW"),
        (8, "IN_REVIEW"),
        (9, "IN_REVIEW"),
    ]
    assert citizen_status(None, "QUEUED") == "QUEUED" and citizen_status(None, "REFUSED") == "REFUSED"


@pytest.mark.parametrize(("step", "role"), [(4, "specialist"), (8, "specialist"), (6, "head"), (5, "commission")])
def test_a_role_acts_only_at_its_steps(step: int, role: str) -> None:
    """A specialist cannot sign as the head (step 8), nor the head hold the commission's meeting."""
    with pytest.raises(StepRefused) as refused:
        complete(step, role)
    assert refused.value.step == step and STEPS[step].actor in refused.value.reason


def test_a_closed_case_takes_no_step() -> None:
    with pytest.raises(StepRefused):
        complete(None, "specialist")
    with pytest.raises(ValueError):
        citizen_status(None)


def almaty(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment on Kazakhstan's clock (UTC+6 in 2014 and until March 2024; UTC+5 since)."""
    offset = 6 if year < 2024 or (year == 2024 and month < 3) else 5
    return datetime(year, month, day, hour - offset, tzinfo=UTC)


@pytest.mark.parametrize(
    ("step", "started", "due_day"),
    [
        (4, almaty(2026, 3, 20), datetime(2026, 3, 26)),  # Nauryz 21–23 March, carried over to 24–25
        (5, almaty(2014, 4, 30), datetime(2014, 5, 12)),  # 1, 2, 7–9 May off; Sunday 4 and 11 May worked
        (6, almaty(2014, 4, 30), datetime(2014, 5, 11)),  # 7 May a holiday, 8–9 off: Sunday 11 May is worked
        (8, almaty(2026, 5, 8, 17), datetime(2026, 5, 12)),  # 9 May (Sat) carried to Monday 11 May
    ],
)
def test_a_steps_limit_is_counted_on_the_kazakhstan_calendar(step: int, started: datetime, due_day: datetime) -> None:
    due = due_at(step, started)
    assert due.date() == due_day.date()  # the end of that day in Kazakhstan is still that day in UTC
    assert not overdue(step, started, due - timedelta(seconds=1)) and overdue(step, started, due + timedelta(seconds=1))


def test_step_3_is_due_in_fifteen_minutes() -> None:
    started = almaty(2026, 3, 21)  # a holiday: minutes are minutes
    assert due_at(3, started) == started + timedelta(minutes=15)
