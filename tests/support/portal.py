"""The portal with the state registries and the test NCA in process: one in-memory bus shared by the
portal and registry_stub (so registry queries travel the sync channel), the portal's verifier
trusting the in-process NCA (OCSP and CRL reached through its app, given to `create_app`), and a
stand-in for the regional gateway that records what the portal sends it and speaks as the gateway
(`World.from_gateway`; `World.result` makes the provider's result as the head signs it and the gateway
stamps it, Process 8); started by tests.support.services.running. The portal's SMS sink writes to the
world's ``sms_dir``, where `World.sms_code_of` reads the one-time codes back (as a tester reads
``var/sms/``)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from services.portal_gateway.app import create_app as create_portal
from services.portal_gateway.config import PortalSettings
from services.portal_gateway.models import Application
from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.signing import Signer, StampedRegistration, countersign, sign
from shared.housing.messages import SUBMITTED
from shared.participants import GATEWAY
from shared.sms import SmsMessage, read_messages
from tests.support.gateway import head_of, notification, refusal
from tests.support.pki import Pki, new_iin
from tests.support.services import SigningBus, running, sqlite_url

TOKEN_SECRET = "portal-test-secret-of-at-least-32-bytes"
PASSWORD = "Qwerty-2026!"


def code(response: httpx.Response) -> str:
    """The catalogue code of an error answer."""
    return str(response.json()["error"]["code"])


@dataclass
class World:
    portal: httpx.AsyncClient
    registry: httpx.AsyncClient
    pki: Pki
    bus: SigningBus
    db: Database
    sent: list[Envelope] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    sms_dir: Path = Path("var/sms")
    _keys: dict[str, tuple[str, Signer]] = field(default_factory=dict, repr=False)

    async def persona(self, trait: str = "eligible") -> str:
        """A persona with ``trait`` that no other test has taken, with a number in the mobile-citizens
        database (unless ``trait`` is ``mobile:none``, the living people without one)."""
        found = (await self.registry.get("/api/v1/personas", params={"trait": trait, "limit": 200})).json()
        iin = next(
            p["iin"]
            for p in found
            if p["iin"] not in self.used and (trait == "mobile:none" or "mobile:none" not in p["traits"])
        )
        self.used.add(iin)
        return str(iin)

    async def phone_of(self, iin: str) -> str:
        """The number the mobile-citizens database holds for ``iin`` (its registry's HTTP mirror)."""
        answer = await self.registry.get(f"/api/v1/persons/{iin}/mobile-phone", params={"consent": "test"})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["answer"]["result"]["phone"])

    def messages(self, phone: str | None = None) -> list[SmsMessage]:
        """The SMS the portal sent (to ``phone``), oldest first, as its sink keeps them."""
        return read_messages(self.sms_dir, to=phone)

    async def sms_code_of(self, iin: str) -> str:
        """The code of the newest SMS to the number on record for ``iin``."""
        texts = self.messages(await self.phone_of(iin))
        assert texts, f"no SMS to {iin}'s number"
        found = re.search(r"\b[0-9]{6}\b", texts[-1].text)
        assert found, texts[-1].text
        return found.group()

    async def send_code(self, iin: str) -> httpx.Response:
        return await self.portal.post("/api/v1/auth/sms-code", json={"iin": iin})

    async def confirm_code(self, iin: str, code: str, password: str | None = None) -> httpx.Response:
        body = {"iin": iin, "code": code, **({"password": password} if password is not None else {})}
        return await self.portal.post("/api/v1/auth/sms-code/confirm", json=body)

    async def prove_by_sms(self, iin: str, password: str | None = None) -> dict[str, str]:
        """Prove ``iin``'s identity with a code sent to its number (read from the sink): the Authorization
        header of the proven token. ``password`` is set on the account (needed when it has none yet)."""
        sent = await self.send_code(iin)
        assert sent.status_code == 202, sent.text
        confirmed = await self.confirm_code(iin, await self.sms_code_of(iin), password)
        assert confirmed.status_code == 200 and confirmed.json()["identity_proven"], confirmed.text
        return {"Authorization": f"Bearer {confirmed.json()['access_token']}"}

    async def register(self, iin: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        return await self.portal.post("/api/v1/auth/register", json={"iin": iin, "password": password, **extra})

    async def login(self, iin: str, password: str = PASSWORD) -> httpx.Response:
        return await self.portal.post("/api/v1/auth/token", json={"iin": iin, "password": password})

    async def citizen(self, trait: str = "eligible") -> tuple[str, dict[str, str]]:
        """A registered persona who proved their identity by SMS code (keeping `PASSWORD`), signed in: their
        IIN and the Authorization header of the proven token (the draft is pre-filled only for one)."""
        iin = await self.persona(trait)
        assert (await self.register(iin)).status_code == 201
        return iin, await self.prove_by_sms(iin, PASSWORD)

    async def unproven_citizen(self, trait: str = "eligible") -> tuple[str, dict[str, str]]:
        """A persona registered with a password and signed in with it, identity not proven."""
        iin = await self.persona(trait)
        assert (await self.register(iin)).status_code == 201
        token = (await self.login(iin)).json()["access_token"]
        return iin, {"Authorization": f"Bearer {token}"}

    async def draft(self, auth: dict[str, str], **body: Any) -> dict[str, Any]:
        response = await self.portal.post("/api/v1/applications/draft", json=body, headers=auth)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def signed_draft(self, iin: str, auth: dict[str, str], signer: Signer | None = None) -> dict[str, Any]:
        document = (await self.draft(auth))["document"]
        return sign(document, signer or await self.pki.issue(iin))

    async def submit(self, auth: dict[str, str], signed: Any) -> httpx.Response:
        return await self.portal.post("/api/v1/applications", json={"signed": signed}, headers=auth)

    async def head(self) -> tuple[str, Signer]:
        """The head of the housing department (an employee certificate of the provider's BIN), one per world."""
        if "head" not in self._keys:
            iin = new_iin()
            self._keys["head"] = iin, await head_of(self.pki, iin)
        return self._keys["head"]

    async def gateway_signer(self, *, fresh: bool = False, **extra: Any) -> Signer:
        """A system certificate of the regional gateway's BIN: what the gateway stamps with (one per world;
        ``fresh``: a new one, for a test to revoke or let expire, ``extra`` its further issuing fields such as
        ``not_after``)."""
        if fresh or "gateway" not in self._keys:
            subject = {
                "surname": "ӨҢІРЛІК",
                "given_name": "ШЛЮЗ",
                "bin": GATEWAY.bin,
                "organization": GATEWAY.organization,
            }
            signer = await self.pki.issue(new_iin(), holder="system", subject=subject, **extra)
            if fresh:
                return signer
            self._keys["gateway"] = "", signer
        return self._keys["gateway"][1]

    async def stamp(
        self,
        signed: dict[str, Any],
        district: str,
        *,
        number: str = "KRG-20261201-000900",
        signer: Signer | None = None,
        registered_at: datetime | None = None,
    ) -> dict[str, Any]:
        """``signed`` with the regional gateway's registration stamp (or ``signer``'s), as the gateway stamps;
        ``registered_at`` (default: now) the registration's time, as a re-stamp keeps the first one's."""
        stamper = signer or await self.gateway_signer()
        at = utcnow()  # after the stamping certificate was issued
        made = StampedRegistration(number, registered_at or at, district)
        return countersign(signed, stamper, role="registration", signed_at=at, registration=made)

    async def result(
        self,
        application_id: str,
        *,
        kind: str = "notification",
        stamped: bool = True,
        head: tuple[str, Signer] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """The provider's result about one of the portal's applications: a notification (or ``kind``
        ``refusal``) signed by the head (the world's, or ``head``: an IIN and its key) and, ``stamped``,
        registered by the regional gateway."""
        async with self.db.sessions() as session:
            row = await session.get(Application, application_id)
        assert row is not None, application_id
        head_iin, head_key = head or await self.head()
        common: dict[str, Any] = {
            "application_id": application_id,
            "head_iin": head_iin,
            "applicant_iin": row.iin,
            "district": row.district,
            **fields,
        }
        if kind == "notification":
            document: Any = notification(
                **{"registration_number": row.registration_number or "KRG-20261201-000001", **common}
            )
        else:
            document = refusal(**common)
        signed = sign(document, head_key)
        return await self.stamp(signed, row.district) if stamped else signed

    async def from_gateway(self, key: str, issue: str, document: dict[str, Any]) -> Envelope:
        """A message from the regional gateway (signed as the gateway signs its envelopes) on ``key``."""
        envelope = Envelope(message_type=key, sender=GATEWAY.address, issue=issue, document=document)
        await self.bus.publish(envelope, key)
        return envelope

    async def until(self, check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
        """Wait for an asynchronous effect (a handler, the outbox relay)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not await check():
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
            await asyncio.sleep(0.05)


@asynccontextmanager
async def portal_world(tmp: Path) -> AsyncIterator[World]:
    async with running(tmp, bus_name="portal-test", population_size=400) as env:
        sent: list[Envelope] = []

        async def gateway(delivery: Delivery) -> None:
            sent.append(delivery.envelope)

        await env.bus.subscribe("test.regional_gateway", [SUBMITTED], gateway)
        settings = PortalSettings(
            database_url=sqlite_url(tmp, "portal"), token_secret=TOKEN_SECRET, sms_dir=str(tmp / "sms")
        )
        portal = await env.start(
            "portal",
            lambda bus, verifier, credentials: create_portal(
                settings, bus=bus, verifier=verifier, credentials=credentials("portal_gateway")
            ),
            base_url="http://portal.test",
        )
        yield World(
            portal=portal.client,
            registry=env.registry,
            pki=env.pki,
            bus=env.signing,
            db=portal.app.state.runtime.db,
            sent=sent,
            sms_dir=tmp / "sms",
        )
