"""Kazakhstan's clock: the one place that knows the country's civil time (``Asia/Almaty`` through
zoneinfo, which keeps the history: UTC+6 in Almaty and Karaganda until 1 March 2024, one zone of UTC+5
since). Days that a rule counts — a registration day, a case's year, the day a term starts — are days
of this clock, never of UTC.

The working-day calendar (weekends, holidays, carry-overs, transfers) will live here as well; today
the module holds the clock only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

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
