"""The Center's intake world (tests/center/test_intake.py): con_intake with the registries and the test NCA
in process (tests.support.services), and the regional gateway, on one in-memory bus; the tests play the
operators (their demo accounts, each with an employee SIGN certificate of the Center's BIN from the NCA,
signing on the client side) and the provider (its signed statuses, published through the gateway), and
collect what the gateway delivers to the districts' providers.

    desk = await intake_world(path)                          # once for the package
    intake = (await desk.start("operator-1.karaganda-1", iin)).json()
    await desk.present(LOGIN, intake, skip={"income_certificate"})
    signed = await desk.sign(LOGIN, (await desk.post(LOGIN, f"/api/v1/intakes/{id}/refusal/draft")).json())

Its clock is the wall clock plus an offset a test may move (`OffsetClock.advance`): the registries, the NCA
and every signature run on wall time, so the Center's must stay near it."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import select

from services.con_intake.app import create_app as create_center
from services.con_intake.config import ConIntakeSettings
from services.regional_gateway.app import create_app as create_gateway
from services.regional_gateway.config import RegionalGatewaySettings
from services.registry_stub.models import PowerOfAttorneyRow, QueryLogRow
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.document import Author
from shared.eds.signing import Signer, payload_of, sign
from shared.geo import DISTRICTS
from shared.housing import center
from shared.housing.messages import CASE_RESULT, HANDOVER_ACK, HANDOVER_PREFIX, SUBMITTED, delivered_key
from shared.participants import CENTER, PROVIDER
from tests.support.bus import Collector
from tests.support.gateway import head_of, notification
from tests.support.pki import new_iin
from tests.support.services import InProcess, running, sqlite_url

DEMO_PASSWORD = "center-intake-demo-password"
CONSENT = "consent:test"
OPERATOR = "operator-1.karaganda-1"
COLLEAGUE = "operator-2.karaganda-1"
ELSEWHERE = "operator-1.saran"


class OffsetClock:
    """The Center's clock: the wall clock moved by ``offset`` (`advance`)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def reset(self) -> None:
        self.offset = timedelta(0)


@dataclass
class Desk:
    """The world: ``env`` (the bus, the registries and the NCA), the Center's app and client, its clock,
    the gateway, and what the gateway delivered to providers (``delivered``)."""

    env: InProcess
    app: FastAPI
    client: httpx.AsyncClient
    clock: OffsetClock
    gateway: FastAPI
    delivered: Collector
    submitted: Collector
    handed: Collector
    _tokens: dict[str, str] = field(default_factory=dict)
    _keys: dict[str, Signer] = field(default_factory=dict)
    _specialist: tuple[str, Signer] | None = None
    _taken: set[str] = field(default_factory=set)

    # -- the operators ------------------------------------------------------------------------------
    async def token(self, login: str) -> str:
        if login not in self._tokens:
            response = await self.client.post(
                "/api/v1/operators/token", json={"login": login, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 200, response.text
            self._tokens[login] = response.json()["access_token"]
        return self._tokens[login]

    async def call(self, login: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.token(login)}"}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def post(self, login: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call(login, "POST", path, **kwargs)

    async def iin_of(self, login: str) -> str:
        response = await self.call(login, "GET", "/api/v1/operators/me")
        assert response.status_code == 200, response.text
        return str(response.json()["iin"])

    async def key(self, login: str) -> Signer:
        """The operator's employee SIGN key: their IIN, the Center's BIN (one per login and world)."""
        if login not in self._keys:
            subject = {
                "surname": "ОПЕРАТОР",
                "given_name": "ХҚО",
                "bin": CENTER.bin,
                "organization": CENTER.organization,
            }
            self._keys[login] = await self.env.pki.issue(await self.iin_of(login), holder="employee", subject=subject)
        return self._keys[login]

    async def sign(self, login: str, drafted: dict[str, Any], signer: Signer | None = None) -> dict[str, Any]:
        """``{"document"}`` as a draft endpoint answers it, signed with ``login``'s key (or ``signer``'s)."""
        return sign(drafted["document"], signer or await self.key(login))

    # -- the registries, as testers read them --------------------------------------------------------
    async def personas(self, trait: str, limit: int = 50) -> list[str]:
        answer = await self.env.registry.get("/api/v1/personas", params={"trait": trait, "limit": limit})
        assert answer.status_code == 200 and answer.json(), f"no persona with {trait}"
        return [p["iin"] for p in answer.json()]

    async def persona(self, trait: str) -> str:
        return (await self.personas(trait, 1))[0]

    async def fresh(self, trait: str) -> str:
        """A persona with ``trait`` no other test of this world has taken in (an accepted one could not be taken
        in again: DUPLICATE_APPLICATION), whatever order the tests run in."""
        for iin in await self.personas(trait, 200):
            if iin not in self._taken:
                self._taken.add(iin)
                return iin
        raise AssertionError(f"no persona with {trait} left")

    async def person(self, iin: str) -> dict[str, Any]:
        response = await self.env.registry.get(f"/api/v1/persons/{iin}", params={"consent": CONSENT})
        assert response.status_code == 200, response.text
        return response.json()["answer"]["result"]  # type: ignore[no-any-return]

    async def power_of_attorney(self, trait: str) -> PowerOfAttorneyRow:
        """The power of attorney a ``poa:…`` persona (its principal) was given."""
        principal = await self.persona(trait)
        self._taken.add(principal)
        async with self.env.registry_app.state.runtime.db.sessions() as session:
            rows = (
                await session.exec(select(PowerOfAttorneyRow).where(PowerOfAttorneyRow.principal_iin == principal))
            ).all()
        assert rows, f"{trait}: no power of attorney"
        return rows[0]

    async def stranger(self, *iins: str) -> str:
        """A living person of the population who is none of ``iins`` nor of their families."""
        family = {
            iin for person in iins for iin in (person, *(f["iin"] for f in (await self.person(person))["family"]))
        }
        for candidate in await self.personas("eligible", 200):
            if candidate not in family:
                return candidate
        raise AssertionError("no stranger")

    # -- the intake ------------------------------------------------------------------------------------
    async def start(self, login: str, recipient: str, **body: Any) -> httpx.Response:
        return await self.post(login, "/api/v1/intakes", json={"recipient_iin": recipient, "consent": True, **body})

    async def started(self, login: str, recipient: str, **body: Any) -> dict[str, Any]:
        response = await self.start(login, recipient, **body)
        assert response.status_code == 201, response.text
        intake: dict[str, Any] = response.json()
        assert intake["state"] == "OPEN"
        return intake

    async def present(
        self, login: str, intake: dict[str, Any], *, skip: tuple[str, ...] = (), extra: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Process 5: every document of the checklist but ``skip`` (and ``extra`` kinds) presented and scanned."""
        kinds = [i["kind"] for i in intake["checklist"] if i["kind"] not in skip] + list(extra)
        response = await self.post(
            login,
            f"/api/v1/intakes/{intake['id']}/documents",
            json={"presented": kinds, "scans": [scan(k, intake) for k in kinds]},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def accept(self, login: str, intake: dict[str, Any]) -> dict[str, Any]:
        """Process 6: the application drafted, signed by ``login`` and accepted (200 expected)."""
        drafted = await self.post(login, f"/api/v1/intakes/{intake['id']}/application/draft")
        assert drafted.status_code == 200, drafted.text
        response = await self.post(
            login,
            f"/api/v1/intakes/{intake['id']}/application",
            json={"signed": await self.sign(login, drafted.json())},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def asked(self, *, application: str | None = None, subject: str | None = None) -> list[QueryLogRow]:
        """The registries' query log of the Center's queries (for an application, about a subject)."""
        async with self.env.registry_app.state.runtime.db.sessions() as session:
            query = select(QueryLogRow).where(QueryLogRow.requester == CENTER.address)
            if application is not None:
                query = query.where(QueryLogRow.application == application)
            if subject is not None:
                query = query.where(QueryLogRow.subject == subject)
            return list((await session.exec(query)).all())

    # -- the provider, answering what the Center handed it -----------------------------------------------------
    async def handed_over(self, document_id: str, timeout: float = 15.0) -> Delivery:
        """What the Center sent the provider whose e-document is ``document_id`` (waiting for it a while)."""
        deadline = utcnow() + timedelta(seconds=timeout)
        while True:
            for delivery in self.handed.deliveries:
                if payload_of(delivery.envelope.document).get("id") == document_id:
                    return delivery
            assert utcnow() < deadline, f"{document_id}: never handed to the provider"
            await asyncio.sleep(0.05)  # the relays publish meanwhile (a drain of empty queues would not yield)

    async def answer(self, handed: Delivery, *, at: datetime, by: tuple[str, Signer] | None = None) -> None:
        """The district's specialist accepts what ``handed`` carried (a recall: sends the result back) at ``at``,
        signing the answer with a provider employee's key (or ``by``: an IIN and its key), as the provider
        publishes it."""
        document = payload_of(handed.envelope.document)
        if by is None:
            if self._specialist is None:
                iin = new_iin()
                self._specialist = (iin, await head_of(self.env.pki, iin))
            by = self._specialist
        iin, signer = by
        ack = center.HandoverAck(
            author=Author(iin=iin, bin=PROVIDER.bin),
            handover=document["id"],
            handover_type=document["type"],
            district=document["district"],
            branch=document["branch"]["branch"],
            total=document.get("total", 1),
            accepted_by="Маман Тұрғын үй бөлімі",
            accepted_at=at.astimezone(UTC).replace(microsecond=0),
        )
        envelope = Envelope(
            message_type=HANDOVER_ACK,
            sender=PROVIDER.address,
            issue=document["id"],
            document=sign(ack.to_json(), signer),
        )
        await self.env.signing.publish(envelope)
        await self.env.bus.drain(0.5)


def scan(kind: str, intake: dict[str, Any]) -> dict[str, Any]:
    digest = hashlib.sha256(f"{kind}:{intake['id']}".encode()).hexdigest()
    return {"kind": kind, "name": f"{kind}.pdf", "media_type": "application/pdf", "size": 4096, "sha256": digest}


@asynccontextmanager
async def intake_world(path: Path) -> AsyncIterator[Desk]:
    """The registries (200 people, today's), the regional gateway, con_intake (its demo operators seeded
    with `DEMO_PASSWORD`), and a collector for every district's deliveries."""
    async with running(path, bus_name="center-intake", population_size=200) as env:
        delivered = await env.collect("test.center-deliveries", [delivered_key(d.code) for d in DISTRICTS])
        submitted = await env.collect("test.center-submitted", [SUBMITTED])
        handed = await env.collect("test.center-handovers", [f"{HANDOVER_PREFIX}.*"])
        gateway_settings = RegionalGatewaySettings(
            database_url=sqlite_url(path, "gateway"), admin_token="center-intake-gateway-admin-token"
        )
        gateway = await env.start(
            "gateway",
            lambda bus, verifier, credentials: create_gateway(
                gateway_settings, bus=bus, verifier=verifier, credentials=credentials("regional_gateway")
            ),
        )
        clock = OffsetClock()
        settings = ConIntakeSettings(
            database_url=sqlite_url(path, "con_intake"),
            demo_password=DEMO_PASSWORD,
            token_secret="con-intake-intake-test-secret-of-32-bytes",
        )
        center = await env.start(
            "center",
            lambda bus, verifier, credentials: create_center(
                settings, bus=bus, verifier=verifier, credentials=credentials("con_intake"), clock=clock
            ),
            raise_app_exceptions=False,
        )
        yield Desk(env, center.app, center.client, clock, gateway.app, delivered, submitted, handed)


# -- the results at the window (tests/center/test_issuance.py) ----------------------------------------------

_heads: dict[int, tuple[str, Signer]] = {}
"""The provider's head who signs every result of a world (one key per world)."""
_reserved: dict[int, set[str]] = {}
RESERVED_TRAITS = (
    "poa:valid",
    "poa:expired",
    "poa:revoked",
    "poa:not_covering_service",
    "poa:not_notarised",
    "marriage_before_2008",
    "vulnerable:large_family",
)
"""Traits whose personas test_intake.py takes (the first of each, or fresh ones until they run out)."""


async def spare(desk: Desk) -> str:
    """An eligible persona no other test of this world has taken in, nor of a `RESERVED_TRAITS` trait, taken
    from the end of the list (`Desk.fresh` takes from its start), so that the intake's tests find the same
    personas whatever order the tests run in."""
    if id(desk) not in _reserved:
        _reserved[id(desk)] = {iin for trait in RESERVED_TRAITS for iin in await desk.personas(trait, 200)}
    for iin in reversed(await desk.personas("eligible", 200)):
        if iin not in desk._taken and iin not in _reserved[id(desk)]:
            desk._taken.add(iin)
            return iin
    raise AssertionError("no spare eligible persona left")


def set_clock(clock: OffsetClock, moment: datetime) -> None:
    """The Center's clock at ``moment`` now, running on with the wall clock from there."""
    clock.offset = moment - utcnow()


async def intake_view(desk: Desk, login: str, intake_id: str) -> dict[str, Any]:
    response = await desk.call(login, "GET", f"/api/v1/intakes/{intake_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def until(desk: Desk, login: str, intake_id: str, check: Any, timeout: float = 15.0) -> dict[str, Any]:
    """The intake once ``check`` holds of it (the bus drained in between)."""
    deadline = utcnow() + timedelta(seconds=timeout)
    while not check(found := await intake_view(desk, login, intake_id)):
        assert utcnow() < deadline, f"never: {found.get('application')}"
        await desk.env.bus.drain(0.5)
    return found


async def deliver_result(desk: Desk, login: str, intake: dict[str, Any]) -> dict[str, Any]:
    """§19 Process 9: the provider's head's notification for the accepted ``intake``, through the gateway
    (registered and stamped there), kept by the Center; the intake as it then is."""
    registered = await until(desk, login, intake["id"], lambda i: i["application"]["registration_number"])
    if id(desk) not in _heads:
        head_iin = new_iin()
        _heads[id(desk)] = (head_iin, await head_of(desk.env.pki, head_iin))
    head_iin, head = _heads[id(desk)]
    result = notification(
        application_id=registered["application"]["id"],
        head_iin=head_iin,
        applicant_iin=registered["recipient"]["iin"],
        district=registered["district"],
        registration_number=registered["application"]["registration_number"],
    )
    issue = registered["application"]["id"]
    envelope = Envelope(message_type=CASE_RESULT, sender=PROVIDER.address, issue=issue, document=sign(result, head))
    await desk.env.signing.publish(envelope)
    return await until(desk, login, intake["id"], lambda i: i["result"] is not None)


async def result_accepted_at(
    desk: Desk, login: str, accepted_at: datetime, *, representative: str | None = None, deliver: bool = True
) -> dict[str, Any]:
    """A fresh recipient taken in and accepted at ``login``'s branch with the Center's clock at ``accepted_at``
    (through ``representative``, a person of the population, under a power of attorney typed in), and, unless
    ``deliver`` is false, its result delivered: the intake as it then is (the clock left where it ran on to)."""
    set_clock(desk.clock, accepted_at)
    recipient = await spare(desk)
    body: dict[str, Any] = {}
    if representative is not None:
        day = accepted_at.date()
        body["representative"] = {
            "iin": representative,
            "power_of_attorney": {
                "kind": "other",
                "number": f"СЕН-{recipient[-4:]}",
                "issued_on": (day - timedelta(days=30)).isoformat(),
                "valid_until": (day + timedelta(days=365)).isoformat(),
                "certified_by": "the employer",
                "scan_sha256": hashlib.sha256(recipient.encode()).hexdigest(),
            },
        }
    intake = await desk.started(login, recipient, **body)
    await desk.present(login, intake)
    accepted = await desk.accept(login, intake)
    if not deliver:
        return accepted
    return await deliver_result(desk, login, accepted)
