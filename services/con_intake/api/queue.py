"""The visitor queue of the operator's branch (§12 item 3: at most 15 minutes' wait): tickets issued
by the branch's terminal, called to windows, finished; the queue as the hall's board shows it; the
day's figures for the branch's head."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.exc import IntegrityError

from services.con_intake import operators, tickets
from services.con_intake.api.deps import Clock, CurrentOperator, Head, Runtime
from services.con_intake.api.schemas import FiguresView, QueueView, TicketRequest, TicketView
from services.con_intake.domain import queue
from services.con_intake.models import QueueTicket
from shared.errors import AppError

router = APIRouter(prefix="/api/v1/queue", tags=["queue"])

TicketId = Annotated[str, Path(max_length=36, description="the ticket's id (from its issue)")]
Window = Annotated[int, Path(ge=1, le=99, description="the window's number at the branch, from 1")]


@router.post(
    "/tickets",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketView,
    summary="Issue a ticket at my branch (the branch's terminal)",
    description="A waiting ticket for the service, numbered per branch and Kazakhstan day (`H-007`: the seventh "
    "housing-queue ticket of the day). The hall's ticket terminal is signed in with a token of the branch (an "
    "operator's or the head's); visitors do not sign in, and a ticket names nobody. Errors: UNAUTHORIZED (no "
    "operator's token, or the account is no longer active at its branch); VALIDATION_FAILED (a service other than "
    "`housing-queue`).",
)
async def issue(operator: CurrentOperator, runtime: Runtime, clock: Clock, body: TicketRequest) -> TicketView:
    now = clock()

    async def run() -> QueueTicket:
        async with runtime.db.transaction() as session:
            await operators.on_duty(session, login=operator.login, branch=operator.branch)
            ticket = await tickets.issue_ticket(
                session, branch=operator.branch, service=body.service, issued_by=operator.login, now=now
            )
            await tickets.flag_overdue(session, branch=operator.branch, now=now)
        return ticket

    try:
        ticket = await run()
    except IntegrityError:  # the day's first tickets, at once: both made the new counter; one runs again
        ticket = await run()
    return TicketView.of(ticket, now)


@router.get(
    "/tickets/{ticket_id}",
    response_model=TicketView,
    summary="One ticket of my branch: its status, window, wait",
    description="The ticket with its wait (to its call; while it waits, so far) and whether that passed 15 minutes. "
    "Errors: UNAUTHORIZED; NOT_FOUND (no such ticket at the operator's branch — another branch's ticket answers the "
    "same, so its existence is not revealed).",
)
async def get_ticket(operator: CurrentOperator, runtime: Runtime, clock: Clock, ticket_id: TicketId) -> TicketView:
    async with runtime.db.sessions() as session:
        ticket = await tickets.get_ticket(session, branch=operator.branch, ticket_id=ticket_id)
    if ticket is None:
        raise AppError("NOT_FOUND", {"ticket": ticket_id})
    return TicketView.of(ticket, clock())


@router.post(
    "/windows/{window}/call",
    response_model=TicketView,
    summary="Call the next waiting ticket of my branch to this window",
    description="Today's waiting ticket with the lowest number goes to the window; its wait, from the ticket to this "
    "call, is measured, and when it passed 15 minutes the ticket is flagged (`over_limit`) and an alert is logged. "
    "Errors: UNAUTHORIZED; NOT_FOUND (the branch has no such window — details: reason; or no ticket is waiting); "
    "CONFLICT (the window still serves a ticket: finish it first; details: ticket); VALIDATION_FAILED (a window "
    "number outside 1–99).",
)
async def call(operator: CurrentOperator, runtime: Runtime, clock: Clock, window: Window) -> TicketView:
    now = clock()

    async def run() -> QueueTicket:
        async with runtime.db.transaction() as session:
            await operators.on_duty(session, login=operator.login, branch=operator.branch)
            ticket = await tickets.call_next(
                session, branch=operator.branch, window=window, called_by=operator.login, now=now
            )
            await tickets.flag_overdue(session, branch=operator.branch, now=now)
        return ticket

    try:
        ticket = await run()
    except IntegrityError:  # another call took this window first: judged again (CONFLICT)
        ticket = await run()
    return TicketView.of(ticket, now)


@router.post(
    "/tickets/{ticket_id}/done",
    response_model=TicketView,
    summary="Finish a called ticket of my branch",
    description="The visitor at the window was served (or did not come): the window is free for the next call. A "
    "finished ticket is answered as it is. Errors: UNAUTHORIZED; NOT_FOUND (no such ticket at the operator's "
    "branch, another branch's included); CONFLICT (the ticket has not been called yet).",
)
async def done(operator: CurrentOperator, runtime: Runtime, clock: Clock, ticket_id: TicketId) -> TicketView:
    now = clock()
    async with runtime.db.transaction() as session:
        await operators.on_duty(session, login=operator.login, branch=operator.branch)
        ticket = await tickets.finish(
            session, branch=operator.branch, ticket_id=ticket_id, done_by=operator.login, now=now
        )
        await tickets.flag_overdue(session, branch=operator.branch, now=now)
    return TicketView.of(ticket, now)


@router.get(
    "",
    response_model=QueueView,
    summary="My branch's queue now: who waits, and for how long; who is at a window",
    description="Today's waiting tickets in the order they will be called, each with its wait so far and whether it "
    "passed 15 minutes (computed now; a ticket found over the limit for the first time is flagged and alerted), and "
    "the tickets called to a window and not finished. Errors: UNAUTHORIZED.",
)
async def board(operator: CurrentOperator, runtime: Runtime, clock: Clock) -> QueueView:
    now = clock()
    async with runtime.db.sessions() as session:
        found = await tickets.board(session, branch=operator.branch, now=now)
    if found.overdue:
        async with runtime.db.transaction() as session:
            await tickets.flag_overdue(session, branch=operator.branch, now=now)
    return QueueView(
        branch=operator.branch,
        day=found.day,
        at=now,
        waiting=[TicketView.of(t, now) for t in found.waiting],
        called=[TicketView.of(t, now) for t in found.called],
    )


@router.get(
    "/figures",
    response_model=FiguresView,
    summary="The day's figures of my branch (its head)",
    description="For one Kazakhstan day (today unless `day` is given): the tickets issued, called, finished and never "
    "called; the mean and longest wait from ticket to call; how many waited longer than 15 minutes (called after "
    "that, or still waiting that long now) and their share. Errors: UNAUTHORIZED; FORBIDDEN (an operator: the "
    "figures are the branch head's); VALIDATION_FAILED (`day` not a date).",
)
async def figures(
    head: Head,
    runtime: Runtime,
    clock: Clock,
    day: Annotated[date | None, Query(description="YYYY-MM-DD, a Kazakhstan day; default today")] = None,
) -> FiguresView:
    now = clock()
    wanted = day or queue.queue_day(now)
    async with runtime.db.sessions() as session:
        found = await tickets.day_figures(session, branch=head.branch, day=wanted, now=now)
    return FiguresView.of(found, branch=head.branch, day=wanted, at=now)
