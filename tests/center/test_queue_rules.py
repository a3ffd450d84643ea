"""The visitor queue's pure rules (services/con_intake/domain/queue.py): ticket numbers, the day they
count in (Kazakhstan's), the wait and §12 item 3's 15-minute limit, the ticket's life, the day's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.con_intake.domain import queue
from services.con_intake.domain.queue import TicketTimes, day_figures

T0 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 09:00 in Kazakhstan (UTC+5)


def test_ticket_numbers_have_the_services_letter_and_three_digits_at_least() -> None:
    assert queue.ticket_number("housing-queue", 7) == "H-007"
    assert queue.ticket_number("housing-queue", 1234) == "H-1234"
    with pytest.raises(ValueError):
        queue.ticket_number("housing-queue", 0)


def test_the_day_is_kazakhstans() -> None:
    assert queue.queue_day(datetime(2026, 3, 2, 18, 59, tzinfo=UTC)).isoformat() == "2026-03-02"
    assert queue.queue_day(datetime(2026, 3, 2, 19, 0, tzinfo=UTC)).isoformat() == "2026-03-03"  # local midnight
    with pytest.raises(ValueError):
        queue.queue_day(datetime(2026, 3, 2, 12, 0))  # no zone: refused, not guessed


def test_fifteen_minutes_is_within_the_limit_a_second_more_is_over() -> None:
    assert queue.WAIT_LIMIT == timedelta(minutes=15)
    assert not queue.over_limit(queue.waited(T0, T0 + timedelta(minutes=15)))
    assert queue.over_limit(queue.waited(T0, T0 + timedelta(minutes=15, seconds=1)))


def test_a_clock_set_back_counts_as_no_wait() -> None:
    assert queue.waited(T0, T0 - timedelta(minutes=5)) == timedelta(0)


def test_only_a_waiting_ticket_is_called_and_only_a_called_one_finished() -> None:
    assert [queue.can_call(s) for s in ("waiting", "called", "done")] == [True, False, False]
    assert [queue.can_finish(s) for s in ("waiting", "called", "done")] == [False, True, False]


def test_the_days_figures() -> None:
    minutes = timedelta(minutes=1)
    tickets = [
        TicketTimes(T0, T0 + 4 * minutes, T0 + 10 * minutes),  # 4 minutes, done
        TicketTimes(T0, T0 + 20 * minutes),  # 20 minutes: over
        TicketTimes(T0 + 30 * minutes),  # still waiting, 10 minutes at now
        TicketTimes(T0 + 10 * minutes),  # still waiting, 30 minutes at now: over
    ]
    figures = day_figures(tickets, now=T0 + 40 * minutes)
    assert (figures.tickets, figures.called, figures.done, figures.waiting) == (4, 2, 1, 2)
    assert figures.mean_wait == 12 * minutes and figures.longest_wait == 20 * minutes
    assert figures.over_limit == 2 and figures.share_over_limit == 0.5


def test_a_day_without_tickets_or_calls() -> None:
    empty = day_figures([], now=T0)
    assert (empty.tickets, empty.mean_wait, empty.longest_wait, empty.share_over_limit) == (0, None, None, None)
    waiting = day_figures([TicketTimes(T0)], now=T0 + timedelta(minutes=1))
    assert (waiting.called, waiting.mean_wait, waiting.over_limit, waiting.share_over_limit) == (0, None, 0, 0.0)
