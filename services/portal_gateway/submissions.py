"""Submitting the signed application (§18 Condition 2, Process 4, Process 5; §10 step 3).

Condition 2 is the one verification (shared.eds.verify, purpose SIGN): validity, revocation, key
usage, the IIN in the request equal to the IIN in the certificate. Process 4 is its refusal, with
the EDS code: nothing is stored as an application, the refusal is logged. `check_submission` does it
before the unit of work is opened. Accepted applications are stored and put in the outbox for the
regional gateway in one transaction (`submit`), so an application the citizen was told is accepted is
never lost, and none is sent that was not stored.

Duplicates (domain/duplicates.py) are refused with DUPLICATE_APPLICATION; the unique index on
``active_for`` keeps two concurrent submissions from both passing: the one that commits second fails
with an IntegrityError, and its caller runs `submit` once more, judging it against what the first
wrote. Sending the same signed document again is idempotent (202 with the application's current
state); another document with an id already used is a CONFLICT.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.attachments import check_references
from services.portal_gateway.domain.deadlines import expected_result_date
from services.portal_gateway.models import Application, ApplicationEvent
from shared.bus.envelope import Envelope
from shared.bus.outbox import enqueue
from shared.calendar import utcnow
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.housing.messages import SUBMITTED
from shared.logging import get_logger
from shared.participants import PORTAL, user_id

log = get_logger(__name__)


@dataclass(frozen=True)
class Checked:
    """A signed application that passed Condition 2 and is the signed-in citizen's."""

    application: ApplicationDocument
    signed: dict[str, Any]


@dataclass(frozen=True)
class Accepted:
    id: str
    status: str
    expected_result_date: date


async def check_submission(*, verifier: Verifier, iin: str, signed: Any) -> Checked:
    """Condition 2 (Process 4 on failure, with the EDS code), then: the applicant is the signed-in
    citizen (FORBIDDEN), the channel is the portal, and the applicant's is the only signature."""
    try:
        verified = await verifier.verify(signed, purpose="sign", model=ApplicationDocument)
    except AppError as error:
        log.warning(
            "Process 4: EDS not confirmed, application refused",
            user_id=user_id(iin),
            code=error.code,
            details=error.details,
        )
        raise
    application = verified.document
    if application.author.iin != iin:
        log.warning("application of another person refused", user_id=user_id(iin), author=application.author.iin)
        raise AppError("FORBIDDEN", {"reason": "the application is another person's: sign in as its applicant"})
    if application.channel != "portal":
        raise AppError("VALIDATION_FAILED", {"errors": [{"loc": ["signed", "channel"], "msg": "must be 'portal'"}]})
    if len(verified.signatures) != 1:
        raise AppError("EDS_PURPOSE_INVALID", {"reason": "a portal application carries the applicant's signature only"})
    return Checked(application, dict(verified.signed))


async def submit(session: AsyncSession, *, iin: str, checked: Checked) -> Accepted:
    """Store the checked application and put it in the outbox for the regional gateway: the uploads
    it references are ``iin``'s (DOCS_INCOMPLETE), its id is new (the same signed document again: its
    current state; another one: CONFLICT) and ``iin`` has no application pending or queued
    (DUPLICATE_APPLICATION). Raises IntegrityError when a concurrent
    submission wrote the same id or an active application first."""
    application, signed = checked.application, checked.signed
    await check_references(session, iin=iin, attachments=application.attachments)
    existing = await session.get(Application, application.id)
    if existing is not None:
        if existing.iin == iin and json.loads(existing.signed) == signed:
            return Accepted(existing.id, existing.status, existing.expected_result_date)
        raise AppError("CONFLICT", {"reason": "an application with this id was submitted", "id": application.id})
    active = (await session.exec(select(Application).where(Application.active_for == iin))).first()
    if active is not None:
        raise AppError("DUPLICATE_APPLICATION", {"application_id": active.id, "status": active.status})
    now = utcnow()
    row = Application(
        id=application.id,
        iin=iin,
        active_for=iin,
        district=application.district,
        signed=json.dumps(signed),
        submitted_at=now,
        expected_result_date=expected_result_date(now),
        status="SUBMITTED",
        status_at=now,
    )
    session.add(row)
    await session.flush()
    session.add(ApplicationEvent(application_id=row.id, status="SUBMITTED", at=now))
    envelope = Envelope(
        correlation_id=application.id,
        message_type=SUBMITTED,
        sender=PORTAL.address,
        user_id=user_id(iin),
        issue=application.id,
        document=signed,
    )
    enqueue(session, envelope, SUBMITTED)
    log.info("application accepted and sent to the regional gateway", user_id=user_id(iin), issue=row.id)
    return Accepted(row.id, row.status, row.expected_result_date)
