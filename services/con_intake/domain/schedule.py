"""The Center's dates on the Kazakhstan calendar (`shared.calendar`):

- **the result's day** (§12 item 2): the receipt names the last day of the thirty calendar days, the
  day of acceptance not counted, a day off moving it to the next working day (`result_ready_on`); the
  provider hands the result over one working day before (`provider_delivers_on`);
- **the register (тізілім) of originals** to the provider at least twice a working day (Annex 1 step 2):
  at `REGISTER_TIMES` (Kazakhstan time) of every working day, none on a day off (`register_slots`,
  `next_register_at`);
- **unclaimed results** (§14 item 1): kept one month from the day the result was due for issue, then
  handed to the provider with the Annex 4 register (`unclaimed_from`: the same day of the next month, or
  its last day);
- **a late recall** (§14 item 1): the Center asks the provider within one working day of the visit
  (`recall_asked_by`), the provider sends the documents within one working day of the request
  (`recall_returned_by`).

The two register times are the project's choice (the regulation says "at least twice"): midday and the
end of the working day, 12:00 and 17:00."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, datetime, time, timedelta

from shared.calendar import (
    KAZAKHSTAN,
    add_working_days,
    center_delivery_day,
    is_working_day,
    local_day,
    term_end,
)

REGISTER_TIMES = (time(12, 0), time(17, 0))
"""When the register of originals goes to the provider on a working day, Kazakhstan time."""
TERM_DAYS = 30


def result_ready_on(accepted_at: datetime) -> date:
    """The day the receipt names (§12 item 2)."""
    return term_end(local_day(accepted_at), calendar_days=TERM_DAYS, channel="center")


def provider_delivers_on(accepted_at: datetime) -> date:
    """The day the provider hands the result to the Center: the working day before the term ends."""
    return center_delivery_day(result_ready_on(accepted_at))


def register_slots(day: date) -> list[datetime]:
    """The register's times on ``day`` (aware, Kazakhstan time); none on a day off."""
    if not is_working_day(day):
        return []
    return [datetime.combine(day, t, tzinfo=KAZAKHSTAN) for t in REGISTER_TIMES]


def next_register_at(now: datetime) -> datetime:
    """The first register time after ``now`` (aware), skipping days off."""
    day = local_day(now)
    for _ in range(60):  # the longest stretch of days off is far shorter
        for slot in register_slots(day):
            if slot > now:
                return slot
        day += timedelta(days=1)
    raise AssertionError("no working day in sixty days")  # never: the calendar has no such stretch


def unclaimed_from(due_for_issue: date) -> date:
    """The day a result not collected since ``due_for_issue`` goes back to the provider: one month on."""
    year, month = (
        (due_for_issue.year + 1, 1) if due_for_issue.month == 12 else (due_for_issue.year, due_for_issue.month + 1)
    )
    last = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(due_for_issue.day, last))


def recall_asked_by(visit: date) -> date:
    """A late visitor: the Center asks the provider within one working day."""
    return add_working_days(visit, 1)


def recall_returned_by(asked: date) -> date:
    """The provider sends the documents back within one working day of the request."""
    return add_working_days(asked, 1)
