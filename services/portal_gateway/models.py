"""Tables of portal_gateway. Its own registry keeps them apart from the other services' tables when all
five run in one process.

Accounts and logins (§18 steps 1–4), the e-copies citizens upload (§14 "on the portal"), and the
applications with their history as the personal cabinet shows them (§10 step 3, §17). Every timestamp
is a `UtcDateTime`: it comes back timezone-aware UTC, on SQLite too."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.calendar import utcnow
from shared.db import UtcDateTime
from shared.models import KernelModel


class PortalModel(SQLModel, registry=registry()):
    """Base of portal_gateway's tables."""


class Account(PortalModel, table=True):
    """A citizen's portal account (§18 step 1), by IIN. ``password_hash`` is empty for an account
    made by the first EDS login: such an account signs in with its EDS only. ``failures``,
    ``first_failure_at`` and ``locked_until`` are its `shared.lockout.LoginState`.

    ``identity_proven_at`` and ``proven_by`` (``eds`` or ``sms``): when the account was bound to its
    person, by an EDS login or a one-time code sent to the number the mobile-citizens database holds for
    the IIN. Until then the account is anyone's who typed the IIN and a password, and the registries'
    data on the person is not shown to it."""

    __tablename__ = "portal_account"

    iin: str = Field(primary_key=True, max_length=12)
    password_hash: str | None = Field(default=None, max_length=255, description="argon2 (pwdlib)")
    email: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by: str = Field(default="password", max_length=16, description="password | eds")
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_failure_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    identity_proven_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    proven_by: str | None = Field(default=None, max_length=8, description="eds | sms")


class SmsCode(PortalModel, table=True):
    """A one-time code sent by SMS to prove the person of ``iin`` (domain/sms_codes.py): its keyed digest
    only, never the code. ``slot`` (0–2) is one of the IIN's 3 codes per 15 minutes; the unique index on
    (iin, slot) keeps two concurrent requests from both taking the last one. ``tries`` counts the
    confirmations reserved on it (counted before the code is checked); rows leave 15 minutes after
    ``sent_at``."""

    __tablename__ = "portal_sms_code"
    __table_args__ = (
        sa.Index("ux_portal_sms_code_iin_slot", "iin", "slot", unique=True),
        sa.Index("ix_portal_sms_code_sent_at", "sent_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    iin: str = Field(max_length=12)
    slot: int
    digest: str = Field(max_length=64, description="HMAC-SHA-256 (hex) of the code")
    sent_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    tries: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuthChallenge(PortalModel, table=True):
    """A challenge issued for an EDS login: single use, valid for 5 minutes. ``document`` is the exact
    JSON the citizen signs with their AUTH key."""

    __tablename__ = "portal_auth_challenge"

    nonce: str = Field(primary_key=True, max_length=64)
    iin: str = Field(max_length=12)
    document: str = Field(sa_type=sa.Text)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class StoredAttachment(PortalModel, table=True):
    """An e-copy a citizen uploaded; applications reference it by SHA-256 (architecture §4). Only its
    uploader may reference it."""

    __tablename__ = "portal_attachment"

    owner_iin: str = Field(primary_key=True, max_length=12)
    sha256: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=40)
    name: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class Application(PortalModel, table=True):
    """A submitted application: the signed e-document and what the cabinet shows of its way.

    ``active_for`` holds the applicant's IIN while the application blocks another one (pending or
    QUEUED: domain/duplicates.py) and is emptied by a refusal; its unique index is what keeps two
    concurrent submissions from both passing the duplicate rule."""

    __tablename__ = "portal_application"
    __table_args__ = (
        sa.Index("ix_portal_application_iin", "iin", "submitted_at"),
        sa.Index("ux_portal_application_active_for", "active_for", unique=True),
    )

    id: str = Field(primary_key=True, max_length=36, description="= the document's id")
    iin: str = Field(max_length=12)
    active_for: str | None = Field(default=None, max_length=12)
    district: str = Field(max_length=40)
    signed: str = Field(sa_type=sa.Text, description="the signed application, JWS JSON")
    submitted_at: datetime = Field(sa_type=UtcDateTime)
    expected_result_date: date
    status: str = Field(max_length=32)
    status_at: datetime = Field(sa_type=UtcDateTime)
    registration_number: str | None = Field(default=None, max_length=64)
    registered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    case_number: str | None = Field(default=None, max_length=64)
    delivery_state: str | None = Field(default=None, max_length=32)
    delivery_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivery_error: str | None = Field(default=None, sa_type=sa.Text, description="JSON: the catalogue error")
    result_signed: str | None = Field(default=None, sa_type=sa.Text, description="the signed result, JWS JSON")
    result_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApplicationEvent(PortalModel, table=True):
    """One business status the application went through, in the order the statuses say (``at``),
    including those that arrived late and did not change the current one."""

    __tablename__ = "portal_application_event"
    __table_args__ = (sa.Index("ix_portal_application_event_application", "application_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: str = Field(max_length=36, foreign_key="portal_application.id")
    status: str = Field(max_length=32)
    at: datetime = Field(sa_type=UtcDateTime)
    details: str | None = Field(default=None, sa_type=sa.Text, description="JSON")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class MailOutboxMessage(PortalModel, table=True):
    """An e-mail to send (§17: the signed result, to the address the application gives), written in the
    same transaction as what it tells of (mailing.py). The mail relay claims it (``claimed_until``, its
    lease), sends it and marks it sent; a failed attempt leaves it pending for a later one, never dropped.
    ``id`` is derived from what is mailed (the application and the result's digest): one result is
    mailed once however often it arrives."""

    __tablename__ = "portal_mail_outbox"
    __table_args__ = (
        sa.Index("ix_portal_mail_outbox_pending", "sent_at", "next_attempt_at"),
        sa.Index("ix_portal_mail_outbox_application", "application_id"),
    )

    id: str = Field(primary_key=True, max_length=64)
    application_id: str = Field(max_length=36)
    to_address: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    text: str = Field(sa_type=sa.Text)
    attachment_name: str | None = Field(default=None, max_length=200)
    attachment_type: str | None = Field(default=None, max_length=100)
    attachment: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UtcDateTime, description="a relay's lease")
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


METADATA = [KernelModel.metadata, PortalModel.metadata]
