"""Tables of con_intake. Its own registry keeps them apart from the other services' tables when all
five run in one process.

The Center's operators and branch heads (`OperatorAccount`, each bound to one branch of
`services/con_intake/branches.py`), and the visitor queue of each branch: its tickets
(`QueueTicket`) and the last sequence given out per branch, day and service (`TicketCounter`); the
intake of applications (`Intake`, its statuses `IntakeEvent`), the branches' journal (`JournalEntry`,
`JournalCounter`) and the results received (`CenterResult`) with the Annex 4 registers of unclaimed
ones (`UnclaimedRegister`) and the late recalls (`ResultRecall`). Every
timestamp is `UtcDateTime`: timezone-aware UTC when read back, on SQLite too; a ticket's ``day`` is
the Kazakhstan day it was issued on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.calendar import utcnow
from shared.db import UtcDateTime
from shared.models import KernelModel


class ConIntakeModel(SQLModel, registry=registry()):
    """Base of con_intake's tables."""


class OperatorAccount(ConIntakeModel, table=True):
    """An operator or the head of one branch of the Center, with the IIN their employee SIGN certificate
    carries (with the Center's BIN); password hashed with Argon2id. ``failures``, ``first_failure_at``
    and ``locked_until`` are its `shared.lockout.LoginState`."""

    __tablename__ = "operator_account"

    login: str = Field(primary_key=True, max_length=64, description="<seat>.<branch>")
    password_hash: str = Field(sa_type=sa.Text)
    role: str = Field(max_length=16, description="operator | head")
    iin: str = Field(max_length=12, description="the person's IIN: their employee certificate's")
    branch: str = Field(max_length=32, index=True, description="the branch's code (branches.py)")
    full_name: str = Field(default="", max_length=200)
    active: bool = True
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_failure_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class TicketCounter(ConIntakeModel, table=True):
    """The last ticket sequence given out per branch, Kazakhstan day and service (domain/queue.py)."""

    __tablename__ = "ticket_counter"

    branch: str = Field(primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    service: str = Field(primary_key=True, max_length=32)
    last: int = 0


class QueueTicket(ConIntakeModel, table=True):
    """A visitor's ticket in a branch's queue (§12 item 3): issued, called to a window, done. The wait is
    from ``issued_at`` to ``called_at``; ``over_limit`` is set once the wait is found to pass 15 minutes
    (at the call, or while the ticket still waits), when the alert is logged (``alerted_at``). A window
    serves one called ticket at a time (a partial unique index)."""

    __tablename__ = "queue_ticket"
    __table_args__ = (
        sa.UniqueConstraint("branch", "day", "service", "sequence", name="uq_queue_ticket_sequence"),
        sa.Index("ix_queue_ticket_branch_day_status", "branch", "day", "status"),
        # one ticket at a time at a window: a second call to a busy window fails at its commit
        sa.Index(
            "uq_queue_ticket_window_serving",
            "branch",
            "day",
            "window",
            unique=True,
            sqlite_where=sa.text("status = 'called'"),
            postgresql_where=sa.text("status = 'called'"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    branch: str = Field(max_length=32)
    day: date = Field(description="the Kazakhstan day it was issued on")
    service: str = Field(max_length=32, description="housing-queue")
    sequence: int = Field(description="its place in the branch's day for this service, from 1")
    number: str = Field(max_length=16, description="what the visitor's slip shows: H-007")
    status: str = Field(max_length=8, description="waiting | called | done")
    issued_at: datetime = Field(sa_type=UtcDateTime)
    issued_by: str = Field(max_length=64, description="the login of the branch's terminal or operator")
    window: int | None = Field(default=None, description="the window it was called to")
    called_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    called_by: str | None = Field(default=None, max_length=64)
    done_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    done_by: str | None = Field(default=None, max_length=64)
    over_limit: bool = False
    alerted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


# --- the intake of applications (§19 Processes 2–6, §13, §16; services/con_intake/intake.py) -------------


class Intake(ConIntakeModel, table=True):
    """One recipient's visit at an operator's desk (domain/intake.py: its states): the written consent (who
    recorded it, when) before any registry was asked, what the registries answered (Process 3, Condition 1),
    the §14 checklist and what was presented and scanned (Process 5), then either the Annex 5 refusal (§16)
    or the application the operator signed and sent (Process 6) with its acceptance receipt, the time it
    took (§13) and the application's way on since (the gateway's receipts and registration, the provider's
    statuses). JSON columns are replaced whole, never changed in place."""

    __tablename__ = "intake"

    id: str = Field(primary_key=True, max_length=36)
    application_id: str = Field(max_length=36, unique=True, description="the Annex 3 application's id, if sent")
    branch: str = Field(max_length=32, index=True, description="the branch's code (branches.py)")
    operator: str = Field(max_length=64, description="the login that began it")
    state: str = Field(max_length=16, description="CHECKING | OPEN | UNAVAILABLE | REFUSED | ACCEPTED")
    ticket_id: str | None = Field(default=None, max_length=36, description="the visitor's ticket, if called")
    started_at: datetime = Field(sa_type=UtcDateTime, description="the ticket's call, else the consent: §13")
    consent_at: datetime = Field(sa_type=UtcDateTime, description="§14 item 1: the written consent recorded")
    consent_by: str = Field(max_length=64, description="the login that recorded it")
    consents: list[Any] = Field(default_factory=list, sa_type=sa.JSON, description="the attestations made on it")
    recipient_iin: str = Field(max_length=12, index=True)
    recipient: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="as the registries know them")
    representative: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="and the POA")
    declared: list[Any] = Field(default_factory=list, sa_type=sa.JSON, description="categories declared")
    district: str | None = Field(default=None, max_length=64)
    facts: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="categories, household, …")
    checklist: list[Any] | None = Field(default=None, sa_type=sa.JSON, description="§14 item 1")
    presented: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    scans: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    error: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="why it is UNAVAILABLE")
    refusal_draft: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    refusal_signed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    refused_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    application_draft: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    application_signed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    accepted_by: str | None = Field(default=None, max_length=64)
    result_ready_on: date | None = Field(default=None, description="§12 item 2: the day the receipt names")
    acceptance_s: int | None = Field(default=None, description="§13: seconds from started_at to accepted_at")
    acceptance_within_limit: bool | None = None
    journal_number: str | None = Field(default=None, max_length=64)
    receipt_draft: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    receipt_signed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    active_for: str | None = Field(
        default=None, max_length=12, unique=True, description="the recipient while the application blocks another"
    )
    status: str | None = Field(default=None, max_length=24, description="the application's business status")
    status_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    registration_number: str | None = Field(default=None, max_length=40)
    registered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivery_state: str | None = Field(default=None, max_length=20)
    delivery_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivery_error: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    case_number: str | None = Field(default=None, max_length=64)
    originals_register_id: str | None = Field(
        default=None, max_length=36, index=True, description="Annex 1 step 2: the register it went to the provider with"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class IntakeEvent(ConIntakeModel, table=True):
    """One status of an accepted application, as it came (every one kept; the intake shows the furthest)."""

    __tablename__ = "intake_event"

    id: int | None = Field(default=None, primary_key=True)
    intake_id: str = Field(max_length=36, index=True)
    status: str = Field(max_length=24)
    at: datetime = Field(sa_type=UtcDateTime)
    details: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class JournalCounter(ConIntakeModel, table=True):
    """The last journal entry numbered per branch and Kazakhstan year (domain/intake.py)."""

    __tablename__ = "journal_counter"

    branch: str = Field(primary_key=True, max_length=32)
    year: int = Field(primary_key=True)
    last: int = 0


class JournalEntry(ConIntakeModel, table=True):
    """Annex 1 step 1, «Журналда тіркеу»: an acceptance or a §16 refusal, numbered in the branch's year; and
    a result issued at the window (§17, Annex 1 step 10), numbered alike."""

    __tablename__ = "journal_entry"
    __table_args__ = (sa.UniqueConstraint("branch", "year", "sequence", name="uq_journal_entry_sequence"),)

    number: str = Field(primary_key=True, max_length=64)
    branch: str = Field(max_length=32)
    year: int
    sequence: int
    kind: str = Field(max_length=16, description="accepted | refused | issued")
    intake_id: str = Field(max_length=36, index=True)
    application_id: str | None = Field(default=None, max_length=36)
    recipient_iin: str = Field(max_length=12)
    operator: str = Field(max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)
    document_id: str = Field(max_length=36, description="the receipt's, the refusal's or the result's id")


class CenterResult(ConIntakeModel, table=True):
    """A result for an application the Center sent (§19 Process 9), verified (the head's signature, the
    gateway's stamp) and kept for the issuance window (§17; services/con_intake/issuance.py): its custody
    (domain/issuance.py), who took it at the window and its journal entry, or the Annex 4 register that handed
    it to the provider as unclaimed (§14 item 1)."""

    __tablename__ = "center_result"

    application_id: str = Field(primary_key=True, max_length=36)
    intake_id: str = Field(max_length=36, index=True)
    type: str = Field(max_length=64)
    signed: dict[str, Any] = Field(sa_type=sa.JSON)
    registration_number: str | None = Field(default=None, max_length=40)
    signed_at: datetime = Field(sa_type=UtcDateTime, description="the head's signature")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    custody: str = Field(
        default="AT_BRANCH",
        max_length=16,
        sa_column_kwargs={"server_default": "AT_BRANCH"},
        description="AT_BRANCH | ISSUED | WITH_PROVIDER | RECALLED | RETURNED",
    )
    issued_at: datetime | None = Field(default=None, sa_type=UtcDateTime, description="§17: handed over")
    issued_by: str | None = Field(default=None, max_length=64, description="the operator at the window")
    issued_to: str | None = Field(default=None, max_length=12, description="the IIN of the person who took it")
    presented_by: str | None = Field(default=None, max_length=16, description="recipient | representative")
    issue_journal_number: str | None = Field(default=None, max_length=64, description="the journal's entry")
    register_id: str | None = Field(
        default=None, max_length=36, index=True, description="the Annex 4 register that handed it to the provider"
    )
    handed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class UnclaimedRegister(ConIntakeModel, table=True):
    """Annex 4: the register of the unclaimed results of one branch for one district's authorized body (§14
    item 1), drafted by the branch's head and signed by them; signed, its results are WITH_PROVIDER."""

    __tablename__ = "unclaimed_register"

    id: str = Field(primary_key=True, max_length=36, description="the register document's id")
    branch: str = Field(max_length=32, index=True)
    district: str = Field(max_length=64, description="whose authorized body it goes to")
    state: str = Field(max_length=8, description="DRAFT | SIGNED")
    application_ids: list[Any] = Field(default_factory=list, sa_type=sa.JSON, description="its results, in order")
    total: int
    draft: dict[str, Any] = Field(sa_type=sa.JSON)
    signed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    formed_at: datetime = Field(sa_type=UtcDateTime)
    drafted_by: str = Field(max_length=64)
    signed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    signed_by: str | None = Field(default=None, max_length=64)
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime, description="the provider accepted it")
    accepted_by: str | None = Field(default=None, max_length=200, description="the provider's person (Annex 4)")
    ack: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="the provider's signed answer")


class OriginalsRegister(ConIntakeModel, table=True):
    """Annex 1 step 2: the register (тізілім) of one branch's applications accepted for one district's authorized
    body, at one of the day's register times (domain/schedule.py), drafted and signed by an operator (or the
    head); signed, it goes to the provider, whose specialist accepts it (step 3)."""

    __tablename__ = "originals_register"

    id: str = Field(primary_key=True, max_length=36, description="the register document's id")
    branch: str = Field(max_length=32, index=True)
    district: str = Field(max_length=64)
    state: str = Field(max_length=8, description="DRAFT | SIGNED")
    slot_at: datetime = Field(sa_type=UtcDateTime, description="the register time it goes at")
    intake_ids: list[Any] = Field(default_factory=list, sa_type=sa.JSON, description="its applications, in order")
    total: int
    draft: dict[str, Any] = Field(sa_type=sa.JSON)
    signed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    formed_at: datetime = Field(sa_type=UtcDateTime)
    drafted_by: str = Field(max_length=64)
    signed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    signed_by: str | None = Field(default=None, max_length=64)
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime, description="the provider accepted it")
    accepted_by: str | None = Field(default=None, max_length=200, description="the provider's specialist")
    ack: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="the provider's signed answer")


class ResultRecall(ConIntakeModel, table=True):
    """A late visitor's request for a result handed to the provider (§14 item 1): the visit, the days by which
    the Center asks and the provider sends it back, the request as sent, and the provider's answer returning
    it (its id is the request document's)."""

    __tablename__ = "result_recall"

    id: str = Field(primary_key=True, max_length=36)
    application_id: str = Field(max_length=36, index=True)
    branch: str = Field(max_length=32)
    register_id: str | None = Field(default=None, max_length=36, description="the register that handed it over")
    visit_on: date = Field(description="the Kazakhstan day the recipient came")
    asked_at: datetime = Field(sa_type=UtcDateTime)
    asked_by: str = Field(max_length=64, description="the operator's login")
    presented_by: str = Field(max_length=16, description="recipient | representative")
    presenter_iin: str = Field(max_length=12)
    ask_by: date = Field(description="recall_asked_by: the Center asks the provider by this day")
    return_by: date = Field(description="recall_returned_by: the provider sends the result back by this day")
    request: dict[str, Any] | None = Field(
        default=None, sa_type=sa.JSON, description="the request sent to the provider, signed by the Center's system"
    )
    returned_at: datetime | None = Field(default=None, sa_type=UtcDateTime, description="the provider sent it back")
    returned_by: str | None = Field(default=None, max_length=200, description="the provider's person who sent it")
    returned_in_time: bool | None = None
    ack: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="the provider's signed answer")


METADATA = [KernelModel.metadata, ConIntakeModel.metadata]
