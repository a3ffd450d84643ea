"""The Center's handler table: what the regional gateway tells it about the applications its operators sent
(shared/housing/messages.py) — receipts (the transport state and the registration, §19 Process 7),
business statuses (the gateway's own, or the provider's signed ones, relayed: Condition 2, Process 8), and
the signed result (Process 9), on ``receipt.con``, ``status.con`` and ``result.con``; and the provider's answers to
what the Center handed it (``handover.ack.con``: registers accepted, a recalled result sent back; registers.py).

The kernel has admitted each message as the gateway's (architecture §9); what the provider says is believed
only under the provider's signature, by the checks the portal makes too (`shared.housing.relayed`): a status
verified as the provider's `SignedStatus` (or one of the gateway's own, plain), a result as the head's
registered by the gateway's stamp; anything else is refused (dead-lettered, never applied), and a result
held up only by the gateway's stamping certificate is redelivered, never refused.

Each apply runs in the inbox's transaction, at most once per message. Messages may come in any order: the
intake's status only moves forward (`shared.housing.statuses`) while every status is kept in its history,
and the delivery state is the newest receipt's; a refusal (at the gateway, of the documents, or the
reasoned refusal) frees the recipient to be taken in again. A result is kept as it came, verified
(`CenterResult`), for the issuance window (§17: issuance.py). A message about an application the Center
does not have is logged and acknowledged (it is not ours to retry)."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.con_intake import registers
from services.con_intake.models import CenterResult, Intake, IntakeEvent
from shared.bus.port import Delivery, Refused
from shared.eds.verify import Verified, Verifier
from shared.errors import AppError, is_transient
from shared.handlers import MessageHandler
from shared.housing import center
from shared.housing.decisions import ResultDocument
from shared.housing.messages import (
    HANDOVER_ACK,
    Receipt,
    Registration,
    StatusChange,
    receipt_key,
    result_key,
    status_key,
)
from shared.housing.relayed import check_result, check_status
from shared.housing.statuses import REFUSALS, advances, newer_delivery
from shared.logging import get_logger
from shared.participants import CENTER, PROVIDER

log = get_logger(__name__)
QUEUES = {
    "receipts": "con_intake.receipts",
    "statuses": "con_intake.statuses",
    "results": "con_intake.results",
    "answers": "con_intake.handover-answers",
}


def table(*, verifier: Verifier) -> list[MessageHandler]:
    """Receipts, statuses and results addressed to the Center; statuses and results verified by ``verifier``."""
    return [
        MessageHandler(QUEUES["receipts"], [receipt_key(CENTER.address)], apply_receipt),
        MessageHandler(
            QUEUES["statuses"], [status_key(CENTER.address)], apply_status, check=partial(check_status, verifier)
        ),
        MessageHandler(
            QUEUES["results"], [result_key(CENTER.address)], apply_result, check=partial(check_result, verifier)
        ),
        MessageHandler(QUEUES["answers"], [HANDOVER_ACK], apply_ack, check=partial(check_ack, verifier)),
    ]


async def check_ack(verifier: Verifier, delivery: Delivery) -> Verified[center.HandoverAck]:
    """The provider's answer to a handover: a `HandoverAck` signed once, by an employee certificate of the
    provider's BIN (its specialist or head); anything else is refused, a transient failure redelivered."""
    try:
        verified = await verifier.verify(delivery.envelope.document, purpose="sign", model=center.HandoverAck)
    except AppError as exc:
        if is_transient(exc.code):
            raise
        raise Refused("an answer not signed as the provider's", code=exc.code, details=exc.details) from None
    info = verified.author
    if len(verified.signatures) != 1 or info.holder != "employee" or info.bin != PROVIDER.bin:
        raise Refused("an answer not signed by the provider's employee", bin=info.bin, holder=info.holder)
    return verified


async def apply_ack(session: AsyncSession, _delivery: Delivery, verified: Verified[center.HandoverAck]) -> None:
    await registers.apply_ack(session, verified)


async def _intake(session: AsyncSession, application_id: str | None, delivery: Delivery) -> Intake | None:
    # Locked: two statuses of one application handled at once must not overwrite each other (a lost update).
    query = select(Intake).where(Intake.application_id == application_id, Intake.state == "ACCEPTED")
    row = (await session.exec(query.with_for_update())).first() if application_id else None
    if row is None:
        log.warning(
            "message about an application the Center did not send; acknowledged",
            issue=application_id,
            message_type=delivery.envelope.message_type,
        )
    return row


def _set_status(session: AsyncSession, row: Intake, status: str, at: Any, details: dict[str, Any] | None) -> None:
    """Keep ``status`` in the history; make it current when it moves the application forward (a refusal
    frees the recipient)."""
    session.add(IntakeEvent(intake_id=row.id, status=status, at=at, details=details))
    if row.status is None or advances(row.status, status):
        row.status, row.status_at = status, at
        if status in REFUSALS:
            row.active_for = None


def _register(row: Intake, registration: Registration | None, number: str | None = None) -> None:
    if registration is not None:
        row.registration_number, row.registered_at = registration.number, registration.registered_at
    elif number and not row.registration_number:
        row.registration_number = number


async def apply_receipt(session: AsyncSession, delivery: Delivery, _verdict: None) -> None:
    """The gateway's receipt: the delivery state (newest wins) and the registration (§19 Process 7). A
    delivery the gateway stopped for good ends the application's way (REFUSED_AT_GATEWAY)."""
    receipt = Receipt.model_validate(delivery.envelope.document)
    row = await _intake(session, receipt.application_id, delivery)
    if row is None:
        return
    sent_at = delivery.envelope.message_date
    _register(row, receipt.registration)
    if newer_delivery(row.delivery_at, sent_at, row.delivery_state):
        row.delivery_state, row.delivery_at, row.delivery_error = receipt.state, sent_at, receipt.error
    if receipt.state == "DELIVERY_STOPPED":
        _set_status(session, row, "REFUSED_AT_GATEWAY", sent_at, {"source": "receipt", "error": receipt.error})
    session.add(row)


async def apply_status(session: AsyncSession, delivery: Delivery, change: StatusChange) -> None:
    """A business status (the provider's, or the gateway's own), with the numbers it carries."""
    row = await _intake(session, change.application_id, delivery)
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
    """Keep the verified result for the issuance window (§17). A result for another district than the
    application's is refused (dead-lettered); the same result again keeps the first kept."""
    document = verified.document
    row = await _intake(session, document.application_id, delivery)
    if row is None:
        return
    if row.district != document.district:
        log.error("a result for another district than the application's; not kept", issue=row.application_id)
        raise Refused("a result for another district than the application's", district=document.district)
    if await session.get(CenterResult, row.application_id) is not None:
        return
    stamp = verified.signatures[-1].registration
    session.add(
        CenterResult(
            application_id=row.application_id,
            intake_id=row.id,
            type=document.type,
            signed=dict(verified.signed),
            registration_number=stamp.number if stamp is not None else None,
            signed_at=verified.author.signed_at,
        )
    )
    log.info("result received for issuance at the Center", issue=row.application_id, branch=row.branch)
