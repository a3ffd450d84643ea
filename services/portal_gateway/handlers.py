"""The portal's handler table: what the regional gateway tells it about submitted applications
(shared/housing/messages.py) — receipts (the transport state and the registration, Process 6),
business statuses (the gateway's own, or the provider's signed ones, relayed), and the signed result
(Process 8; §17: delivered to the personal cabinet, and e-mailed when an address is given: mailing.py).
The kernel has admitted each message as the gateway's (architecture §9); what the provider says is
believed only under the provider's signature: a status the gateway relays is verified as the
provider's `SignedStatus`, a result as the head's (an employee certificate of the provider's BIN)
registered by the regional gateway (its registration stamp), and anything else is refused
(dead-lettered, never shown) — except a result held up only by the gateway's own stamping certificate
(revoked or expired), which is redelivered, never refused, until the gateway stamps it again
(`shared.housing.relayed`: the checks the Center makes too). The application's QUEUED or REFUSED comes
with the provider's status.

The kernel runs the table (shared/handlers.py): each apply runs in the inbox's transaction, at most
once per message. Messages may come in any order: the current status only moves forward
(shared/housing/statuses.py) while every status is kept in the history, and the delivery state is the newest
receipt's. A message about an application the portal does not have is logged and acknowledged (it is
not ours to retry)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.domain.duplicates import blocks_new_application
from services.portal_gateway.mailing import enqueue_result_mail
from services.portal_gateway.models import Application, ApplicationEvent
from shared.bus.port import Delivery, Refused
from shared.eds.verify import Verified, Verifier
from shared.handlers import MessageHandler
from shared.housing.decisions import ResultDocument
from shared.housing.messages import Receipt, Registration, StatusChange, receipt_key, result_key, status_key
from shared.housing.relayed import check_result, check_status, verify_result
from shared.housing.statuses import advances, newer_delivery
from shared.logging import get_logger
from shared.participants import PORTAL, user_id

__all__ = ["QUEUES", "check_result", "check_status", "table", "verify_result"]  # the checks: shared.housing.relayed

log = get_logger(__name__)
QUEUES = {
    "receipts": "portal_gateway.receipts",
    "statuses": "portal_gateway.statuses",
    "results": "portal_gateway.results",
}


def table(*, verifier: Verifier) -> list[MessageHandler]:
    """Receipts, statuses and results addressed to the portal; results are verified by ``verifier``."""
    return [
        MessageHandler(QUEUES["receipts"], [receipt_key(PORTAL.address)], apply_receipt),
        MessageHandler(
            QUEUES["statuses"], [status_key(PORTAL.address)], apply_status, check=partial(check_status, verifier)
        ),
        MessageHandler(
            QUEUES["results"], [result_key(PORTAL.address)], apply_result, check=partial(check_result, verifier)
        ),
    ]


async def _application(session: AsyncSession, application_id: str | None, delivery: Delivery) -> Application | None:
    # Locked: two statuses of one application handled at once must not overwrite each other (a lost update).
    row = await session.get(Application, application_id, with_for_update=True) if application_id else None
    if row is None:
        log.warning(
            "message about an application the portal does not have; acknowledged",
            issue=application_id,
            message_type=delivery.envelope.message_type,
        )
    return row


def _set_status(
    session: AsyncSession, row: Application, status: str, at: datetime, details: dict[str, Any] | None
) -> None:
    """Keep ``status`` in the history; make it current when it moves the application forward."""
    session.add(
        ApplicationEvent(application_id=row.id, status=status, at=at, details=json.dumps(details) if details else None)
    )
    if advances(row.status, status):
        row.status, row.status_at = status, at
        row.active_for = row.iin if blocks_new_application(status) else None


def _register(row: Application, registration: Registration | None, number: str | None = None) -> None:
    if registration is not None:
        row.registration_number, row.registered_at = registration.number, registration.registered_at
    elif number and not row.registration_number:
        row.registration_number = number


async def apply_receipt(session: AsyncSession, delivery: Delivery, _verdict: None) -> None:
    """The gateway's receipt: the delivery state (newest wins) and the registration. A delivery the
    gateway stopped for good is the end of the application's way (REFUSED_AT_GATEWAY)."""
    receipt = Receipt.model_validate(delivery.envelope.document)
    row = await _application(session, receipt.application_id, delivery)
    if row is None:
        return
    sent_at = delivery.envelope.message_date
    _register(row, receipt.registration)
    if newer_delivery(row.delivery_at, sent_at, row.delivery_state):
        row.delivery_state, row.delivery_at = receipt.state, sent_at
        row.delivery_error = json.dumps(receipt.error) if receipt.error else None
    if receipt.state == "DELIVERY_STOPPED":
        _set_status(session, row, "REFUSED_AT_GATEWAY", sent_at, {"source": "receipt", "error": receipt.error})
    session.add(row)


async def apply_status(session: AsyncSession, delivery: Delivery, change: StatusChange) -> None:
    """A business status (the provider's, or the gateway's own), with the numbers it carries."""
    row = await _application(session, change.application_id, delivery)
    if row is None:
        return
    _register(row, None, change.registration_number)
    if change.case_number:
        row.case_number = change.case_number
    details = {
        k: v
        for k, v in change.model_dump(mode="json").items()
        if k in ("reason", "case_number", "registration_number") and v
    }
    _set_status(session, row, change.status, change.at, details or None)
    session.add(row)


async def apply_result(session: AsyncSession, delivery: Delivery, verified: Verified[ResultDocument]) -> None:
    """Keep the verified result for the cabinet and, in the same transaction, put its e-mail in the mail
    outbox when the application (or the account) gives an address (§17; mailing.py). A result for another
    district than the application's is refused (dead-lettered)."""
    row = await _application(session, verified.document.application_id, delivery)
    if row is None:
        return
    if row.district != verified.document.district:
        log.error("a result for another district than the application's; not shown", issue=row.id)
        raise Refused("a result for another district than the application's", district=verified.document.district)
    row.result_signed, row.result_at = json.dumps(dict(verified.signed)), verified.author.signed_at
    session.add(row)
    log.info("result delivered to the personal cabinet", issue=row.id, user_id=user_id(row.iin))
    await enqueue_result_mail(session, row)
