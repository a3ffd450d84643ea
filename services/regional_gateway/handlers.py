"""The gateway's handler table (architecture §8), run by the kernel (`shared.handlers`):

- ``regional_gateway.inbound`` ← ``document.submitted``: check = verify, route and get the stamping
  signer (outside the transaction); apply = register and stamp, or refuse (intake.py);
- ``regional_gateway.relay`` ← ``case.status``, ``case.result``: check = verify the provider's status, or
  verify the head's result and get the stamping signer; apply = relay the status, or register, stamp and
  relay the result (Process 8), to the sender; or log the refusal (relay.py).

Each queue's dead letters are kept for the workstation (dead_letters.py), after ``delivery_limit``
redeliveries."""

from __future__ import annotations

from functools import partial

from services.regional_gateway import dead_letters, intake, relay
from shared.bus.port import Delivery
from shared.db import Database
from shared.eds.credentials import SignerSource
from shared.eds.verify import Verifier
from shared.handlers import MessageHandler
from shared.housing.messages import CASE_RESULT, CASE_STATUS, SUBMITTED

INBOUND = "regional_gateway.inbound"
INBOUND_CONSUMER = "regional_gateway.intake"
"""The inbox's consumer name of incoming applications (the one its rows have carried from the start)."""
RELAY = "regional_gateway.relay"


async def keep_dead_letter(delivery: Delivery, *, db: Database, namespace: str, queue: str) -> None:
    """A dead letter of ``queue``, stored in a transaction of its own."""
    async with db.transaction() as session:
        await dead_letters.keep(session, queue=queue, namespace=namespace, delivery=delivery)


def table(
    *,
    db: Database,
    namespace: str,
    verifier: Verifier,
    credentials: SignerSource,
    registration_prefix: str,
    delivery_limit: int,
) -> list[MessageHandler]:
    """The table on the gateway's database, its bus's ``namespace`` (a dead letter's queue is named in it),
    the verifier and the source of its stamping signer."""
    return [
        MessageHandler(
            INBOUND,
            [SUBMITTED],
            check=partial(intake.check, verifier=verifier, credentials=credentials),
            apply=partial(intake.apply, registration_prefix=registration_prefix),
            consumer=INBOUND_CONSUMER,
            dead_letters=partial(keep_dead_letter, db=db, namespace=namespace, queue=INBOUND),
            delivery_limit=delivery_limit,
        ),
        MessageHandler(
            RELAY,
            [CASE_STATUS, CASE_RESULT],
            check=partial(relay.check, verifier=verifier, credentials=credentials),
            apply=partial(relay.apply, registration_prefix=registration_prefix),
            dead_letters=partial(keep_dead_letter, db=db, namespace=namespace, queue=RELAY),
            delivery_limit=delivery_limit,
        ),
    ]
