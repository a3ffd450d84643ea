"""Statuses and results from the provider back to whoever submitted the application (architecture §3):
``case.status`` (the provider's `SignedStatus`) → ``status.<sender>``, ``case.result`` (the signed
result) → ``result.<sender>``. The kernel has admitted the message (its envelope is the provider's:
architecture §9). The envelope's issue names the application; the gateway looks up its original sender
(kept at registration) and checks that the message comes from the provider of the application's
district: nothing forwarded unverified. The provider's first word about an application also means it
was delivered: a receipt DELIVERED goes to the sender. An application the gateway never registered
fails the message: it is retried, then dead-lettered for the operator.

- **A status** must be the provider's `SignedStatus`, signed by its system certificate, about the
  envelope's application; it is logged and forwarded as it came, under the same message id.
- **A result** (§18 Process 8, Annex 1 step 9: "registering and sending the result") is the head's:
  a `NotificationDocument` or `RefusalDocument` (by its ``type``; any other type is refused), whose
  author and only signature is an **employee** certificate of the provider's BIN (the head of the
  housing department: Annex 1 step 8), about the envelope's application (``application_id`` = the
  issue), for the application's district, and — a notification — naming the application's registration
  number. The gateway then registers it under a registration number of its own (the same numbering as
  incoming documents: numbering.py) and stamps it (a countersignature by its system certificate, role
  ``registration``, whose protected header carries that registration: architecture §9), logs what it
  received and what it relays (kinds ``received`` and ``result``), keeps the registration on the
  application's row (with the stamping certificate's serial: restamp.py stamps the result again, under the
  same message id, once that certificate is revoked), and forwards **the stamped result** to
  ``result.<sender>`` under the same message id. The same result (its id) coming again, signed anew,
  keeps its registration (number and time) and is stamped again over it; another result gets a number of
  its own.

A refused message is logged (kind ``refused``, with the catalogue code) and not relayed. `check` (the
verification, and for a result the stamping signer: they may ask the NCA) runs before the transaction,
`apply` — the number, the stamp over it (CPU only), the log entries, the outgoing messages — in the
inbox's, as intake does: the stamp signs exactly the registration that is stored and sent, and the
inbox keeps a redelivered message from being registered twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.regional_gateway import message_log, outgoing
from services.regional_gateway.domain.delivery import after_provider_answer, refusal_of
from services.regional_gateway.domain.routing import serves
from services.regional_gateway.models import GatewayApplication
from services.regional_gateway.numbering import next_registration_number
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.credentials import SignerSource, serial_of
from shared.eds.signing import Signer, StampedRegistration, countersign, payload_of
from shared.eds.verify import Verified, Verifier
from shared.errors import AppError
from shared.housing.decisions import NOTIFICATION_TYPE, REFUSAL_TYPE, NotificationDocument, RefusalDocument
from shared.housing.messages import CASE_RESULT, CASE_STATUS, SignedStatus, StatusChange, result_key, status_key
from shared.logging import get_logger
from shared.participants import PROVIDER

log = get_logger(__name__)

RESULT_MODELS: dict[str, type[NotificationDocument] | type[RefusalDocument]] = {
    NOTIFICATION_TYPE: NotificationDocument,
    REFUSAL_TYPE: RefusalDocument,
}
"""The results of this service (§5), by their type."""
RESULT_KIND = "result"
"""The message log's kind of a stamped result relayed (and of a provider message's verdict)."""


@dataclass(frozen=True)
class ProviderMessage:
    """The verdict on a status or result from the provider, reached outside the transaction: refused
    (``error``), a status, or a verified result with the signer that will stamp it (in `apply`)."""

    kind: str
    """``status`` or ``result``."""
    application_id: str | None
    status: StatusChange | None = None
    error: dict[str, Any] | None = None
    result: NotificationDocument | RefusalDocument | None = None
    signer: Signer | None = None


async def check(delivery: Delivery, *, verifier: Verifier, credentials: SignerSource) -> ProviderMessage:
    envelope = delivery.envelope
    kind = "status" if CASE_STATUS in (delivery.routing_key, envelope.message_type) else RESULT_KIND
    application_id = envelope.issue or (
        str(envelope.document.get("application_id")) if envelope.document.get("application_id") else None
    )
    if kind == "status":
        try:
            status = await verify_status(verifier, envelope.document)
        except AppError as exc:
            return ProviderMessage(kind, application_id, error=refusal_of(exc))
        if application_id is not None and status.application_id != application_id:
            error = {"code": "VALIDATION_FAILED", "details": {"reason": "the status is about another application"}}
            return ProviderMessage(kind, application_id, error=error)
        return ProviderMessage(kind, application_id or status.application_id, status=status)
    try:
        result = (await verify_result(verifier, envelope.document)).document
        if envelope.issue is not None and result.application_id != envelope.issue:
            raise AppError("VALIDATION_FAILED", {"reason": "the result is about another application than the issue"})
    except AppError as exc:
        return ProviderMessage(kind, application_id, error=refusal_of(exc))
    signer = await credentials.signer()  # outside the transaction: it may ask the NCA (a renewal)
    return ProviderMessage(kind, application_id or result.application_id, result=result, signer=signer)


async def verify_status(verifier: Verifier, document: dict[str, Any]) -> StatusChange:
    """The provider's signed status (`SignedStatus`, signed by the provider's system certificate); else
    the verifier's code, or EDS_PURPOSE_INVALID when someone else signed it."""
    verified = await verifier.verify(document, purpose="sign", model=SignedStatus)
    author = verified.author
    if author.bin != PROVIDER.bin or author.holder != "system":
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {"reason": "a status is signed by the provider's system certificate", "bin": author.bin},
        )
    return verified.document.change()


def _type_of(document: Any) -> str | None:
    try:
        value = payload_of(document).get("type")
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


async def verify_result(verifier: Verifier, document: Any) -> Verified[NotificationDocument | RefusalDocument]:
    """The provider's result as it reaches the gateway: a notification or a refusal (by its type), whose
    author and only signature is the head's — an employee certificate of the provider's BIN, the document's
    author naming the head's IIN and the BIN. Else the verifier's code (a document that is not a signed
    e-document: EDS_MALFORMED), or EDS_PURPOSE_INVALID (another type, another signer, more signatures)."""
    model = RESULT_MODELS.get(_type_of(document) or "")
    if model is None:
        await verifier.verify(document, purpose="sign")  # what is not a sound e-document fails with its own code
        raise AppError("EDS_PURPOSE_INVALID", {"reason": "not a result of this service", "type": _type_of(document)})
    verified: Verified[NotificationDocument | RefusalDocument] = await verifier.verify(
        document, purpose="sign", model=model
    )
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
    if len(verified.signatures) != 1:
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {
                "reason": "a result reaches the gateway signed by its author alone",
                "signatures": len(verified.signatures),
            },
        )
    return verified


def _result_mismatch(application: GatewayApplication, result: NotificationDocument | RefusalDocument) -> str | None:
    """Why ``result`` is not a result of ``application`` as the gateway registered it (None: it is)."""
    if result.district != application.district:
        return "the result is for another district than the application's"
    if isinstance(result, NotificationDocument) and result.registration_number != application.registration_number:
        return "the notification names another registration number than the application's"
    return None


async def apply(
    session: AsyncSession, delivery: Delivery, checked: ProviderMessage, *, registration_prefix: str
) -> None:
    """Relay the message (or log its refusal), in the inbox's transaction."""
    envelope = delivery.envelope
    application = None
    if checked.application_id:  # locked first, before the counter and the log head (the order intake.apply keeps)
        application = await session.get(GatewayApplication, checked.application_id, with_for_update=True)
    if application is None:
        raise AppError("NOT_FOUND", {"reason": "no application registered under this issue", "issue": envelope.issue})
    error = checked.error
    if error is None and not serves(envelope.sender, application.district or ""):
        reason = "the sender is not the provider of the application's district"
        error = {"code": "FORBIDDEN", "details": {"reason": reason}}
    if error is None and checked.result is not None and (mismatch := _result_mismatch(application, checked.result)):
        error = {"code": "VALIDATION_FAILED", "details": {"reason": mismatch}}
    if error is not None:
        await message_log.append(
            session,
            envelope=envelope,
            kind="refused",
            direction="in",
            recipient=CASE_STATUS if checked.kind == "status" else CASE_RESULT,
            application_id=application.application_id,
            registration_number=application.registration_number,
            note=error,
        )
        log.warning("provider message refused, not relayed", application_id=application.application_id, **error)
        return
    if checked.result is not None:
        await _register_result(session, envelope, application, checked, registration_prefix)
    else:
        key = status_key(application.sender)
        forwarded = outgoing.envelope_about(
            application,
            routing_key=key,
            document=envelope.document,
            message_id=envelope.message_id,
            correlation_id=envelope.correlation_id,
        )
        await outgoing.send(
            session,
            envelope=forwarded,
            routing_key=key,
            kind=checked.kind,
            direction="relay",
            origin=envelope.sender,
            registration_number=application.registration_number,
        )
    if checked.status is not None:
        application.last_status = checked.status.status
    state = after_provider_answer(application.delivery_state)  # type: ignore[arg-type]
    if state is not None:
        application.delivery_state, application.state_changed_at = state, utcnow()
        await outgoing.send_receipt(session, application=application)
    session.add(application)


async def _register_result(
    session: AsyncSession, envelope: Envelope, application: GatewayApplication, checked: ProviderMessage, prefix: str
) -> None:
    """Process 8: register the result (a number of its own, or the one this same result has), stamp it,
    log it, forward the stamped result to the application's sender."""
    result, signer = checked.result, checked.signer
    assert result is not None and signer is not None and application.district is not None
    at = utcnow()  # the stamp's sigT; after the signer's certificate was issued (in `check`)
    again = (
        application.result_document_id == result.id
        and application.result_registration_number is not None
        and application.result_registered_at is not None
    )
    if again:
        number, registered_at = application.result_registration_number, application.result_registered_at
        assert number is not None and registered_at is not None
    else:
        number, registered_at = await next_registration_number(session, prefix=prefix, at=at), at
    registration = StampedRegistration(number, registered_at, application.district)
    stamped = countersign(envelope.document, signer, role="registration", signed_at=at, registration=registration)
    replaced = application.result_registration_number if not again else None
    application.result_document_id, application.result_message_id = result.id, envelope.message_id
    application.result_registration_number, application.result_registered_at = number, registered_at
    application.result_stamp_serial = serial_of(signer)  # what restamp.py looks for once it is revoked
    note: dict[str, Any] = {
        "type": result.type,
        "result_id": result.id,
        "application_registration_number": application.registration_number,
        **({"repeat_of": number} if again else {}),
        **({"replaces": replaced} if replaced else {}),
    }
    await message_log.append(
        session,
        envelope=envelope,
        kind="received",
        direction="in",
        recipient=CASE_RESULT,
        application_id=application.application_id,
        registration_number=number,
        note=note,
    )
    key = result_key(application.sender)
    forwarded = outgoing.envelope_about(
        application,
        routing_key=key,
        document=stamped,
        message_id=envelope.message_id,
        correlation_id=envelope.correlation_id,
    )
    await outgoing.send(
        session,
        envelope=forwarded,
        routing_key=key,
        kind=RESULT_KIND,
        direction="relay",
        origin=envelope.sender,
        registration_number=number,
        note=note,
    )
    log.info(
        "result registered and relayed",
        application_id=application.application_id,
        registration_number=number,
        type=result.type,
        again=again,
    )
