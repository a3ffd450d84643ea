"""The in-memory adapter: one process, the same semantics as RabbitMQ's quorum queues (ack after
the handler returns, redelivery on failure, delivery limit, dead letter queues, unroutable
messages refused). Messages cross it as bytes, as on the wire, so a payload that would not
serialise fails here too.

It keeps nothing on disk: what sits in its queues when the process stops is gone. `close` therefore
drains the queues first (bounded by ``drain_timeout``); the outbox rows behind every published
message stay in the services' databases either way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from shared.bus.envelope import Envelope
from shared.bus.port import (
    DEFAULT_DELIVERY_LIMIT,
    DEFAULT_PREFETCH,
    Bus,
    BusError,
    Delivery,
    Handler,
    Refused,
    Responder,
    Unroutable,
    answer,
    redelivery_backoff,
)
from shared.bus.topic import topic_matches
from shared.errors import AppError
from shared.logging import get_logger, log_context

log = get_logger(__name__)


@dataclass(slots=True)
class _Message:
    body: bytes
    routing_key: str
    returns: int = 0
    death_reason: str | None = None
    reply_to: str | None = None
    rpc_id: str | None = None


@dataclass(slots=True)
class _Queue:
    name: str
    delivery_limit: int | None
    dead_letters: _Queue | None = None
    bindings: list[str] = field(default_factory=list)
    items: asyncio.Queue[_Message] = field(default_factory=asyncio.Queue)
    in_flight: int = 0
    consumers: int = 0

    @property
    def pending(self) -> int:
        return self.items.qsize() + self.in_flight


_Rpc = Callable[[Delivery, _Message], Awaitable[None]]


class InMemoryBus(Bus):
    def __init__(self, namespace: str = "egov", *, drain_timeout: float = 5.0) -> None:
        self.namespace = namespace
        self.drain_timeout = drain_timeout
        self._queues: dict[str, _Queue] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._pending_replies: dict[str, asyncio.Future[Envelope]] = {}
        self._started = False

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._started = True

    async def close(self) -> None:
        if not self._started:
            return
        if not await self.drain(self.drain_timeout):
            left = sum(q.pending for q in self._queues.values())
            log.warning("in-memory bus closed with undelivered messages", messages=left)
        self._started = False
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    async def drain(self, timeout: float) -> bool:
        """Wait until no queue that has consumers holds a message; False if time ran out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if all(q.pending == 0 for q in self._consumed_queues()):
                return True
            await asyncio.sleep(0.01)
        return False

    async def ping(self) -> bool:
        return self._started

    # -- publishing ----------------------------------------------------------------------------
    async def publish(self, envelope: Envelope, routing_key: str | None = None) -> None:
        self._ensure_started()
        key = routing_key or envelope.message_type
        targets = [q for q in self._queues.values() if any(topic_matches(b, key) for b in q.bindings)]
        if not targets:
            raise Unroutable(f"no queue bound for {key!r}")
        body = envelope.to_bytes()
        for queue in targets:
            queue.items.put_nowait(_Message(body, key))

    # -- consuming -----------------------------------------------------------------------------
    async def subscribe(
        self,
        queue: str,
        bindings: Sequence[str],
        handler: Handler,
        *,
        prefetch: int = DEFAULT_PREFETCH,
        delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
    ) -> None:
        self._ensure_started()
        q = self._declare(queue, bindings, delivery_limit)
        self._consume(q, handler, prefetch)

    async def subscribe_dead_letters(self, queue: str, handler: Handler) -> None:
        self._ensure_started()
        main = self._queues.get(self._qname(queue))
        if main is None or main.dead_letters is None:
            raise BusError(f"queue {queue!r} is not declared")
        self._consume(main.dead_letters, handler, DEFAULT_PREFETCH)

    async def serve(self, queue: str, bindings: Sequence[str], responder: Responder, *, prefetch: int = 32) -> None:
        self._ensure_started()
        q = self._declare(queue, bindings, None)

        async def reply(delivery: Delivery, message: _Message) -> None:
            response = await answer(responder, delivery.envelope)
            future = self._pending_replies.get(message.rpc_id or "")
            if future is not None and not future.done():
                # Through bytes, as on the wire.
                future.set_result(Envelope.from_bytes(response.to_bytes()))

        self._consume(q, None, prefetch, rpc=reply)

    async def request(self, envelope: Envelope, *, timeout: float = 5.0, routing_key: str | None = None) -> Envelope:
        self._ensure_started()
        key = routing_key or envelope.message_type
        targets = [q for q in self._queues.values() if any(topic_matches(b, key) for b in q.bindings)]
        if not targets:
            raise AppError("SERVICE_UNAVAILABLE", {"route": key})
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._pending_replies[envelope.message_id] = future
        try:
            for queue in targets:
                queue.items.put_nowait(_Message(envelope.to_bytes(), key, rpc_id=envelope.message_id))
            reply = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AppError("UPSTREAM_TIMEOUT", {"route": key, "timeout_s": timeout}) from None
        finally:
            self._pending_replies.pop(envelope.message_id, None)
        return reply

    # -- internals -----------------------------------------------------------------------------
    def _qname(self, queue: str) -> str:
        return f"{self.namespace}.{queue}"

    def _ensure_started(self) -> None:
        if not self._started:
            raise BusError("bus is not started")

    def _consumed_queues(self) -> list[_Queue]:
        return [q for q in self._queues.values() if q.consumers]

    def _declare(self, queue: str, bindings: Sequence[str], delivery_limit: int | None) -> _Queue:
        name = self._qname(queue)
        q = self._queues.get(name)
        if q is None:
            dlq = _Queue(f"{name}.dlq", None) if delivery_limit is not None else None
            q = _Queue(name, delivery_limit, dead_letters=dlq)
            self._queues[name] = q
            if dlq is not None:
                self._queues[dlq.name] = dlq
        for binding in bindings:
            if binding not in q.bindings:
                q.bindings.append(binding)
        return q

    def _consume(self, q: _Queue, handler: Handler | None, prefetch: int, rpc: _Rpc | None = None) -> None:
        q.consumers += 1
        for _ in range(max(1, prefetch)):
            self._tasks.append(asyncio.create_task(self._worker(q, handler, rpc), name=f"bus:{q.name}"))

    async def _worker(self, q: _Queue, handler: Handler | None, rpc: _Rpc | None) -> None:
        while True:
            message = await q.items.get()
            q.in_flight += 1
            try:
                await self._deliver(q, message, handler, rpc)
            finally:
                q.in_flight -= 1

    async def _deliver(self, q: _Queue, message: _Message, handler: Handler | None, rpc: _Rpc | None) -> None:
        try:
            envelope = Envelope.from_bytes(message.body)
        except ValueError:
            log.error("undecodable message dead-lettered", queue=q.name)
            self._dead_letter(q, message, "rejected")
            return
        delivery = Delivery(envelope, message.routing_key, q.name, message.returns + 1, message.death_reason)
        with log_context(message_id=envelope.message_id, correlation_id=envelope.correlation_id, queue=q.name):
            if rpc is not None:
                await rpc(delivery, message)
                return
            assert handler is not None
            try:
                await handler(delivery)
            except asyncio.CancelledError:
                q.items.put_nowait(message)  # not acked: back to the queue, as on a lost channel
                raise
            except Refused as refusal:
                log.error("message refused; dead-lettered", reason=refusal.reason, **refusal.details)
                self._dead_letter(q, message, "rejected")
            except Exception:
                log.warning("handler failed; message returned", delivery_count=delivery.delivery_count, exc_info=True)
                await asyncio.sleep(redelivery_backoff(delivery.delivery_count))
                message.returns += 1
                if q.delivery_limit is not None and message.returns > q.delivery_limit:
                    self._dead_letter(q, message, "delivery_limit")
                else:
                    q.items.put_nowait(message)

    def _dead_letter(self, q: _Queue, message: _Message, reason: str) -> None:
        if q.dead_letters is None:
            log.error("message dropped from a queue without dead letters", queue=q.name, reason=reason)
            return
        q.dead_letters.items.put_nowait(_Message(message.body, message.routing_key, death_reason=reason))
