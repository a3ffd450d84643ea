"""The bus contract (architecture §3): every test runs against the in-memory adapter and RabbitMQ
(the ``bus`` fixture), so the embedded default behaves like the real gateway."""

from __future__ import annotations

import asyncio

import pytest

from shared.bus.envelope import Envelope
from shared.bus.port import Bus, Unroutable, raise_if_error
from shared.errors import AppError
from tests.support.bus import Collector, envelope, wait_until


async def test_a_published_message_reaches_the_bound_queue_intact(bus: Bus) -> None:
    got = Collector()
    await bus.subscribe("provider.inbox", ["application.*"], got)
    sent = envelope("application.submitted", {"iin": "900101300017", "note": "Қарағанды"})

    await bus.publish(sent)

    await wait_until(lambda: len(got) == 1)
    delivery = got.deliveries[0]
    assert delivery.envelope == sent
    assert delivery.routing_key == "application.submitted"
    assert delivery.delivery_count == 1


async def test_topic_bindings_route_by_pattern(bus: Bus) -> None:
    statuses, everything = Collector(), Collector()
    await bus.subscribe("portal.statuses", ["status.*.changed"], statuses)
    await bus.subscribe("gateway.log", ["#"], everything)

    await bus.publish(envelope("status.case.changed"))
    await bus.publish(envelope("result.ready"))

    await wait_until(lambda: len(everything) == 2)
    await asyncio.sleep(0.1)
    assert [d.routing_key for d in statuses.deliveries] == ["status.case.changed"]


async def test_a_message_no_queue_is_bound_for_is_refused_not_dropped(bus: Bus) -> None:
    await bus.subscribe("provider.inbox", ["application.*"], Collector())
    with pytest.raises(Unroutable):
        await bus.publish(envelope("nobody.listens"))


async def test_a_message_is_redelivered_after_the_handler_crashes(bus: Bus) -> None:
    got = Collector(fail_times=1)
    await bus.subscribe("provider.inbox", ["application.*"], got, delivery_limit=3)
    dead = Collector()
    await bus.subscribe_dead_letters("provider.inbox", dead)

    await bus.publish(envelope("application.submitted"))

    await wait_until(lambda: len(got) == 2)
    assert [d.delivery_count for d in got.deliveries] == [1, 2]
    assert got.succeeded == 1
    await asyncio.sleep(0.2)
    assert len(dead) == 0


async def test_a_message_past_the_delivery_limit_is_dead_lettered_not_lost(bus: Bus) -> None:
    always_fails = Collector(fail_times=10**6)
    await bus.subscribe("provider.inbox", ["application.*"], always_fails, delivery_limit=2)
    dead = Collector()
    await bus.subscribe_dead_letters("provider.inbox", dead)
    sent = envelope("application.submitted", {"n": 1})

    await bus.publish(sent)

    await wait_until(lambda: len(dead) == 1, timeout=20)
    # x-delivery-limit 2: the first delivery and two redeliveries, then the dead letter queue.
    assert len(always_fails) == 3
    assert dead.deliveries[0].envelope == sent
    assert dead.deliveries[0].death_reason == "delivery_limit"
    assert dead.deliveries[0].routing_key == "application.submitted"  # the key it was published with
    assert dead.deliveries[0].queue.endswith("provider.inbox.dlq")


async def test_sync_request_gets_the_correlated_reply(bus: Bus) -> None:
    async def person(request: Envelope) -> Envelope:
        return request.reply("registry.person.found", "KZ/GOV/140440000507/registry", {"iin": request.document["iin"]})

    await bus.serve("registry.requests", ["registry.person.get"], person)

    answers = await asyncio.gather(
        *(bus.request(envelope("registry.person.get", {"iin": str(n)}), timeout=5) for n in range(20))
    )

    assert [a.document["iin"] for a in answers] == [str(n) for n in range(20)]
    assert all(a.message_type == "registry.person.found" for a in answers)


async def test_sync_request_raises_the_responders_catalogue_error(bus: Bus) -> None:
    async def not_found(request: Envelope) -> Envelope:
        raise AppError("PERSON_NOT_FOUND", {"iin": request.document["iin"]})

    await bus.serve("registry.requests", ["registry.person.get"], not_found)

    with pytest.raises(AppError) as caught:
        raise_if_error(await bus.request(envelope("registry.person.get", {"iin": "900101300017"}), timeout=5))
    assert caught.value.code == "PERSON_NOT_FOUND"
    assert caught.value.details == {"iin": "900101300017"}


async def test_sync_request_reports_a_crashed_responder_as_upstream_error(bus: Bus) -> None:
    async def crashes(request: Envelope) -> Envelope:
        raise RuntimeError("registry bug")

    await bus.serve("registry.requests", ["registry.person.get"], crashes)

    with pytest.raises(AppError) as caught:
        raise_if_error(await bus.request(envelope("registry.person.get"), timeout=5))
    assert caught.value.code == "UPSTREAM_ERROR"


async def test_sync_request_times_out_when_the_responder_is_too_slow(bus: Bus) -> None:
    async def slow(request: Envelope) -> Envelope:
        await asyncio.sleep(3)
        return request.reply("late", "x", {})

    await bus.serve("registry.requests", ["registry.person.get"], slow)

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(AppError) as caught:
        await bus.request(envelope("registry.person.get"), timeout=0.5)
    assert caught.value.code == "UPSTREAM_TIMEOUT"
    assert loop.time() - started < 2.5


async def test_sync_request_with_no_responder_fails_fast(bus: Bus) -> None:
    with pytest.raises(AppError) as caught:
        await bus.request(envelope("registry.nobody"), timeout=5)
    assert caught.value.code in {"SERVICE_UNAVAILABLE", "UPSTREAM_TIMEOUT"}


async def test_publish_many_confirms_each_message(bus: Bus) -> None:
    got = Collector()
    await bus.subscribe("provider.inbox", ["application.*"], got)
    messages = [(envelope("application.submitted", {"n": n}), "application.submitted") for n in range(50)]
    messages.append((envelope("nobody.listens"), "nobody.listens"))

    results = await bus.publish_many(messages)

    assert results[:50] == [None] * 50
    assert isinstance(results[50], Unroutable)
    await wait_until(lambda: len(got) == 50)
