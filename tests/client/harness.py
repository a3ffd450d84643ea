"""The staff client suites' harness on top of tests.support.provider's world.

`Bridge`: a synchronous httpx transport onto the test's asynchronous ASGI clients. The staff SDK, the CLI
and the autopilot are synchronous (`python -m services` runs the autopilot in a worker thread), the
in-process services are ASGI apps served by the test's event loop. Code under test runs in a worker thread
(``await asyncio.to_thread(...)``); each request it makes is sent on the loop by the client of its URL's
host, and its answer read in full there. Never call the SDK on the loop's own thread: it would wait for
the loop it blocks.

`open_case`: a case opened at Annex 1 step 3, delivered as the regional gateway delivers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx

from tests.support.provider import World, deliver_registered

PROVIDER = "http://provider"
NCA = "http://nca"


class Bridge(httpx.BaseTransport):
    def __init__(self, loop: asyncio.AbstractEventLoop, clients: Mapping[str, httpx.AsyncClient]) -> None:
        self.loop = loop
        self.clients = dict(clients)
        self.sent: list[tuple[str, str, str]] = []
        """``(method, host, path)`` of every request, in order."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        client = self.clients[request.url.host]
        self.sent.append((request.method, request.url.host, request.url.path))
        forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=request.read())

        async def send() -> httpx.Response:
            response = await client.send(forwarded)
            return httpx.Response(response.status_code, headers=response.headers, content=response.content)

        return asyncio.run_coroutine_threadsafe(send(), self.loop).result(timeout=60)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, _, p in self.sent if m == method and p == path)


async def open_case(world: World, district: str, trait: str) -> str:
    """The case opened for a persona with ``trait`` in ``district`` (its number)."""
    application = await world.application(await world.persona(trait), district=district)
    await deliver_registered(world, application)
    status = await world.status(application.id)
    assert status.case_number is not None
    return status.case_number
