"""The provider's inbox: applications the regional gateway delivers (``document.delivered.<district>``,
queue ``provider.inbox``), taken in at Annex 1 step 3.

For each delivered message, in this order:
1. screen it: a `Delivery` ({signed, registration}); the signed application verifies again (nothing is
   trusted because it came over the bus); it carries the registration stamp of the regional gateway's
   BIN (Process 6). A message failing any of this is not from the gateway: it is recorded as a
   rejected intake and acked, and nobody is answered (there is nobody verified to answer);
2. ask the registries (Condition 3's facts); when they do not answer, raise, so the bus redelivers;
3. in one transaction with the inbox row: open the case with Condition 3's decision and its
   ``case.status`` message — unless the application already has a case.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider import cases
from services.provider.config import ProviderSettings
from services.provider.domain.condition3 import decide
from services.provider.models import RejectedIntake
from services.provider.registry_facts import gather_facts
from shared.bus.envelope import Envelope, utcnow
from shared.bus.inbox import Effect, idempotent
from shared.bus.port import Delivery as BusDelivery
from shared.errors import AppError
from shared.housing.application import ApplicationDocument
from shared.housing.messages import DELIVERED_PREFIX, Delivery
from shared.logging import get_logger
from shared.models import InboxMessage
from shared.registries import RegistryClient
from shared.service import ServiceRuntime

log = get_logger(__name__)

QUEUE = "provider.inbox"
CONSUMER = "provider.intake"
RETRY_LATER = frozenset({"EDS_REVOCATION_UNKNOWN", "SERVICE_UNAVAILABLE", "UPSTREAM_TIMEOUT", "UPSTREAM_ERROR"})
"""Verification or registry failures that are an outage, not the message's fault: redeliver."""


class IntakeService:
    """Subscribes to the deliveries and takes each one in (see the module's docstring)."""

    def __init__(self, runtime: ServiceRuntime, settings: ProviderSettings) -> None:
        self.runtime = runtime
        self.settings = settings
        self.registry: Callable[[], RegistryClient] = self._registry_client
        """Makes the registry client per message (tests put a failing one here to play an outage)."""

    def _registry_client(self) -> RegistryClient:
        runtime = self.runtime
        return RegistryClient(
            runtime.bus, runtime.verifier, sender=runtime.spec.sender, timeout=self.settings.registry_timeout_s
        )

    async def subscribe(self, runtime: ServiceRuntime) -> None:
        """Startup hook: consume ``document.delivered.*`` for every district's housing department."""
        await runtime.bus.subscribe(QUEUE, [f"{DELIVERED_PREFIX}.*"], self.handle)

    async def handle(self, delivery: BusDelivery) -> None:
        envelope = delivery.envelope
        db = self.runtime.db
        async with db.sessions() as session:  # a cheap early exit for repeats; the inbox decides
            if await session.get(InboxMessage, (envelope.message_id, CONSUMER)) is not None:
                log.info("repeat delivery skipped", consumer=CONSUMER)
                return
        try:
            intake = await self.screen(envelope)
        except AppError as exc:
            if exc.code in RETRY_LATER:
                raise
            log.warning("delivery rejected: not a verified application from the gateway", code=exc.code)
            await idempotent(db, CONSUMER, _reject(exc))(delivery)
            return
        async with db.sessions() as session:
            existing = await cases.find_by_application(session, intake.application.id)
        if existing is not None:
            log.info("application already has a case", case=existing.number, application=intake.application.id)
            await idempotent(db, CONSUMER, _nothing)(delivery)
            return
        gathered = await gather_facts(self.registry(), intake.application, user_id=envelope.user_id)
        decision = decide(intake.application, gathered.facts)

        async def open_case(session: AsyncSession, _delivery: BusDelivery) -> None:
            case = await cases.open_case(
                session, intake=intake, decision=decision, answers=gathered.answers,
                sender=self.runtime.spec.sender, now=utcnow(),
            )  # fmt: skip
            if case is not None:
                log.info("case opened", case=case.number, status=case.status, application=case.application_id)

        await idempotent(db, CONSUMER, open_case)(delivery)

    async def screen(self, envelope: Envelope) -> cases.Intake:
        """The delivered application, verified and stamped by the gateway; else the `AppError` why."""
        try:
            delivery = Delivery.model_validate(envelope.document)
        except ValidationError as exc:
            errors = [{"loc": list(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]
            raise AppError(
                "VALIDATION_FAILED", {"reason": "not a delivery {signed, registration}", "errors": errors}
            ) from None
        verified = await self.runtime.verifier.verify(delivery.signed, model=ApplicationDocument)
        gateway = self.settings.gateway_bin
        if not any(s.role == "registration" and s.bin == gateway for s in verified.signatures[1:]):
            signers = [{"role": s.role, "bin": s.bin, "iin": s.iin} for s in verified.signatures]
            raise AppError(
                "EDS_PURPOSE_INVALID",
                {
                    "reason": "no registration stamp of the regional gateway",
                    "gateway_bin": gateway,
                    "signatures": signers,
                },
            )
        application = ApplicationDocument.model_validate(verified.document)
        if envelope.issue is not None and envelope.issue != application.id:
            raise AppError("VALIDATION_FAILED", {"reason": "the envelope's issue is not the application's id"})
        if delivery.registration.district != application.district:
            log.warning(
                "the gateway registered the application for another district; the signed application decides",
                registered=delivery.registration.district, application=application.district,
            )  # fmt: skip
        return cases.Intake(application, delivery.registration, dict(delivery.signed), envelope)


def _reject(error: AppError) -> Effect:
    async def record(session: AsyncSession, delivery: BusDelivery) -> None:
        envelope = delivery.envelope  # nothing in it is verified: cut to size, store as JSON
        session.add(
            RejectedIntake(
                message_id=envelope.message_id[:200], routing_key=delivery.routing_key[:200],
                sender=envelope.sender[:200], issue=envelope.issue[:200] if envelope.issue else None,
                code=error.code, details=json.loads(json.dumps(error.details, default=str)),
            )
        )  # fmt: skip

    return record


async def _nothing(_session: AsyncSession, _delivery: BusDelivery) -> None:
    """The inbox row alone: the message is applied (its application has a case already)."""
