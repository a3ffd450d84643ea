"""The provider's handler table (architecture §8):

- the applications the regional gateway delivers to every district's housing department
  (``document.delivered.*``, queue ``provider.inbox``), taken in at Annex 1 step 3 — screened and checked
  against Condition 3 outside the transaction, then recorded in the inbox transaction (intake.py);
- what the Public Service Center hands each district's department (``handover.*``, queue
  ``provider.handovers``): its registers of originals and of unclaimed results and its late recalls, verified
  as the Center's outside the transaction (a document that is not is refused: dead-lettered, never stored),
  then kept for the staff to acknowledge (handovers.py)."""

from __future__ import annotations

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from services.provider import handovers, intake
from services.provider.registry_facts import AnswerMemory
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.credentials import SignerSource
from shared.eds.verify import Verifier
from shared.handlers import MessageHandler
from shared.housing.messages import DELIVERED_PREFIX, HANDOVER_PREFIX
from shared.registries import RegistryClient

QUEUE = "provider.inbox"
"""The deliveries' queue."""
CONSUMER = "provider.intake"
"""The inbox's consumer name of the deliveries (the one its rows have carried from the start)."""
HANDOVER_QUEUE = "provider.handovers"
"""The Center's handovers' queue (also their inbox consumer name)."""


async def check_delivery(
    delivery: Delivery,
    *,
    verifier: Verifier,
    registries: RegistryClient,
    credentials: SignerSource,
    gateway_bin: str,
    memory: AnswerMemory,
) -> intake.Verdict:
    return await intake.check_delivery(
        delivery.envelope,
        verifier=verifier,
        registries=registries,
        credentials=credentials,
        gateway_bin=gateway_bin,
        memory=memory,
    )


async def take_in(session: AsyncSession, delivery: Delivery, verdict: intake.Verdict) -> None:
    await intake.take_in(
        session, envelope=delivery.envelope, routing_key=delivery.routing_key, verdict=verdict, now=utcnow()
    )


async def check_handover(delivery: Delivery, *, verifier: Verifier) -> handovers.Handover:
    return await handovers.check(delivery.envelope, routing_key=delivery.routing_key, verifier=verifier)


async def keep_handover(session: AsyncSession, _delivery: Delivery, handover: handovers.Handover) -> None:
    await handovers.receive(session, handover=handover, now=utcnow())


def table(
    *,
    verifier: Verifier,
    registries: RegistryClient,
    credentials: SignerSource,
    gateway_bin: str,
    memory: AnswerMemory | None = None,
) -> list[MessageHandler]:
    """``credentials``: the provider's, which sign its statuses; ``gateway_bin``: the BIN whose
    registration stamp every delivered application must carry; ``memory``: the registries' answers
    remembered across redeliveries (one per process)."""
    memory = memory or AnswerMemory()
    return [
        MessageHandler(
            queue=QUEUE,
            bindings=[f"{DELIVERED_PREFIX}.*"],
            check=partial(
                check_delivery,
                verifier=verifier,
                registries=registries,
                credentials=credentials,
                gateway_bin=gateway_bin,
                memory=memory,
            ),
            apply=take_in,
            consumer=CONSUMER,
        ),
        MessageHandler(
            queue=HANDOVER_QUEUE,
            bindings=[f"{HANDOVER_PREFIX}.*"],
            check=partial(check_handover, verifier=verifier),
            apply=keep_handover,
        ),
    ]
