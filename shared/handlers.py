"""The handler table a service declares and the kernel runs (architecture §8): which message types
the service consumes, and for each its check and its apply.

For every delivery the kernel:
0. admits the message (architecture §9, `shared.bus.proof.Gatekeeper`): its envelope's proof is its
   sender's system signature and the sender may send it. A message that is not is dead-lettered at
   once with its reason (`shared.bus.port.Refused`) and never applied; a transient failure (the
   revocation status unknown) is redelivered;
1. skips a message this consumer has applied already (the inbox), before any work is done;
2. runs ``check`` outside any transaction — verify signatures, ask the registries, anything slow or
   remote; its verdict is what ``apply`` gets. A check that raises fails the delivery: the bus
   redelivers it, and after the queue's delivery limit dead-letters it. A check turns a message it
   refuses for good into a verdict (and ``apply`` records the refusal); it raises only for what may
   pass later (an outage: the error catalogue's ``transient`` codes);
3. runs ``apply`` inside the inbox transaction: the inbox row and every effect (rows, outbox
   messages) commit together, and the bus acks only after the commit. A concurrent duplicate collides
   on the inbox's key, is redelivered, and is skipped at step 1.

A handler may also name what becomes of its queue's dead letters (``dead_letters``), and a service
may answer the sync channel (`Responder` entries: request/reply, never redelivered): the kernel admits
each request as above (one not admitted is answered with its error), and signs every reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.envelope import Envelope
from shared.bus.inbox import applied, idempotent
from shared.bus.port import DEFAULT_DELIVERY_LIMIT, DEFAULT_PREFETCH, Bus, Delivery, Refused, error_reply
from shared.bus.port import Responder as Respond
from shared.bus.proof import Gatekeeper, Sealer
from shared.db import Database
from shared.errors import AppError, is_transient
from shared.logging import get_logger

log = get_logger(__name__)

Check = Callable[[Delivery], Awaitable[Any]]
Apply = Callable[[AsyncSession, Delivery, Any], Awaitable[None]]
DeadLetters = Callable[[Delivery], Awaitable[None]]


async def no_check(_delivery: Delivery) -> None:
    """For a handler whose apply needs nothing from outside its transaction."""


@dataclass(frozen=True)
class MessageHandler:
    """One row of a service's handler table: consume ``queue``, bound to the ``bindings`` (topic
    patterns), with ``check`` then ``apply`` (see the module's docstring). The inbox records what
    it applied under ``consumer``, the queue's name unless it is given (a consumer renamed keeps the
    name its inbox rows carry, or it would take those messages again)."""

    queue: str
    bindings: Sequence[str]
    apply: Apply
    check: Check = no_check
    consumer: str = ""
    dead_letters: DeadLetters | None = None
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    prefetch: int = DEFAULT_PREFETCH


@dataclass(frozen=True)
class Responder:
    """A sync-channel entry: answer requests sent to ``bindings`` on ``queue``."""

    queue: str
    bindings: Sequence[str]
    respond: Respond
    prefetch: int = 32


async def admit(gatekeeper: Gatekeeper, delivery: Delivery) -> None:
    """Step 0: the message is its sender's and the sender may send it; else `Refused` (dead-lettered
    at once), or the transient error (redelivered)."""
    envelope = delivery.envelope
    try:
        await gatekeeper.admit(envelope, routing_key=delivery.routing_key)
    except AppError as exc:
        if is_transient(exc.code):
            raise
        raise Refused(
            "message not admitted",
            code=exc.code,
            sender=envelope.sender[:200],
            message_type=envelope.message_type[:200],
            details=exc.details,
        ) from None


async def handle(db: Database, handler: MessageHandler, delivery: Delivery, gatekeeper: Gatekeeper) -> None:
    """Run one delivery through ``handler``: the steps of the module's docstring."""
    await admit(gatekeeper, delivery)
    consumer = handler.consumer or handler.queue
    if await applied(db, consumer, delivery.envelope.message_id):
        log.info("repeat delivery skipped", consumer=consumer)
        return
    verdict = await handler.check(delivery)

    async def effect(session: AsyncSession, delivery: Delivery) -> None:
        await handler.apply(session, delivery, verdict)

    await idempotent(db, consumer, effect)(delivery)


def answering(responder: Responder, gatekeeper: Gatekeeper, sealer: Sealer) -> Respond:
    """``responder`` behind the kernel's admission, its replies (errors too) signed by ``sealer``."""
    sender = sealer.participant.address

    async def respond(request: Envelope) -> Envelope:
        try:
            await gatekeeper.admit(request)
            reply = await responder.respond(request)
        except AppError as exc:
            if exc.code in ("MESSAGE_UNAUTHENTICATED", "SENDER_NOT_ALLOWED") or exc.code.startswith("EDS_"):
                log.warning("sync request not admitted", code=exc.code, sender=request.sender[:200])
            reply = error_reply(request, sender, exc)
        return await sealer.seal(reply)

    return respond


async def subscribe_all(
    db: Database,
    bus: Bus,
    handlers: Sequence[MessageHandler],
    responders: Sequence[Responder] = (),
    *,
    gatekeeper: Gatekeeper,
    sealer: Sealer,
) -> None:
    """Subscribe every handler (and its dead letter queue, when it names what to do with them) and
    serve every responder."""
    for handler in handlers:

        async def run(delivery: Delivery, handler: MessageHandler = handler) -> None:
            await handle(db, handler, delivery, gatekeeper)

        await bus.subscribe(
            handler.queue, handler.bindings, run, prefetch=handler.prefetch, delivery_limit=handler.delivery_limit
        )
        if handler.dead_letters is not None:
            await bus.subscribe_dead_letters(handler.queue, handler.dead_letters)
    for responder in responders:
        await bus.serve(
            responder.queue, responder.bindings, answering(responder, gatekeeper, sealer), prefetch=responder.prefetch
        )
