"""The visitor queue of a branch of the Center: tickets, their numbers, the wait and its limit, and
the day's figures. Pure: times are given, never read from a clock.

**The limit** (§12 item 3): «кезек күтудің рұқсат етілетін ең ұзақ уақыты 15 минутты құрайды» — the
longest allowed wait in the Center's queue when handing in the documents is 15 minutes. A visitor's
wait runs from the moment their ticket is issued to the moment an operator calls it to a window
(`waited`); a ticket is over the limit when that wait is longer than 15 minutes (`over_limit`: exactly
15 minutes is within it). A ticket not called yet has waited until now, so it passes the limit while
still waiting.

**Numbers.** A ticket's number is the service's letter and its sequence in the branch's day for that
service, at least three digits: ``H-007`` is the seventh housing-queue ticket of the day
(`ticket_number`). The day is Kazakhstan's (`shared.calendar.local_day`), so the numbers start again
at local midnight.

**Its life.** ``waiting`` (issued) → ``called`` (to a window, the wait measured) → ``done`` (the
operator finished with the visitor, or the visitor did not come): `can_call`, `can_finish`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal

from shared.calendar import local_day

WAIT_LIMIT = timedelta(minutes=15)
"""§12 item 3: the longest allowed wait in the Center's queue."""

TicketService = Literal["housing-queue"]
"""The services a ticket is issued for: this model's one state service."""
TicketStatus = Literal["waiting", "called", "done"]

LETTERS: Mapping[str, str] = MappingProxyType({"housing-queue": "H"})
"""The letter of each service's tickets."""
SEQUENCE_DIGITS = 3


def ticket_number(service: str, sequence: int) -> str:
    """The ``sequence``-th ticket (from 1) of ``service`` in a branch's day: ``H-007``."""
    if sequence < 1:
        raise ValueError("ticket sequences start at 1")
    return f"{LETTERS[service]}-{sequence:0{SEQUENCE_DIGITS}d}"


def queue_day(moment: datetime) -> date:
    """The day a ticket issued at ``moment`` (timezone-aware) belongs to: Kazakhstan's."""
    return local_day(moment)


def waited(issued_at: datetime, until: datetime) -> timedelta:
    """The wait from ``issued_at`` to ``until`` (the call, or now for a ticket still waiting); never
    negative (a clock set back counts as no wait)."""
    return max(until - issued_at, timedelta(0))


def over_limit(wait: timedelta) -> bool:
    """Whether ``wait`` is longer than §12 item 3 allows."""
    return wait > WAIT_LIMIT


def can_call(status: str) -> bool:
    """Only a waiting ticket is called."""
    return status == "waiting"


def can_finish(status: str) -> bool:
    """Only a called ticket is finished (a finished one stays as it is)."""
    return status == "called"


@dataclass(frozen=True, slots=True)
class TicketTimes:
    """What the figures read of one ticket: when it was issued, called (None: not yet), done (None: not
    yet)."""

    issued_at: datetime
    called_at: datetime | None = None
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DayFigures:
    """A branch's day: ``tickets`` issued, ``called`` of them (done ones included), ``done`` of them,
    ``waiting`` not called; the mean and longest wait of the called ones (None before any call); ``over_limit``, the
    tickets whose wait passed 15 minutes — called after more than 15 minutes, or still waiting longer
    than that at the moment the figures are made — and their share of the tickets (None without any)."""

    tickets: int
    called: int
    done: int
    waiting: int
    mean_wait: timedelta | None
    longest_wait: timedelta | None
    over_limit: int
    share_over_limit: float | None


def day_figures(tickets: Iterable[TicketTimes], *, now: datetime) -> DayFigures:
    """The figures of one branch's day from its tickets, at ``now``."""
    waits: list[timedelta] = []
    waiting = done = over = 0
    for ticket in tickets:
        done += ticket.done_at is not None
        if ticket.called_at is None:
            waiting += 1
            wait = waited(ticket.issued_at, now)
        else:
            wait = waited(ticket.issued_at, ticket.called_at)
            waits.append(wait)
        over += over_limit(wait)
    total = waiting + len(waits)
    return DayFigures(
        tickets=total,
        called=len(waits),
        done=done,
        waiting=waiting,
        mean_wait=sum(waits, timedelta(0)) / len(waits) if waits else None,
        longest_wait=max(waits) if waits else None,
        over_limit=over,
        share_over_limit=over / total if total else None,
    )
