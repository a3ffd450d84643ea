"""Kazakhstan's clock and its working-day calendar: the one place that knows the country's civil time
(``Asia/Almaty`` through zoneinfo, which keeps the history: UTC+6 in Almaty and Karaganda until 1 March
2024, one zone of UTC+5 since) and which of its days are worked. Days that a rule counts — a
registration day, a case's year, the day a term starts — are days of this clock, never of UTC.

**Working days** (R7) are Monday to Friday, except the days off of `shared.data.kz_calendar`, the one
place holding the data, year by year, each row with its kind and its source: state and national
holidays; the religious days off (7 January, Kurban ait's first day), never carried over; a holiday on
a Saturday or Sunday makes the next working day after it a day off (the carry-over, computed here by
the rule and checked by the tests against every published one); and the transfers, which make a
weekday a day off or a Saturday or Sunday a working day. All functions are pure; days are
Kazakhstan's civil days (`date`).

**A year the data does not hold** (2019, or 2015 for a term that runs past 2014's December) is not
taken as having no holidays: the rule is applied to the holiday list in force that year (the 2014
list before 2022, the current one since), with no Kurban ait and no transfers, and a warning is logged
once per year; a year in the data that is not settled yet (2027: Kurban ait estimated, transfers
unknown) is logged once too. `known_years` says which years are data.

**Terms.** A term counted in days starts the day after the day that opens it and, when its last day
is a non-working day, ends on the next working day: the general rule of the Civil Code of the RK
(General Part, the chapter on computing terms, «Исчисление сроков», which opens with art. 172
«Определение срока»; our notes cite the rule as art. 173 «Окончание срока»: its number is not yet
checked against the Code's text). So §12's term (`term_end`) is the day of submission (portal) or
acceptance (Center, whose day is expressly not counted) plus 30 calendar days, moved to the next
working day when that is a day off; the Center gets the result one working day before
(`center_delivery_day`). Annex 1's step limits (`due`) end at the end of their due day, 23:59:59.999999
Kazakhstan time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import MappingProxyType
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from shared.data.kz_calendar import YEARS, Kind, Row, list_in_force
from shared.logging import get_logger

KAZAKHSTAN = ZoneInfo("Asia/Almaty")
"""Kazakhstan's civil time (the IANA zone whose history is the country's)."""


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC: what every stored timestamp is."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a moment without a zone (as SQLite hands timestamps back) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def in_kazakhstan(moment: datetime) -> datetime:
    """``moment`` (timezone-aware) on Kazakhstan's clock; a naive moment is refused, not guessed."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware moment is required")
    return moment.astimezone(KAZAKHSTAN)


def local_day(moment: datetime) -> date:
    """The calendar day ``moment`` (timezone-aware) falls on in Kazakhstan."""
    return in_kazakhstan(moment).date()


# --- The working-day calendar -------------------------------------------------------------------------

Channel = Literal["portal", "center"]
"""Where a §12 term starts: the portal (submission) or the Center (acceptance)."""
Unit = Literal["working", "calendar"]
"""Annex 1's units of a step's limit: «жұмыс күні», «күнтізбелік күн»."""

_DAY = timedelta(days=1)
_WEEKEND = {5: "Saturday", 6: "Sunday"}


@dataclass(frozen=True, slots=True)
class _Days:
    """One year compiled: its days off (with the reason), its worked weekend days, its carry-overs."""

    off: Mapping[date, str]
    worked: frozenset[date]
    carry_overs: Mapping[date, date]


def known_years() -> tuple[int, ...]:
    """The years `shared.data.kz_calendar` holds (others are computed by the rule, with a warning)."""
    return tuple(sorted(YEARS))


@cache
def _days(year: int) -> _Days:
    known = YEARS.get(year)
    # Rows dated in this year, whichever year's decree they belong to (28 December 2013 is 2014's).
    rows = [row for entry in YEARS.values() for row in entry.rows if row.day.year == year and entry.year != year]
    if known is not None:
        rows = list(known.all_rows()) + rows
        if known.provisional:
            get_logger(__name__).warning("calendar year provisional", year=year, provisional=known.provisional)
    else:
        listed = list_in_force(year)
        rows = list(listed.rows(year)) + rows
        get_logger(__name__).warning(
            "calendar year not in the data: holidays by the rule, no Kurban ait, no transfers",
            year=year,
            holiday_list=listed.name,
            known_years=list(known_years()),
        )
    off: dict[date, str] = {}
    worked: set[date] = set()
    for row in rows:
        _check(row)
        if row.kind is Kind.HOLIDAY or row.kind is Kind.RELIGIOUS:
            off[row.day] = row.name if row.kind is Kind.HOLIDAY else f"{row.name}, religious day off"
        elif row.kind is Kind.TRANSFER_OFF:
            off[row.day] = f"day off by transfer ({row.name})"
        elif row.kind is Kind.TRANSFER_WORKED:
            worked.add(row.day)
        # Kind.CARRY_OVER rows are the published cross-check; the rule below makes the carry-overs.
    carry_overs: dict[date, date] = {}
    holidays = sorted(row.day for row in rows if row.kind is Kind.HOLIDAY and row.day.weekday() in _WEEKEND)
    for holiday in holidays:
        day = holiday + _DAY
        while day.weekday() in _WEEKEND or day in off:
            day += _DAY
        carry_overs[day] = holiday
        off[day] = f"carry-over of {off[holiday]} ({holiday.isoformat()})"
    return _Days(MappingProxyType(off), frozenset(worked), MappingProxyType(carry_overs))


def _check(row: Row) -> None:
    weekend = row.day.weekday() in _WEEKEND
    if row.kind is Kind.TRANSFER_WORKED and not weekend:
        raise ValueError(f"a transfer makes only a Saturday or Sunday a working day: {row}")
    if row.kind in (Kind.TRANSFER_OFF, Kind.CARRY_OVER) and weekend:
        raise ValueError(f"a transfer or carry-over makes only a weekday a day off: {row}")


def carry_overs(year: int) -> Mapping[date, date]:
    """The year's carry-overs by the rule: each day off → the holiday (on a Saturday or Sunday) it carries."""
    return _days(year).carry_overs


def day_off_reason(day: date) -> str | None:
    """Why ``day`` is not a working day (the holiday, the carry-over, the transfer, the weekend), or None."""
    days = _days(day.year)
    if day in days.worked:
        return None
    return days.off.get(day) or _WEEKEND.get(day.weekday())


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day in Kazakhstan (R7)."""
    return day_off_reason(day) is None


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += _DAY
    return day


def add_calendar_days(day: date, n: int) -> date:
    """The day ``n`` calendar days after ``day`` (before it when ``n`` is negative)."""
    return day + timedelta(days=n)


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted, whether worked or not); the
    ``-n``-th before it when ``n`` is negative; ``day`` when ``n`` is 0."""
    step = _DAY if n >= 0 else -_DAY
    for _ in range(abs(n)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def working_days_between(a: date, b: date) -> int:
    """The working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``), so
    that ``working_days_between(a, add_working_days(a, n)) == n``."""
    if b < a:
        return -working_days_between(b, a)
    return sum(1 for k in range(1, (b - a).days + 1) if is_working_day(a + timedelta(days=k)))


def term_end(submitted: date, *, calendar_days: int = 30, channel: Channel) -> date:
    """The last day of §12's term (items 1 and 2): ``calendar_days`` after the day the documents were
    handed in — submitted on the portal (the term starts the next day, the Civil Code's rule) or accepted
    at the Center (whose day «мерзімге кірмейді», is not counted): the same day on both channels (R7) —
    and, when that is a day off, the next working day (the Civil Code's rule, see the module)."""
    if channel not in get_args(Channel):
        raise ValueError(f"unknown channel {channel!r}: one of {get_args(Channel)}")
    if calendar_days < 1:
        raise ValueError("a term is at least one day")
    return next_working_day(submitted + timedelta(days=calendar_days))


def center_delivery_day(term_end: date) -> date:
    """The day the provider delivers a Center request's result (§12 item 2: «мерзімі аяқталуға бір күн
    қалғанда»): the working day before the term's last day (R36; the portal has no such day)."""
    return add_working_days(term_end, -1)


def due(start: datetime, limit: int, unit: Unit) -> datetime:
    """When an Annex 1 step started at ``start`` (timezone-aware) is due: the end of its due day,
    23:59:59.999999 Kazakhstan time, in UTC. The due day is the ``limit``-th working day after the day
    ``start`` falls on in Kazakhstan ("1 working day", "5 working days"), or the day ``limit``
    calendar days after it ("7 calendar days", "5 calendar days"), moved to the next working day when
    it is a day off (the Civil Code's rule); the start day itself is never counted."""
    if limit < 0:
        raise ValueError("a limit is not negative")
    day = local_day(start)
    if unit == "working":
        last = add_working_days(day, limit)
    elif unit == "calendar":
        last = add_calendar_days(day, limit)
    else:
        raise ValueError(f"unknown unit {unit!r}: one of {get_args(Unit)}")
    return datetime.combine(next_working_day(last), time.max, tzinfo=KAZAKHSTAN).astimezone(UTC)
