"""Tables of provider. Its own registry keeps them apart from the other services' tables when all
five run in one process.

A case (іс) is opened per application at Annex 1 step 3 and grows through the later steps: its
current status is on the case, every change in `CaseStatusRow` (who, when, why), and the registry
answers it was decided on in `CaseRegistryAnswer` (signed, so the decision can be re-checked).
What the Public Service Center hands the department (its registers of originals and of unclaimed results, a
late recall) is kept in `CenterHandover`, as it came signed, with the staff's signed acknowledgment.

Every timestamp is `UtcDateTime`: timezone-aware UTC when read back, on SQLite too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.calendar import utcnow
from shared.db import UtcDateTime
from shared.models import KernelModel


class ProviderModel(SQLModel, registry=registry()):
    """Base of provider's tables."""


class Case(ProviderModel, table=True):
    """One application in the housing department of its district (Annex 1 step 3 onwards)."""

    __tablename__ = "cases"
    __table_args__ = (sa.Index("ix_cases_district_opened", "district", "opened_at"),)

    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(max_length=64, unique=True, description="ТҮ-<district>-<year>-<sequence>")
    application_id: str = Field(max_length=36, unique=True, description="one case per application")
    district: str = Field(max_length=32)
    applicant_iin: str = Field(max_length=32, index=True, description="as the application gives it")
    channel: str = Field(max_length=8, description="portal | center")
    status: str = Field(max_length=32, description="the newest entry of the status history")
    registration_number: str = Field(max_length=64, description="the regional gateway's (Process 6)")
    registered_at: datetime = Field(sa_type=UtcDateTime, description="when the gateway registered it")
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    correlation_id: str = Field(max_length=100, description="of the delivered message; statuses carry it back")
    user_id: str | None = Field(default=None, max_length=64, description="KZ<IIN> of the person who applied")
    represented_party: str | None = Field(default=None, max_length=64)
    sender: str = Field(max_length=200, description="the gateway address the application came from")
    application: dict[str, Any] = Field(sa_type=sa.JSON, description="the verified application (Annex 3)")
    signed: dict[str, Any] = Field(sa_type=sa.JSON, description="as delivered: author's signature, gateway's stamp")
    step: int | None = Field(default=None, index=True, description="the Annex 1 step it waits at; None: done")
    step_since: datetime | None = Field(default=None, sa_type=UtcDateTime, description="when it began to wait there")
    executor: str | None = Field(default=None, max_length=64, description="the specialist the head's resolution names")
    assessment: dict[str, Any] | None = Field(
        default=None, sa_type=sa.JSON, description="§15's findings and the waiting list, made at step 3"
    )
    proposal: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="put to the commission (step 5)")
    meeting_id: str | None = Field(default=None, max_length=36, index=True, description="the meeting it is on")
    decision: dict[str, Any] | None = Field(
        default=None, sa_type=sa.JSON, description="the commission's, with its protocol"
    )
    draft: dict[str, Any] | None = Field(
        default=None, sa_type=sa.JSON, description="the result awaiting the head (step 8)"
    )
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="the signed result (step 8 on)")
    waiting_list: str | None = Field(default=None, max_length=16, description="the list it is registered in")
    queue_number: int | None = Field(default=None, description="the notification's queue number")


class CaseStep(ProviderModel, table=True):
    """One completed Annex 1 step of a case: who completed it, when, and what they signed or decided."""

    __tablename__ = "case_step"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=36, index=True)
    step: int
    actor: str = Field(max_length=200, description="a staff login, the meeting's number, or the provider's address")
    at: datetime = Field(sa_type=UtcDateTime)
    document: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="what was signed at it")
    note: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="what was decided at it")


class Meeting(ProviderModel, table=True):
    """A meeting of a district's housing commission (Annex 1 step 6): its agenda, the members present,
    the protocol and the signatures it has gathered."""

    __tablename__ = "commission_meeting"

    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(max_length=64, unique=True, description="ТК-<district>-<year>-<sequence>")
    district: str = Field(max_length=32, index=True)
    held_at: datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=64)
    status: str = Field(max_length=16, description="signing | signed")
    present: list[str] = Field(sa_type=sa.JSON, description="the logins of the members present, the chair first")
    agenda: list[str] = Field(sa_type=sa.JSON, description="the case numbers it decides")
    document: dict[str, Any] = Field(sa_type=sa.JSON, description="the protocol (housing-queue/protocol@1), unsigned")
    signed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="with the signatures so far")
    signed_by: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class MeetingCounter(ProviderModel, table=True):
    """The last meeting sequence given out per district and year."""

    __tablename__ = "meeting_counter"

    district: str = Field(primary_key=True, max_length=32)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class CaseStatusRow(ProviderModel, table=True):
    """One entry of a case's status history."""

    __tablename__ = "case_status"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=36, index=True)
    status: str = Field(max_length=32)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    actor: str = Field(max_length=200, description="a staff login, or the service's address for its own steps")
    reason: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class CaseRegistryAnswer(ProviderModel, table=True):
    """A registry answer a decision on the case used (or the registry's refusal, by its code)."""

    __tablename__ = "case_registry_answer"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=36, index=True)
    query: str = Field(max_length=32, description="person | civil-status | …")
    subject: str = Field(max_length=64, description="the IIN (or number) asked about")
    outcome: str = Field(max_length=64, description="ok, or the registry's error code")
    asked_at: datetime = Field(sa_type=UtcDateTime)
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    signed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="the registry's signed answer")


class CaseCounter(ProviderModel, table=True):
    """The last case sequence given out per district and year (domain/numbering.py)."""

    __tablename__ = "case_counter"

    district: str = Field(primary_key=True, max_length=32)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class RejectedIntake(ProviderModel, table=True):
    """A delivered message the provider did not open a case for: not verifiable, or not registered
    by the regional gateway (no registration stamp of its BIN). Kept for the operators, never answered."""

    __tablename__ = "rejected_intake"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=200, index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    routing_key: str = Field(max_length=200)
    sender: str = Field(max_length=200)
    issue: str | None = Field(default=None, max_length=200)
    code: str = Field(max_length=64, description="the catalogue code of why")
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class StaffAccount(ProviderModel, table=True):
    """A member of the housing department's staff (specialist, head) or of the housing commission
    (``position``: chair, secretary, member), bound to one district's department, with the IIN their
    employee certificate carries; password hashed with Argon2id. ``failures``,
    ``first_failure_at`` and ``locked_until`` are its `shared.lockout.LoginState`."""

    __tablename__ = "staff_account"

    login: str = Field(primary_key=True, max_length=64)
    password_hash: str = Field(sa_type=sa.Text)
    role: str = Field(max_length=16, description="specialist | head | commission")
    position: str | None = Field(
        default=None, max_length=16, description="on the commission: chair | secretary | member"
    )
    iin: str | None = Field(default=None, max_length=12, description="the person's IIN: their employee certificate's")
    district: str = Field(max_length=32, index=True)
    full_name: str = Field(default="", max_length=200)
    active: bool = True
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_failure_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CenterHandover(ProviderModel, table=True):
    """What the Public Service Center handed the district's department on the bus (``handover.<district>``):
    a register of the originals accepted (Annex 1 step 2), an Annex 4 register of unclaimed results (§14 item
    1), or a late recall of a result handed over (§14 item 1, by ``due_on``); and the staff member's signed
    acknowledgment (Annex 1 step 3, Annex 4's «Қабылдады»; a recall: the result sent back)."""

    __tablename__ = "center_handover"
    __table_args__ = (sa.Index("ix_center_handover_district_received", "district", "received_at"),)

    id: str = Field(primary_key=True, max_length=36, description="the handed-over document's id")
    kind: str = Field(max_length=16, description="originals | unclaimed | recall")
    district: str = Field(max_length=32)
    branch: str = Field(max_length=200, description="the branch as the document names it: «<branch>, №<department>»")
    document: dict[str, Any] = Field(sa_type=sa.JSON, description="the signed e-document, as it came")
    total: int = Field(description="its entries (a recall: 1)")
    application_ids: list[Any] = Field(
        default_factory=list,
        sa_type=sa.JSON,
        description="the applications it names, as it names them: their ids (originals, recall), or an Annex 4 "
        "register's identifiers (the registration number at the gateway, else the id)",
    )
    received_at: datetime = Field(sa_type=UtcDateTime)
    due_on: date | None = Field(default=None, description="a recall: the day the result goes back by (return_by)")
    state: str = Field(max_length=16, description="RECEIVED | ACKNOWLEDGED")
    draft_ack: dict[str, Any] | None = Field(
        default=None, sa_type=sa.JSON, description="the acknowledgment (housing-queue/handover-ack@1) to sign"
    )
    acknowledged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    acknowledged_by: str | None = Field(default=None, max_length=64, description="the staff login")
    signed_ack: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, description="as signed and sent")
    returned_in_time: bool | None = Field(default=None, description="a recall: acknowledged by due_on")


METADATA = [KernelModel.metadata, ProviderModel.metadata]
