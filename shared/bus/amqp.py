"""The RabbitMQ adapter on aio-pika (architecture §3).

Topology, all under one ``namespace``:
- exchange ``<ns>`` (topic, durable) carries every message; ``<ns>.dlx`` (direct, durable) takes
  dead letters;
- each subscription owns a quorum queue ``<ns>.<queue>`` with ``x-delivery-limit``, dead-lettering
  at-least-once (``x-dead-letter-strategy``, which needs ``x-overflow=reject-publish``) to
  ``<ns>.<queue>.dlq``;
- sync requests go to a durable classic queue per responder with no dead-lettering (a request that
  outlives its timeout is useless; it expires), and replies to an exclusive queue per bus.

Messages are persistent and published with confirms and ``mandatory`` (an unroutable message raises
`Unroutable`). Consumers ack after the handler returns and nack with requeue when it raises; the
quorum queue counts the returns and dead-letters past the limit. The connection is robust: channels,
queues, bindings and consumers come back after a broker restart. A publish or ack that races a
reconnect fails with `BusError` / is dropped, and the message is published / delivered again: the
outbox and the inbox make that harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustExchange,
    DeliveryMode,
    ExchangeType,
)

from shared.bus.envelope import Envelope
from shared.bus.port import (
    DEFAULT_DELIVERY_LIMIT,
    DEFAULT_PREFETCH,
    PUBLISH_TIMEOUT_S,
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
from shared.errors import AppError
from shared.logging import get_logger, log_context

log = get_logger(__name__)


def _to_message(envelope: Envelope, user: str | None, **properties: Any) -> aio_pika.Message:
    """The AMQP message of ``envelope``; ``user``: the broker user this connection is, set as the
    message's ``user_id``, which RabbitMQ checks against the connection's login (architecture §9)."""
    return aio_pika.Message(
        envelope.to_bytes(),
        user_id=user,
        content_type="application/json",
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=envelope.message_id,
        correlation_id=properties.pop("correlation_id", envelope.correlation_id),
        type=envelope.message_type,
        timestamp=envelope.message_date,
        **properties,
    )


def _original_routing_key(message: AbstractIncomingMessage) -> str:
    """A dead letter arrives under the dead-letter routing key (its queue's name); the key it was
    first published with is in ``x-death``."""
    deaths = (message.headers or {}).get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        keys = deaths[0].get("routing-keys")
        if isinstance(keys, list) and keys:
            key = keys[0]
            return key.decode() if isinstance(key, bytes) else str(key)
    return message.routing_key or ""


def _death_reason(message: AbstractIncomingMessage) -> str | None:
    headers = message.headers or {}
    reason = headers.get("x-first-death-reason")
    if reason is None:
        deaths = headers.get("x-death")
        if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
            reason = deaths[0].get("reason")
    return reason.decode() if isinstance(reason, bytes) else reason  # type: ignore[return-value]


class AmqpBus(Bus):
    def __init__(
        self,
        url: str,
        namespace: str = "egov",
        *,
        connection_name: str = "egov",
        connect_timeout: float = 60.0,
    ) -> None:
        self.url = url
        self.user = unquote(urlsplit(url).username or "") or None
        """The broker user of ``url``: every message published here carries it as ``user_id``."""
        self.namespace = namespace
        self.connection_name = connection_name
        self.connect_timeout = connect_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._exchange: AbstractRobustExchange | None = None
        self._reply_queue_name = f"{namespace}.reply.{uuid.uuid4().hex}"
        self._pending_replies: dict[str, asyncio.Future[Envelope]] = {}
        self._reply_consumer_ready = False
        self.declared_queues: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, retrying while the broker is not up yet (a robust connection only reconnects
        once it has connected: aio-pika #202)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_timeout
        delay = 0.2
        while True:
            try:
                self._connection = await aio_pika.connect_robust(
                    self.url, client_properties={"connection_name": self.connection_name}, reconnect_interval=1
                )
                break
            except (OSError, aiormq.exceptions.AMQPError) as exc:
                if loop.time() + delay > deadline:
                    raise BusError(f"cannot connect to the broker: {exc}") from exc
                log.warning("broker not reachable yet; retrying", error=str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._publish_channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        assert self._publish_channel is not None
        self._exchange = await self._publish_channel.declare_exchange(self.namespace, ExchangeType.TOPIC, durable=True)
        await self._publish_channel.declare_exchange(f"{self.namespace}.dlx", ExchangeType.DIRECT, durable=True)

    async def close(self) -> None:
        for future in self._pending_replies.values():
            future.cancel()
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
        self._connection = None

    async def ping(self) -> bool:
        connection = self._connection
        return connection is not None and not connection.is_closed and connection.connected.is_set()

    # -- publishing ----------------------------------------------------------------------------
    async def publish(self, envelope: Envelope, routing_key: str | None = None) -> None:
        exchange = self._require_exchange()
        try:
            await asyncio.wait_for(
                exchange.publish(
                    _to_message(envelope, self.user), routing_key or envelope.message_type, mandatory=True
                ),
                PUBLISH_TIMEOUT_S,
            )
        except aio_pika.exceptions.PublishError as exc:
            raise Unroutable(f"no queue bound for {routing_key or envelope.message_type!r}") from exc
        except (TimeoutError, aio_pika.exceptions.AMQPError, aiormq.exceptions.AMQPError, OSError, RuntimeError) as exc:
            raise BusError(f"publish not confirmed: {exc!r}") from exc

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
        channel = await self._channel(prefetch)
        name = self._qname(queue)
        dlq = await channel.declare_queue(f"{name}.dlq", durable=True, arguments={"x-queue-type": "quorum"})
        await dlq.bind(f"{self.namespace}.dlx", routing_key=name)
        q = await channel.declare_queue(
            name,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": delivery_limit,
                "x-dead-letter-exchange": f"{self.namespace}.dlx",
                "x-dead-letter-routing-key": name,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )
        self.declared_queues += [name, f"{name}.dlq"]
        for binding in bindings:
            await q.bind(self.namespace, routing_key=binding)
        await q.consume(self._consumer(name, handler))

    async def subscribe_dead_letters(self, queue: str, handler: Handler) -> None:
        channel = await self._channel(DEFAULT_PREFETCH)
        name = f"{self._qname(queue)}.dlq"
        try:
            q = await channel.declare_queue(name, passive=True)
        except aiormq.exceptions.ChannelNotFoundEntity as exc:
            raise BusError(f"queue {queue!r} is not declared") from exc
        await q.consume(self._consumer(name, handler))

    def _consumer(self, queue: str, handler: Handler) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def consume(message: AbstractIncomingMessage) -> None:
            await self._on_message(queue, message, handler)

        return consume

    async def _on_message(self, queue: str, message: AbstractIncomingMessage, handler: Handler) -> None:
        try:
            envelope = Envelope.from_bytes(message.body)
        except ValueError:
            log.error("undecodable message dead-lettered", queue=queue, amqp_message_id=message.message_id)
            await self._settle(message.reject(requeue=False))
            return
        count = int(str((message.headers or {}).get("x-delivery-count", 0) or 0)) + 1
        delivery = Delivery(envelope, _original_routing_key(message), queue, count, _death_reason(message))
        with log_context(message_id=envelope.message_id, correlation_id=envelope.correlation_id, queue=queue):
            try:
                await handler(delivery)
            except Refused as refusal:
                log.error("message refused; dead-lettered", reason=refusal.reason, **refusal.details)
                await self._settle(message.reject(requeue=False))
                return
            except Exception:
                log.warning("handler failed; message returned", delivery_count=count, exc_info=True)
                await asyncio.sleep(redelivery_backoff(count))
                await self._settle(message.nack(requeue=True))
                return
            await self._settle(message.ack())

    @staticmethod
    async def _settle(settlement: Any) -> None:
        """Ack/nack; if the channel went away meanwhile the broker redelivers, and the inbox makes
        the repeat harmless (taskiq-aio-pika #59)."""
        try:
            await settlement
        except (aio_pika.exceptions.ChannelInvalidStateError, aiormq.exceptions.AMQPError, RuntimeError) as exc:
            log.warning("could not settle a delivery; it will be redelivered", error=repr(exc))

    # -- sync channel ----------------------------------------------------------------------------
    async def serve(self, queue: str, bindings: Sequence[str], responder: Responder, *, prefetch: int = 32) -> None:
        channel = await self._channel(prefetch)
        name = self._qname(queue)
        q = await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "classic"})
        self.declared_queues.append(name)
        for binding in bindings:
            await q.bind(self.namespace, routing_key=binding)

        async def on_request(message: AbstractIncomingMessage) -> None:
            try:
                request = Envelope.from_bytes(message.body)
            except ValueError:
                await self._settle(message.reject(requeue=False))
                return
            with log_context(message_id=request.message_id, correlation_id=request.correlation_id, queue=name):
                reply = await answer(responder, request)
                if message.reply_to:
                    try:
                        await channel.default_exchange.publish(
                            _to_message(reply, self.user, correlation_id=message.correlation_id),
                            routing_key=message.reply_to,
                            mandatory=False,
                        )
                    except Exception as exc:  # the requester will time out; nothing else to do
                        log.warning("could not send a sync reply", error=repr(exc))
                await self._settle(message.ack())

        await q.consume(on_request)

    async def request(self, envelope: Envelope, *, timeout: float = 5.0, routing_key: str | None = None) -> Envelope:
        await self._ensure_reply_consumer()
        key = routing_key or envelope.message_type
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._pending_replies[envelope.message_id] = future
        try:
            try:
                await asyncio.wait_for(
                    self._require_exchange().publish(
                        _to_message(
                            envelope,
                            self.user,
                            correlation_id=envelope.message_id,
                            reply_to=self._reply_queue_name,
                            expiration=timeout,
                        ),
                        key,
                        mandatory=True,
                    ),
                    timeout,
                )
            except aio_pika.exceptions.PublishError:
                raise AppError("SERVICE_UNAVAILABLE", {"route": key}) from None
            reply = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AppError("UPSTREAM_TIMEOUT", {"route": key, "timeout_s": timeout}) from None
        finally:
            self._pending_replies.pop(envelope.message_id, None)
        return reply

    async def _ensure_reply_consumer(self) -> None:
        if self._reply_consumer_ready:
            return
        channel = await self._channel(64)
        q = await channel.declare_queue(self._reply_queue_name, exclusive=True, auto_delete=True)

        async def on_reply(message: AbstractIncomingMessage) -> None:
            future = self._pending_replies.get(message.correlation_id or "")
            if future is not None and not future.done():
                try:
                    future.set_result(Envelope.from_bytes(message.body))
                except ValueError as exc:
                    future.set_exception(AppError("UPSTREAM_ERROR", {"reason": str(exc)}))

        await q.consume(on_reply, no_ack=True)
        self._reply_consumer_ready = True

    # -- internals -----------------------------------------------------------------------------
    def _qname(self, queue: str) -> str:
        return f"{self.namespace}.{queue}"

    def _require_exchange(self) -> AbstractRobustExchange:
        if self._exchange is None:
            raise BusError("bus is not started")
        return self._exchange

    async def _channel(self, prefetch: int) -> AbstractRobustChannel:
        if self._connection is None:
            raise BusError("bus is not started")
        channel: AbstractRobustChannel = await self._connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        return channel
