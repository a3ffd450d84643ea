"""The provider's intake (Annex 1 step 3): the applications the regional gateway delivers
(``document.delivered.<district>``). handlers.py runs them through here.

Before the transaction (`check_delivery`, slow and remote):
1. screen the delivery: a `Delivery` ({signed, registration}); the signed application verifies again
   (nothing is trusted because it came over the bus); it carries exactly one registration stamp, made by
   the regional gateway's system certificate (its BIN, holder ``system``: an employee's certificate of
   the gateway's BIN is no stamp), whose protected header carries the registration (Process 6;
   architecture §9). The case's registration is the stamp's; the delivery's unsigned ``registration``
   must be the same, else it is refused. A message failing any of this for good is not from the gateway:
   it becomes a `Rejected` verdict, and nobody is answered (there is nobody verified to answer); an
   outage (a transient code: revocation status unknown, …) is raised, so the bus redelivers. So is a
   stamp whose certificate — the gateway's own system certificate — is revoked or expired (the citizen's
   signature is fine): that is the system's credential to renew, not the citizen's fault, so the delivery
   is never recorded as rejected; it is redelivered (then dead-lettered, kept) with an ALERT in the log
   (`STAMP_ALERT`), and the gateway, once it has renewed its certificate, re-stamps and delivers it anew;
2. ask the registries for Condition 3's facts and decide; when they do not answer, raise (redelivery);
3. when Condition 3 passes (the case will be REGISTERED): ask what §15 and the waiting list read, and
   assess them (`assessment_of`): the §15 grounds (domain/grounds.py) on the day the gateway registered
   the application, Kazakhstan's day (R17: the five years count back from the day it was accepted), with
   the akimats' directory (shared/data/akimats.py) for item 2's exception, and the waiting list
   (domain/lists.py) — a JSON dict the case keeps for the specialist (Annex 1 step 5) and the commission
   (step 6). A registry outage here is raised too: a case is never opened without its assessment. A
   Process 7 case (Condition 3 fails) has none.

In the inbox transaction (`take_in`): record the rejected intake, or open the case with Condition 3's
decision, the assessment and its ``case.status`` message — unless the application already has one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider import cases
from services.provider.domain import grounds, lists
from services.provider.domain.condition3 import Decision, decide
from services.provider.domain.facts import Asked
from services.provider.models import RejectedIntake
from services.provider.registry_facts import AnswerMemory, gather_assessment, gather_facts
from shared.bus.envelope import Envelope
from shared.calendar import as_utc, local_day
from shared.data.akimats import AKIMAT_BINS
from shared.eds.credentials import SignerSource
from shared.eds.signing import Signer
from shared.eds.stamps import STAMP_ALERT, gateway_stamp_failing
from shared.eds.verify import SignatureInfo, Verified, Verifier
from shared.errors import AppError, is_transient
from shared.housing.application import ApplicationDocument
from shared.housing.messages import Delivery, Registration
from shared.logging import get_logger
from shared.registries import RegistryClient

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Rejected:
    """The delivery is not a verified application registered by the gateway: why (never answered)."""

    error: AppError


@dataclass(frozen=True, slots=True)
class Accepted:
    """The delivery passed the screening; Condition 3's decision, the §15 and waiting-list assessment
    (for a registered case), and the answers they were made on."""

    intake: cases.Intake
    decision: Decision
    answers: tuple[Asked, ...]
    signer: Signer
    """The provider's, which signs the case's first status (got here: it may ask the NCA)."""
    assessment: dict[str, Any] | None = None
    """`assessment_of`'s, when Condition 3 passed; None for Process 7."""


Verdict = Rejected | Accepted


async def check_delivery(
    envelope: Envelope,
    *,
    verifier: Verifier,
    registries: RegistryClient,
    credentials: SignerSource,
    gateway_bin: str,
    memory: AnswerMemory | None = None,
) -> Verdict:
    """Screen the delivered message, decide Condition 3 on the registries' answers and, when it passes,
    assess §15 and the waiting list (`assessment_of`). Raises only what may pass later: a transient
    verification failure, or the registries not answering (also half-way through §15's queries: the
    answers already given are remembered in ``memory``)."""
    try:
        intake = await screen(envelope, verifier=verifier, gateway_bin=gateway_bin)
    except AppError as exc:
        if is_transient(exc.code):
            raise
        stamp = gateway_stamp_failing(envelope, exc, gateway_bin=gateway_bin)
        if stamp is not None:
            log.error(
                STAMP_ALERT,
                code=exc.code,
                application_id=(envelope.issue or "")[:64],
                message_id=envelope.message_id[:64],
                **stamp,
            )
            raise AppError(
                "SERVICE_UNAVAILABLE",
                {"reason": "the gateway's stamping certificate is unusable; wait for its re-stamp", "code": exc.code},
            ) from None
        log.warning("delivery rejected: not a verified application from the gateway", code=exc.code)
        return Rejected(exc)
    application = intake.application
    consent, user_id = intake.signed, envelope.user_id
    gathered = await gather_facts(registries, application, consent=consent, user_id=user_id, memory=memory)
    decision, answers, assessment = decide(application, gathered.facts), gathered.answers, None
    if not decision.refused:
        answers = await gather_assessment(
            registries, application, answers, consent=consent, user_id=user_id, memory=memory
        )
        assessment = assessment_of(application, answers, registered_at=intake.registration.registered_at)
    signer = await credentials.signer()
    return Accepted(intake, decision, answers, signer, assessment)


def assessment_of(
    application: ApplicationDocument, answers: tuple[Asked, ...], *, registered_at: datetime
) -> dict[str, Any]:
    """The §15 grounds and the waiting list of a registered application, as the case keeps them
    (`grounds.to_json` with ``placement``: `lists.to_json`; the placement's limits join the assessment's),
    on the day ``registered_at`` falls on in Kazakhstan (a time without a zone is taken as UTC)."""
    as_of = local_day(as_utc(registered_at))
    facts = grounds.GroundFacts.of(answers, akimats=AKIMAT_BINS)
    verdict = grounds.assess(application, facts, as_of=as_of)
    social = {iin: result for (query, iin), result in facts.answers.items() if query == "social-status"}
    placement = lists.place_application(application, social, as_of=as_of)
    assessment = grounds.to_json(verdict)
    assessment["limits"] += list(placement.limits)
    assessment["placement"] = lists.to_json(placement)
    return assessment


async def screen(envelope: Envelope, *, verifier: Verifier, gateway_bin: str) -> cases.Intake:
    """The delivered application, verified and stamped by the gateway; else the `AppError` why."""
    try:
        delivery = Delivery.model_validate(envelope.document)
    except ValidationError as exc:
        errors = [{"loc": list(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]
        raise AppError(
            "VALIDATION_FAILED", {"reason": "not a delivery {signed, registration}", "errors": errors}
        ) from None
    verified = await verifier.verify(delivery.signed, purpose="sign", model=ApplicationDocument)
    registration = stamped_registration(verified, gateway_bin=gateway_bin)
    if delivery.registration != registration:
        raise AppError(
            "VALIDATION_FAILED",
            {
                "reason": "the delivery's registration is not the one the gateway's stamp signed",
                "delivered": delivery.registration.model_dump(mode="json"),
                "stamped": registration.model_dump(mode="json"),
            },
        )
    application = verified.document
    if envelope.issue is not None and envelope.issue != application.id:
        raise AppError("VALIDATION_FAILED", {"reason": "the envelope's issue is not the application's id"})
    if registration.district != application.district:
        log.warning(
            "the gateway registered the application for another district; the signed application decides",
            registered=registration.district,
            application=application.district,
        )
    return cases.Intake(application, registration, dict(delivery.signed), envelope)


def stamped_registration(verified: Verified[ApplicationDocument], *, gateway_bin: str) -> Registration:
    """The registration the gateway's stamp signed: the one stamp (role ``registration``) there is, by a
    system certificate of ``gateway_bin``, carrying its registration in its protected header; else
    EDS_PURPOSE_INVALID with the reason and who signed."""
    stamps = [s for s in verified.signatures[1:] if s.role == "registration"]
    stamp = stamps[0] if len(stamps) == 1 else None
    if stamp is not None and stamp.bin == gateway_bin and stamp.holder == "system" and stamp.registration:
        made = stamp.registration
        return Registration(number=made.number, registered_at=made.at, district=made.district)
    if not stamps:
        reason = "no registration stamp of the regional gateway"
    elif stamp is None:
        reason = "more than one registration stamp"
    elif stamp.bin != gateway_bin or stamp.holder != "system":
        reason = "the registration stamp is not by the regional gateway's system certificate"
    else:
        reason = "the gateway's stamp carries no registration in its protected header"
    signers = [_signer(s) for s in verified.signatures]
    raise AppError("EDS_PURPOSE_INVALID", {"reason": reason, "gateway_bin": gateway_bin, "signatures": signers})


def _signer(info: SignatureInfo) -> dict[str, str | None]:
    return {"role": info.role, "bin": info.bin, "iin": info.iin, "holder": info.holder}


async def take_in(
    session: AsyncSession, *, envelope: Envelope, routing_key: str, verdict: Verdict, now: datetime
) -> None:
    """Apply the verdict on a delivered message: record the rejection, or open the case (nothing when
    the application has a case already)."""
    if isinstance(verdict, Rejected):
        await record_rejected(session, envelope=envelope, routing_key=routing_key, error=verdict.error)
        return
    case = await cases.open_case(
        session,
        intake=verdict.intake,
        decision=verdict.decision,
        answers=verdict.answers,
        now=now,
        signer=verdict.signer,
        assessment=verdict.assessment,
    )
    if case is None:
        log.info("application already has a case", application=verdict.intake.application.id)
    else:
        log.info("case opened", case=case.number, status=case.status, application=case.application_id)


async def record_rejected(session: AsyncSession, *, envelope: Envelope, routing_key: str, error: AppError) -> None:
    """Keep a rejected delivery for the operators. Nothing in it is verified: cut to size, stored as JSON."""
    session.add(
        RejectedIntake(
            message_id=envelope.message_id[:200],
            routing_key=routing_key[:200],
            sender=envelope.sender[:200],
            issue=envelope.issue[:200] if envelope.issue else None,
            code=error.code,
            details=json.loads(json.dumps(error.details, default=str)),
        )
    )
