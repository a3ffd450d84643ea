"""Request and response bodies of the Center's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.con_intake.branches import Branch
from services.con_intake.domain import queue
from services.con_intake.domain.queue import DayFigures, TicketService
from services.con_intake.models import OperatorAccount, QueueTicket
from services.con_intake.tickets import wait_of

LIMIT_S = int(queue.WAIT_LIMIT.total_seconds())


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64, examples=["operator-1.karaganda-1"])
    password: str = Field(min_length=1, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds")


class BranchView(BaseModel):
    code: str = Field(examples=["karaganda-1"])
    number: int = Field(description="the branch's number in the Center")
    department: int = Field(description="the number of the Center's department of the branch's city or district")
    bin: str = Field(description="the Center's BIN, shared by every branch (and on every operator's certificate)")
    name_kk: str
    address: str
    districts: list[str] = Field(description="the districts (shared.geo codes) whose residents it serves")
    windows: int = Field(description="its service windows, numbered from 1")

    @classmethod
    def of(cls, branch: Branch) -> BranchView:
        return cls(
            code=branch.code,
            number=branch.number,
            department=branch.department,
            bin=branch.bin,
            name_kk=branch.name_kk,
            address=branch.address,
            districts=list(branch.districts),
            windows=branch.windows,
        )


class OperatorView(BaseModel):
    login: str = Field(examples=["operator-1.karaganda-1"])
    role: str = Field(description="operator | head")
    iin: str = Field(description="the person's IIN: their employee SIGN certificate's, with the Center's BIN")
    full_name: str
    branch: BranchView

    @classmethod
    def of(cls, account: OperatorAccount, branch: Branch) -> OperatorView:
        return cls(
            login=account.login,
            role=account.role,
            iin=account.iin,
            full_name=account.full_name,
            branch=BranchView.of(branch),
        )


class TicketRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: TicketService = Field(description="the state service the visitor came for")


class TicketView(BaseModel):
    id: str
    number: str = Field(examples=["H-007"], description="what the visitor's slip shows; counted per branch and day")
    service: str
    branch: str
    day: date = Field(description="the Kazakhstan day it was issued on")
    status: str = Field(description="waiting | called | done")
    issued_at: datetime
    window: int | None = Field(description="the window it was called to")
    called_at: datetime | None
    done_at: datetime | None
    wait_s: int = Field(description="seconds from the ticket to its call; while it waits, so far")
    over_limit: bool = Field(description=f"the wait passed the {LIMIT_S // 60} minutes §12 item 3 allows")

    @classmethod
    def of(cls, ticket: QueueTicket, now: datetime) -> TicketView:
        wait_s, over = wait_of(ticket, now)
        return cls(
            id=ticket.id,
            number=ticket.number,
            service=ticket.service,
            branch=ticket.branch,
            day=ticket.day,
            status=ticket.status,
            issued_at=ticket.issued_at,
            window=ticket.window,
            called_at=ticket.called_at,
            done_at=ticket.done_at,
            wait_s=wait_s,
            over_limit=over,
        )


class QueueView(BaseModel):
    branch: str
    day: date
    at: datetime = Field(description="the moment the waits so far are measured at")
    limit_s: int = Field(LIMIT_S, description="§12 item 3: the longest allowed wait, in seconds")
    waiting: list[TicketView] = Field(description="today's tickets not called yet, in the order they will be")
    called: list[TicketView] = Field(description="today's tickets at a window, not finished")


class FiguresView(BaseModel):
    branch: str
    day: date
    at: datetime = Field(description="the moment tickets still waiting are counted at")
    limit_s: int = Field(LIMIT_S, description="§12 item 3: the longest allowed wait, in seconds")
    tickets: int = Field(description="tickets issued that day")
    called: int = Field(description="of them called to a window (finished ones included)")
    done: int = Field(description="of them finished")
    waiting: int = Field(description="of them never called (yet)")
    mean_wait_s: float | None = Field(description="mean wait of the called tickets, seconds; null before any call")
    longest_wait_s: int | None = Field(description="longest wait of the called tickets, seconds")
    over_limit: int = Field(description="tickets called after more than 15 minutes, or waiting longer than that")
    share_over_limit: float | None = Field(description="over_limit / tickets; null without tickets")

    @classmethod
    def of(cls, figures: DayFigures, *, branch: str, day: date, at: datetime) -> FiguresView:
        mean, longest = figures.mean_wait, figures.longest_wait
        return cls(
            branch=branch,
            day=day,
            at=at,
            tickets=figures.tickets,
            called=figures.called,
            done=figures.done,
            waiting=figures.waiting,
            mean_wait_s=round(mean.total_seconds(), 1) if mean is not None else None,
            longest_wait_s=int(longest.total_seconds()) if longest is not None else None,
            over_limit=figures.over_limit,
            share_over_limit=round(figures.share_over_limit, 4) if figures.share_over_limit is not None else None,
        )
