"""The visitor queue's service layer (§12 item 3; the rules are domain/queue.py): issue a ticket at a
branch, call the branch's next waiting ticket to a window, finish it, and read the branch's queue and
its day's figures. Everything is of one branch: a ticket of another branch is not found.

**The alert.** When a wait is found to pass 15 minutes, the ticket is flagged (``over_limit``) and
`QUEUE_WAIT_ALERT` is logged, once per ticket (``alerted_at``): at the call, for the ticket called,
and, for today's tickets still waiting, by `flag_overdue`, which the routes run with every ticket
issued, called or finished at the branch and whenever the branch's queue is read. A branch whose queue
nobody touches raises no alert until somebody does; the answers compute ``over_limit`` at read time
all the same.

Times come from the caller's clock (the app's, injectable)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.con_intake.branches import BRANCH_BY_CODE
from services.con_intake.domain import queue
from services.con_intake.domain.queue import DayFigures, TicketTimes
from services.con_intake.models import QueueTicket, TicketCounter
from shared.errors import AppError
from shared.logging import get_logger

log = get_logger(__name__)

QUEUE_WAIT_ALERT = "alert: a visitor's wait in the Center's queue passed the 15 minutes §12 item 3 allows"


def wait_of(ticket: QueueTicket, now: datetime) -> tuple[int, bool]:
    """The ticket's wait in whole seconds — to its call, or so far at ``now`` while it waits — and
    whether it is over the limit (flagged already, or found so now)."""
    wait = queue.waited(ticket.issued_at, ticket.called_at or now)
    return int(wait.total_seconds()), ticket.over_limit or queue.over_limit(wait)


def _flag(ticket: QueueTicket, *, now: datetime) -> None:
    """Flag ``ticket`` over the limit and, the first time, log the alert."""
    ticket.over_limit = True
    if ticket.alerted_at is None:
        ticket.alerted_at = now
        seconds, _ = wait_of(ticket, now)
        log.error(
            QUEUE_WAIT_ALERT,
            branch=ticket.branch,
            ticket=ticket.id,
            number=ticket.number,
            status=ticket.status,
            waited_s=seconds,
            limit_s=int(queue.WAIT_LIMIT.total_seconds()),
        )


async def issue_ticket(
    session: AsyncSession, *, branch: str, service: queue.TicketService, issued_by: str, now: datetime
) -> QueueTicket:
    """A new waiting ticket of ``service`` at ``branch``, numbered in the branch's Kazakhstan day; the
    counter row is locked until the transaction ends (two first tickets of a day colliding on the new
    counter's key make one transaction fail: the caller runs it again)."""
    day = queue.queue_day(now)
    counter = await session.get(TicketCounter, (branch, day, service), with_for_update=True)
    if counter is None:
        counter = TicketCounter(branch=branch, day=day, service=service, last=0)
    counter.last += 1
    session.add(counter)
    ticket = QueueTicket(
        id=str(uuid.uuid4()),
        branch=branch,
        day=day,
        service=service,
        sequence=counter.last,
        number=queue.ticket_number(service, counter.last),
        status="waiting",
        issued_at=now,
        issued_by=issued_by,
    )
    session.add(ticket)
    return ticket


async def get_ticket(session: AsyncSession, *, branch: str, ticket_id: str) -> QueueTicket | None:
    """The ticket ``ticket_id`` of ``branch``; None for no such ticket, and for another branch's."""
    ticket = await session.get(QueueTicket, ticket_id)
    return ticket if ticket is not None and ticket.branch == branch else None


async def call_next(session: AsyncSession, *, branch: str, window: int, called_by: str, now: datetime) -> QueueTicket:
    """Call the branch's next waiting ticket of today (the lowest sequence) to ``window``: its wait is
    measured, and flagged and alerted when over the limit. NOT_FOUND for a window the branch does not
    have, or when no ticket of today waits; CONFLICT while the window still serves a ticket called
    today and not finished. Tickets of earlier days are never called."""
    windows = BRANCH_BY_CODE[branch].windows
    if not 1 <= window <= windows:
        raise AppError("NOT_FOUND", {"window": window, "reason": f"the branch has windows 1 to {windows}"})
    day = queue.queue_day(now)
    serving = select(QueueTicket).where(
        QueueTicket.branch == branch,
        QueueTicket.day == day,
        QueueTicket.status == "called",
        QueueTicket.window == window,
    )
    busy = (await session.exec(serving)).first()
    if busy is not None:
        raise AppError(
            "CONFLICT",
            {"reason": "the window still serves a ticket: finish it first", "window": window, "ticket": busy.number},
        )
    waiting = (
        select(QueueTicket)
        .where(QueueTicket.branch == branch, QueueTicket.day == day, QueueTicket.status == "waiting")
        .order_by(col(QueueTicket.sequence))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    ticket = (await session.exec(waiting)).first()
    if ticket is None or not queue.can_call(ticket.status):
        raise AppError("NOT_FOUND", {"reason": "no ticket is waiting at this branch"})
    ticket.status, ticket.window, ticket.called_at, ticket.called_by = "called", window, now, called_by
    if queue.over_limit(queue.waited(ticket.issued_at, now)):
        _flag(ticket, now=now)
    session.add(ticket)
    return ticket


async def finish(session: AsyncSession, *, branch: str, ticket_id: str, done_by: str, now: datetime) -> QueueTicket:
    """Finish a called ticket of ``branch`` (the visitor was served, or did not come); a finished one is
    returned as it is. NOT_FOUND for no such ticket at the branch; CONFLICT for one still waiting."""
    query = select(QueueTicket).where(QueueTicket.id == ticket_id, QueueTicket.branch == branch).with_for_update()
    ticket = (await session.exec(query)).first()
    if ticket is None:
        raise AppError("NOT_FOUND", {"ticket": ticket_id})
    if ticket.status == "done":
        return ticket
    if not queue.can_finish(ticket.status):
        raise AppError("CONFLICT", {"reason": "the ticket has not been called yet", "status": ticket.status})
    ticket.status, ticket.done_at, ticket.done_by = "done", now, done_by
    session.add(ticket)
    return ticket


def _overdue(ticket: QueueTicket, now: datetime) -> bool:
    """A ticket still waiting, not flagged yet, whose wait so far passed the limit."""
    return (
        ticket.status == "waiting" and not ticket.over_limit and queue.over_limit(queue.waited(ticket.issued_at, now))
    )


async def flag_overdue(session: AsyncSession, *, branch: str, now: datetime) -> int:
    """Flag (and alert, once each) the branch's tickets of today still waiting whose wait so far passed
    the limit; how many were flagged now."""
    query = (
        select(QueueTicket)
        .where(QueueTicket.branch == branch, QueueTicket.day == queue.queue_day(now), QueueTicket.status == "waiting")
        .with_for_update()
    )
    flagged = 0
    for ticket in (await session.exec(query)).all():
        if _overdue(ticket, now):
            _flag(ticket, now=now)
            session.add(ticket)
            flagged += 1
    return flagged


@dataclass(frozen=True, slots=True)
class Board:
    """The branch's queue today: the tickets waiting, and those called to a window and not finished,
    each by sequence; ``overdue``: whether some waiting ticket passed the limit unflagged."""

    day: date
    waiting: list[QueueTicket]
    called: list[QueueTicket]
    overdue: bool


async def board(session: AsyncSession, *, branch: str, now: datetime) -> Board:
    """The branch's queue of today at ``now`` (read only)."""
    day = queue.queue_day(now)
    query = (
        select(QueueTicket)
        .where(QueueTicket.branch == branch, QueueTicket.day == day, col(QueueTicket.status).in_(("waiting", "called")))
        .order_by(col(QueueTicket.sequence))
    )
    rows = list((await session.exec(query)).all())
    waiting = [t for t in rows if t.status == "waiting"]
    called = [t for t in rows if t.status == "called"]
    return Board(day, waiting, called, any(_overdue(t, now) for t in waiting))


async def day_figures(session: AsyncSession, *, branch: str, day: date, now: datetime) -> DayFigures:
    """The figures of the branch's ``day`` (`domain.queue.day_figures`), tickets still waiting counted
    at ``now``."""
    query = select(QueueTicket.issued_at, QueueTicket.called_at, QueueTicket.done_at).where(
        QueueTicket.branch == branch, QueueTicket.day == day
    )
    rows = (await session.exec(query)).all()
    return queue.day_figures((TicketTimes(*row) for row in rows), now=now)
