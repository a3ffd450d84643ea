"""The staff client suites' harness on top of tests.support.provider's world.

`Bridge`: a synchronous httpx transport onto the test's asynchronous ASGI clients. The staff SDK, the CLI
and the autopilot are synchronous (`python -m services` runs the autopilot in a worker thread), the
in-process services are ASGI apps served by the test's event loop. Code under test runs in a worker thread
(``await asyncio.to_thread(...)``); each request it makes is sent on the loop by the client of its URL's
host, and its answer read in full there. Never call the SDK on the loop's own thread: it would wait for
the loop it blocks.

`open_case`: a case opened at Annex 1 step 3, delivered as the regional gateway delivers. `hand_over`: a register
of originals the Public Service Center sends a district (signed by an operator's employee certificate of the
Center's BIN, on ``handover.<district>``), once the provider has taken it in."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx

from services.provider.handlers import HANDOVER_QUEUE
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.eds.document import Author
from shared.eds.signing import sign
from shared.housing.center import Branch, OriginalsEntry, OriginalsRegister
from shared.housing.messages import handover_key
from shared.participants import CENTER, user_id
from tests.support.pki import new_iin
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


async def hand_over(world: World, district: str, *application_ids: str) -> OriginalsRegister:
    """A register of originals naming ``application_ids``, signed by a Center operator and sent to ``district``'s
    department; returned once the provider has kept it."""
    iin = new_iin()
    subject = {"surname": "ОПЕРАТОР", "given_name": "ТЕСТ", "bin": CENTER.bin, "organization": CENTER.organization}
    operator = await world.pki.issue(iin, holder="employee", subject=subject)
    now = datetime.now(UTC).replace(microsecond=0)
    entries = [
        OriginalsEntry(no=no, application_id=a, identifier=a, recipient="ТЕСТОВ ТЕСТ", accepted_at=now, documents=[])
        for no, a in enumerate(application_ids, 1)
    ]
    register = OriginalsRegister(
        author=Author(iin=iin, bin=CENTER.bin),
        authority="Тұрғын үй бөлімі",
        district=district,
        branch=Branch(bin=CENTER.bin, branch="Бөлімше", department="7", address="Жамбыл көшесі, 67"),
        slot_at=now,
        formed_at=now,
        entries=entries,
        total=len(entries),
        handed_over_by="Оператор ТЕСТ",
    )
    envelope = Envelope(
        message_type=handover_key(district),
        sender=CENTER.address,
        user_id=user_id(iin),
        issue=register.id,
        document=sign(register, operator),
    )
    await world.bus.publish(envelope)
    async with asyncio.timeout(15):
        while not await applied(world.provider_app.state.runtime.db, HANDOVER_QUEUE, envelope.message_id):
            await asyncio.sleep(0.02)
    return register
