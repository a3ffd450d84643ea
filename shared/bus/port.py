"""The bus port (architecture §3): the few operations services use, with two adapters behind it
(`shared.bus.amqp` on RabbitMQ, `shared.bus.memory` in process) that keep the same delivery
semantics. One contract suite (tests/bus) runs against both.

Semantics every adapter keeps:
- ``publish`` returns only once the broker has taken responsibility for the message (publisher
  confirm); a message no queue is bound for raises `Unroutable` instead of vanishing.
- A subscription's handler is awaited; the message is acked only after it returns, so a handler
  that commits its transaction before returning gets "ack after commit".
- A handler that raises gets the message again, up to ``delivery_limit`` redeliveries (RabbitMQ's
  ``x-delivery-limit``: limit 2 means 3 deliveries); then the message goes to the queue's dead
  letter queue, ``<queue>.dlq``, which `subscribe_dead_letters` reads. Nothing is dropped silently.
- A handler that raises `Refused` has the message dead-lettered at once (rejected, not redelivered:
  RabbitMQ's ``reject`` without requeue), for a message that can never be applied (one whose sender
  is not proven); the reason is logged.
- ``request`` / ``serve`` are the sync channel: a reply correlated by the request's message id (an
  error reply too: the caller authenticates it, then `raise_if_error` turns it into its `AppError`),
  or `AppError("UPSTREAM_TIMEOUT")` after the timeout.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.bus.envelope import Envelope

if TYPE_CHECKING:
    from shared.errors import AppError

PUBLISH_TIMEOUT_S = 10.0
"""How long a publish waits for the broker's confirm."""
DEFAULT_DELIVERY_LIMIT = 5
DEFAULT_PREFETCH = 16
ERROR_MESSAGE_TYPE = "error"


class BusError(Exception):
    """The broker did not take the message (not confirmed, connection down, …): retry later."""


class Refused(Exception):
    """Raised by a handler for a message that will never be applied: the bus dead-letters it at once
    (death reason ``rejected``) and logs ``reason``."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


class Unroutable(BusError):
    """No queue is bound for the routing key: the message was returned, not delivered."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery of a message to a handler."""

    envelope: Envelope
    routing_key: str
    queue: str
    delivery_count: int
    """1 on first delivery, 2 on the first redelivery, …"""
    death_reason: str | None = None
    """On a dead letter queue: why it was dead-lettered (``delivery_limit``, ``rejected``, …)."""


Handler = Callable[[Delivery], Awaitable[None]]
Responder = Callable[[Envelope], Awaitable[Envelope]]


def redelivery_backoff(delivery_count: int) -> float:
    """Seconds to wait before handing a failed message back: short, growing, capped."""
    return float(min(0.05 * (2 ** (delivery_count - 1)), 2.0))


class Bus(abc.ABC):
    """The port. ``namespace`` names the topic exchange and prefixes every queue, so that several
    buses (tests, tenants) can share one broker without seeing each other's messages."""

    namespace: str

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> bool:
        """True when the broker connection is up (for /ready)."""

    @abc.abstractmethod
    async def publish(self, envelope: Envelope, routing_key: str | None = None) -> None:
        """Publish persistently and wait for the confirm. Routing key defaults to the message type."""

    async def publish_many(self, messages: Sequence[tuple[Envelope, str]]) -> list[BaseException | None]:
        """Publish several (envelope, routing key) pairs, their confirms awaited together; one entry
        per message: None when confirmed, else the error. The outbox relay keeps its throughput
        with confirms on this way."""
        results = await asyncio.gather(*(self.publish(e, key) for e, key in messages), return_exceptions=True)
        return [r if isinstance(r, BaseException) else None for r in results]

    @abc.abstractmethod
    async def subscribe(
        self,
        queue: str,
        bindings: Sequence[str],
        handler: Handler,
        *,
        prefetch: int = DEFAULT_PREFETCH,
        delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
    ) -> None:
        """Declare ``queue`` (durable, with a dead letter queue), bind it to the topic patterns
        (``*`` one word, ``#`` zero or more) and consume it with ``handler``."""

    @abc.abstractmethod
    async def subscribe_dead_letters(self, queue: str, handler: Handler) -> None:
        """Consume ``<queue>.dlq``. ``queue`` must have been declared by `subscribe` (here or in
        another process)."""

    @abc.abstractmethod
    async def serve(self, queue: str, bindings: Sequence[str], responder: Responder, *, prefetch: int = 32) -> None:
        """Answer sync requests sent to the bindings. A responder raising `AppError` sends that
        error back; any other exception sends ``UPSTREAM_ERROR``. Requests are never redelivered."""

    @abc.abstractmethod
    async def request(self, envelope: Envelope, *, timeout: float = 5.0, routing_key: str | None = None) -> Envelope:
        """Send a sync request and wait for the reply, returned as it came: an error reply too (the
        caller checks who sent it before believing it, then calls `raise_if_error`). No reply in time
        raises UPSTREAM_TIMEOUT; no responder, SERVICE_UNAVAILABLE or UPSTREAM_TIMEOUT."""


async def answer(responder: Responder, request: Envelope) -> Envelope:
    """Run a responder; turn its failure into an error reply, so a sync caller is never left
    waiting for a request that crashed."""
    from shared.errors import AppError, error_body
    from shared.logging import get_logger

    try:
        return await responder(request)
    except AppError as exc:
        document = error_body(exc.code, "en", exc.details)
    except Exception:
        get_logger(__name__).exception("sync responder failed", message_id=request.message_id)
        document = error_body("UPSTREAM_ERROR", "en", {"message_type": request.message_type})
    return request.reply(ERROR_MESSAGE_TYPE, sender=request.sender, document=document)


def error_reply(request: Envelope, sender: str, error: AppError) -> Envelope:
    """The error reply of ``sender`` to ``request``."""
    from shared.errors import error_body

    return request.reply(ERROR_MESSAGE_TYPE, sender=sender, document=error_body(error.code, "en", error.details))


def raise_if_error(reply: Envelope) -> Envelope:
    """The requester's side of `answer`: an error reply becomes the same `AppError` here."""
    from shared.errors import CATALOGUE, AppError

    if reply.message_type == ERROR_MESSAGE_TYPE:
        error = reply.document.get("error", {})
        code = error.get("code") if error.get("code") in CATALOGUE else "UPSTREAM_ERROR"
        raise AppError(code, error.get("details") or {})
    return reply
