"""Tables of portal_gateway. Its own registry keeps them apart from the other services' tables when all
five run in one process.

Accounts and logins (SPEC §8 steps 1–4), the e-copies citizens upload (§14 "on the portal"), and the
applications with their history as the personal cabinet shows them (SPEC §3 step 3, §17)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.bus.envelope import utcnow
from shared.models import KernelModel


class PortalModel(SQLModel, registry=registry()):
    """Base of portal_gateway's tables."""


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives stored datetimes back without their zone; every one stored here is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


class Account(PortalModel, table=True):
    """A citizen's portal account (SPEC §8 step 1), by IIN. ``password_hash`` is empty for an account
    made by the first EDS login: such an account signs in with its EDS only."""

    __tablename__ = "portal_account"

    iin: str = Field(primary_key=True, max_length=12)
    password_hash: str | None = Field(default=None, max_length=255, description="argon2 (pwdlib)")
    email: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    created_by: str = Field(default="password", max_length=16, description="password | eds")
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class LoginFailure(PortalModel, table=True):
    """A failed password login, kept for the 15-minute lockout window (domain/passwords.py)."""

    __tablename__ = "portal_login_failure"
    __table_args__ = (sa.Index("ix_portal_login_failure_iin_at", "iin", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    iin: str = Field(max_length=12)
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class AuthChallenge(PortalModel, table=True):
    """A challenge issued for an EDS login: single use, valid for 5 minutes. ``document`` is the exact
    JSON the citizen signs with their AUTH key."""

    __tablename__ = "portal_auth_challenge"

    nonce: str = Field(primary_key=True, max_length=64)
    iin: str = Field(max_length=12)
    document: str = Field(sa_type=sa.Text)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class StoredAttachment(PortalModel, table=True):
    """An e-copy a citizen uploaded; applications reference it by SHA-256 (ARCHITECTURE §4). Only its
    uploader may reference it."""

    __tablename__ = "portal_attachment"

    owner_iin: str = Field(primary_key=True, max_length=12)
    sha256: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=40)
    name: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


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
    submitted_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    expected_result_date: date
    status: str = Field(max_length=32)
    status_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    registration_number: str | None = Field(default=None, max_length=64)
    registered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    case_number: str | None = Field(default=None, max_length=64)
    delivery_state: str | None = Field(default=None, max_length=32)
    delivery_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    delivery_error: str | None = Field(default=None, sa_type=sa.Text, description="JSON: the catalogue error")
    result_signed: str | None = Field(default=None, sa_type=sa.Text, description="the signed result, JWS JSON")
    result_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ApplicationEvent(PortalModel, table=True):
    """One business status the application went through, in the order the statuses say (``at``),
    including those that arrived late and did not change the current one."""

    __tablename__ = "portal_application_event"
    __table_args__ = (sa.Index("ix_portal_application_event_application", "application_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: str = Field(max_length=36, foreign_key="portal_application.id")
    status: str = Field(max_length=32)
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    details: str | None = Field(default=None, sa_type=sa.Text, description="JSON")
    received_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


METADATA = [KernelModel.metadata, PortalModel.metadata]
