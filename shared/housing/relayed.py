"""What the regional gateway relays back to an application's sender — the portal or the Center — and how
the sender believes it (architecture §9): the same checks on both channels, so that a Center's intake
and a citizen's cabinet never disagree on what a message proves.

- **A status** (``status.<sender>``): the provider's, verified as its `SignedStatus` (signed by the
  provider's system certificate); or one of the gateway's own (`GATEWAY_STATUSES`), plain under the
  gateway's envelope, which the kernel has admitted. Anything else is refused (`check_status`).
- **A result** (``result.<sender>``, §18 Process 8, §19 Process 9): a notification or a reasoned refusal
  signed first by the head of the housing department (an employee certificate of the provider's BIN) and
  then registered by the regional gateway (its one registration stamp, by a system certificate of the
  gateway's BIN, for the result's district), about the envelope's application (`verify_result`,
  `check_result`). A result held up only by the gateway's own stamping certificate (revoked or expired,
  `shared.eds.stamps`) is redelivered with an alert, never refused, until the gateway stamps it again.

A check refuses for good with `shared.bus.port.Refused` (the message is dead-lettered, kept, never
applied) and raises a transient error as it is (redelivered)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.bus.port import Delivery, Refused
from shared.eds.signing import payload_of
from shared.eds.stamps import STAMP_ALERT, stamp_failing
from shared.eds.verify import Verified, Verifier
from shared.errors import AppError, is_transient
from shared.housing.decisions import (
    NOTIFICATION_TYPE,
    REFUSAL_TYPE,
    NotificationDocument,
    RefusalDocument,
    ResultDocument,
)
from shared.housing.messages import GATEWAY_STATUSES, SignedStatus, StatusChange
from shared.logging import get_logger
from shared.participants import GATEWAY, PROVIDER

log = get_logger(__name__)

RESULT_MODELS: dict[str, type[NotificationDocument] | type[RefusalDocument]] = {
    NOTIFICATION_TYPE: NotificationDocument,
    REFUSAL_TYPE: RefusalDocument,
}
"""The results of this service (§5), by their type."""


async def verify_provider_status(verifier: Verifier, document: dict[str, Any]) -> StatusChange:
    """The provider's `SignedStatus` (its system certificate); else the verifier's code, or EDS_PURPOSE_INVALID."""
    verified = await verifier.verify(document, purpose="sign", model=SignedStatus)
    if verified.author.bin != PROVIDER.bin or verified.author.holder != "system":
        raise AppError("EDS_PURPOSE_INVALID", {"reason": "not signed by the provider", "bin": verified.author.bin})
    return verified.document.change()


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


def _signed_result(delivery: Delivery) -> Any:
    document = delivery.envelope.document
    return document if "payload" in document else document.get("signed", document)


def _type_of(document: Any) -> str | None:
    try:
        value = payload_of(document).get("type")
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


async def verify_result(verifier: Verifier, document: Any) -> Verified[ResultDocument]:
    """The result as its recipient may be shown it (§17, §18 Process 8, §19 Process 9): a notification or a
    reasoned refusal (by its type), signed first by the head of the housing department — an employee
    certificate of the provider's BIN, the document's author naming the head's IIN and the BIN — and then
    registered by the regional gateway: its one registration stamp, by a system certificate of the
    gateway's BIN, carrying the registration for the result's district. Those two signatures and no others.
    Else the verifier's code, or EDS_PURPOSE_INVALID."""
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
    the gateway, renewed, stamps it again and relays it under the same message id, which the queue then
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
