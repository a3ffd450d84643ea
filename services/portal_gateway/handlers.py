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
(`check_result`). The application's QUEUED or REFUSED comes with the provider's status.

The kernel runs the table (shared/handlers.py): each apply runs in the inbox's transaction, at most
once per message. Messages may come in any order: the current status only moves forward
(domain/statuses.py) while every status is kept in the history, and the delivery state is the newest
receipt's. A message about an application the portal does not have is logged and acknowledged (it is
not ours to retry)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.domain.duplicates import blocks_new_application
from services.portal_gateway.domain.statuses import advances, newer_delivery
from services.portal_gateway.mailing import enqueue_result_mail
from services.portal_gateway.models import Application, ApplicationEvent
from shared.bus.port import Delivery, Refused
from shared.eds.signing import payload_of
from shared.eds.stamps import STAMP_ALERT, stamp_failing
from shared.eds.verify import Verified, Verifier
from shared.errors import AppError, is_transient
from shared.handlers import MessageHandler
from shared.housing.decisions import (
    NOTIFICATION_TYPE,
    REFUSAL_TYPE,
    NotificationDocument,
    RefusalDocument,
    ResultDocument,
)
from shared.housing.messages import (
    GATEWAY_STATUSES,
    Receipt,
    Registration,
    SignedStatus,
    StatusChange,
    receipt_key,
    result_key,
    status_key,
)
from shared.logging import get_logger
from shared.participants import GATEWAY, PORTAL, PROVIDER, user_id

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


async def check_status(verifier: Verifier, delivery: Delivery) -> StatusChange:
    """The status a message carries: the provider's, verified as its signed status; or one of the
    gateway's own (`GATEWAY_STATUSES`), plain under the gateway's envelope. Anything else is refused."""
    document = delivery.envelope.document
    try:
        if "payload" in document:
            return await verify_provider_status(verifier, document)
        change = StatusChange.model_validate(document)
    except ValidationError as exc:
        raise Refused("not a status", errors=str(exc)[:500]) from None
    except AppError as exc:
        if is_transient(exc.code):
            raise
        raise Refused("a status not signed by the provider", code=exc.code, details=exc.details) from None
    if change.status not in GATEWAY_STATUSES:
        raise Refused("a provider's status without the provider's signature", status=change.status)
    return change


async def verify_provider_status(verifier: Verifier, document: dict[str, Any]) -> StatusChange:
    verified = await verifier.verify(document, purpose="sign", model=SignedStatus)
    if verified.author.bin != PROVIDER.bin or verified.author.holder != "system":
        raise AppError("EDS_PURPOSE_INVALID", {"reason": "not signed by the provider", "bin": verified.author.bin})
    return verified.document.change()


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


def _signed_result(delivery: Delivery) -> Any:
    document = delivery.envelope.document
    return document if "payload" in document else document.get("signed", document)


RESULT_MODELS: dict[str, type[NotificationDocument] | type[RefusalDocument]] = {
    NOTIFICATION_TYPE: NotificationDocument,
    REFUSAL_TYPE: RefusalDocument,
}
"""The results of this service (§5), by their type."""


def _type_of(document: Any) -> str | None:
    try:
        value = payload_of(document).get("type")
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


async def verify_result(verifier: Verifier, document: Any) -> Verified[ResultDocument]:
    """The result as the cabinet may show it (§17, §18 Process 8): a notification or a reasoned refusal (by
    its type), signed first by the head of the housing department — an employee certificate of the
    provider's BIN, the document's author naming the head's IIN and the BIN — and then registered by the
    regional gateway: its one registration stamp, by a system certificate of the gateway's BIN, carrying
    the registration for the result's district. Those two signatures and no others. Else the verifier's
    code, or EDS_PURPOSE_INVALID."""
    model = RESULT_MODELS.get(_type_of(document) or "")
    if model is None:
        await verifier.verify(document, purpose="sign")  # what is not a sound e-document fails with its own code
        raise AppError("EDS_PURPOSE_INVALID", {"reason": "not a result of this service", "type": _type_of(document)})
    verified: Verified[ResultDocument] = await verifier.verify(document, purpose="sign", model=model)
    author, claimed = verified.author, verified.document.author
    if author.holder != "employee" or author.bin != PROVIDER.bin or claimed.iin is None or claimed.bin is None:
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {
                "reason": "a result is signed by the head of the housing department: an employee certificate of "
                "the provider's BIN",
                "bin": author.bin,
                "holder": author.holder,
            },
        )
    stamps = verified.signatures[1:]
    stamp = stamps[0] if len(stamps) == 1 else None
    if (
        stamp is None
        or stamp.role != "registration"
        or stamp.holder != "system"
        or stamp.bin != GATEWAY.bin
        or stamp.registration is None
    ):
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {
                "reason": "a result carries the regional gateway's registration stamp (its system certificate), "
                "and only it, after the head's signature",
                "stamps": [{"role": s.role, "bin": s.bin, "holder": s.holder} for s in stamps],
            },
        )
    if stamp.registration.district != verified.document.district:
        raise AppError("EDS_PURPOSE_INVALID", {"reason": "the stamp registers the result for another district"})
    return verified


async def check_result(verifier: Verifier, delivery: Delivery) -> Verified[ResultDocument]:
    """The signed result (§17) is verified before anything is written, outside the transaction
    (`verify_result`: the head's signature, then the regional gateway's registration stamp), and must be
    about the envelope's application. A result that is not is never shown: refused, it is kept on the dead
    letter queue, not lost; an outage of the revocation sources is redelivered. So is a result whose only
    fault is the gateway's own stamping certificate — its stamp's, a system certificate of the gateway's
    BIN, revoked or expired, the head's signature good (`shared.eds.stamps`): the system's credential to
    renew, not the result's; it is redelivered (then dead-lettered, kept) with an ALERT (`STAMP_ALERT`), and
    the gateway, renewed, stamps it again and relays it under the same message id, which this queue then
    applies (once: the inbox)."""
    signed = _signed_result(delivery)
    try:
        verified = await verify_result(verifier, signed)
        issue = delivery.envelope.issue
        if issue is not None and verified.document.application_id != issue:
            raise AppError("VALIDATION_FAILED", {"reason": "the result is about another application than the issue"})
    except AppError as error:
        stamp = None if is_transient(error.code) else stamp_failing(signed, error, gateway_bin=GATEWAY.bin)
        if stamp is not None:
            log.error(
                STAMP_ALERT,
                code=error.code,
                application_id=(delivery.envelope.issue or "")[:64],
                message_id=delivery.envelope.message_id[:64],
                document="result",
                **stamp,
            )
            raise AppError(
                "SERVICE_UNAVAILABLE",
                {"reason": "the gateway's stamping certificate is unusable; wait for its re-stamp", "code": error.code},
            ) from None
        log.error(
            "a result that does not verify; not shown",
            issue=delivery.envelope.issue,
            code=error.code,
            details=error.details,
        )
        if is_transient(error.code):
            raise
        raise Refused(
            "a result the provider's head did not sign or the gateway did not register", code=error.code
        ) from None
    return verified


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
