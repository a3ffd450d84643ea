"""Submitting the signed application (SPEC §8 Condition 2, Process 4, Process 5; §3 step 3).

Condition 2 is the one verification (shared.eds.verify, purpose SIGN): validity, revocation, key
usage, the IIN in the request equal to the IIN in the certificate. Process 4 is its refusal, with
the EDS code: nothing is stored as an application, the refusal is logged. Accepted applications are
stored and put in the outbox for the regional gateway in one transaction, so an application the
citizen was told is accepted is never lost, and none is sent that was not stored.

Duplicates (domain/duplicates.py) are refused with DUPLICATE_APPLICATION; the unique index on
``active_for`` keeps two concurrent submissions from both passing. Sending the same signed document
again is idempotent (202 with the application's current state); another document with an id already
used is a CONFLICT.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from services.portal_gateway.attachments import check_references
from services.portal_gateway.context import Portal
from services.portal_gateway.domain.deadlines import expected_result_date
from services.portal_gateway.models import Application, ApplicationEvent
from shared.bus.envelope import Envelope
from shared.bus.outbox import enqueue
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.housing.messages import SUBMITTED
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Accepted:
    id: str
    status: str
    expected_result_date: date


async def submit(portal: Portal, *, iin: str, signed: Any) -> Accepted:
    """Verify, check and store the citizen's signed application and send it on (202)."""
    user_id = f"KZ{iin}"
    try:
        verified = await portal.runtime.verifier.verify(signed, purpose="sign", model=ApplicationDocument)
    except AppError as error:
        log.warning("Process 4: EDS not confirmed, application refused", user_id=user_id, code=error.code,
                    details=error.details)  # fmt: skip
        raise
    application = ApplicationDocument.model_validate(verified.document)
    if application.author.iin != iin:
        log.warning("application of another person refused", user_id=user_id, author=application.author.iin)
        raise AppError("FORBIDDEN", {"reason": "the application is another person's: sign in as its applicant"})
    if application.channel != "portal":
        raise AppError("VALIDATION_FAILED", {"errors": [{"loc": ["signed", "channel"], "msg": "must be 'portal'"}]})
    if len(verified.signatures) != 1:
        raise AppError("EDS_PURPOSE_INVALID", {"reason": "a portal application carries the applicant's signature only"})
    await check_references(portal, iin=iin, attachments=application.attachments)
    try:
        accepted = await _store(portal, iin, application, verified.signed)
    except IntegrityError:
        # A concurrent submission committed first (same id, or another active application): judge
        # again against what it wrote.
        accepted = await _store(portal, iin, application, verified.signed)
    return accepted


async def _store(portal: Portal, iin: str, application: ApplicationDocument, signed: Any) -> Accepted:
    async with portal.runtime.db.transaction() as session:
        existing = await session.get(Application, application.id)
        if existing is not None:
            if existing.iin == iin and json.loads(existing.signed) == signed:
                return Accepted(existing.id, existing.status, existing.expected_result_date)
            raise AppError("CONFLICT", {"reason": "an application with this id was submitted", "id": application.id})
        active = (await session.exec(select(Application).where(Application.active_for == iin))).first()
        if active is not None:
            raise AppError("DUPLICATE_APPLICATION", {"application_id": active.id, "status": active.status})
        now = datetime.now(UTC)
        row = Application(
            id=application.id, iin=iin, active_for=iin, district=application.district, signed=json.dumps(signed),
            submitted_at=now, expected_result_date=expected_result_date(now), status="SUBMITTED", status_at=now,
        )  # fmt: skip
        session.add(row)
        await session.flush()
        session.add(ApplicationEvent(application_id=row.id, status="SUBMITTED", at=now))
        envelope = Envelope(
            correlation_id=application.id, message_type=SUBMITTED, sender=portal.sender, user_id=f"KZ{iin}",
            issue=application.id, document=dict(signed),
        )  # fmt: skip
        enqueue(session, envelope, SUBMITTED)
    log.info("application accepted and sent to the regional gateway", user_id=f"KZ{iin}", issue=row.id)
    return Accepted(row.id, row.status, row.expected_result_date)
