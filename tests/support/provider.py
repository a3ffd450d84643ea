"""The provider's test world: the provider with the registries and the test NCA in process, on one
in-memory bus; the tests play the citizen (signing with a certificate from the NCA) and the regional
gateway (stamping with a system certificate of the gateway's BIN, delivering on
``document.delivered.<district>``), and listen to the ``case.status`` messages the provider sends back."""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from services.provider import cases
from services.provider.cases import CaseFile
from services.provider.handlers import CONSUMER
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.bus.port import Delivery as BusDelivery
from shared.calendar import local_day, utcnow
from shared.eds.document import Author
from shared.eds.signing import Signer, countersign, payload_of, sign
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.housing.application import Address, Applicant, ApplicationDocument, Attachment, Consents, HouseholdMember
from shared.housing.messages import Delivery, Registration, SignedStatus, StatusChange, delivered_key
from shared.participants import GATEWAY, user_id
from shared.registries import RegistryAnswer, RegistryClient
from tests.support.pki import Pki, new_iin
from tests.support.services import InProcess, SigningBus

AS_OF = local_day(utcnow())
"""The population's day: today's, as the provider's §15 window counts from the registration day (today's):
personas chosen for a trait on another day would drift out of the five years."""
DEMO_PASSWORD = "demo-password-for-tests"
CONSENT = "consent:test"


class FlakyRegistries(RegistryClient):
    """The provider's registries' client, which plays an outage for its next ``failures`` queries, or
    once for each ``(query, iin)`` in ``fail_once``, and records every query asked (``asked``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures = 0
        self.fail_once: set[tuple[str, str]] = set()
        self.asked: list[tuple[str | None, str, str]] = []

    def asked_for(self, application_id: str) -> list[tuple[str, str]]:
        """The ``(query, iin)`` pairs asked for one application, in order."""
        return [(query, iin) for issue, query, iin in self.asked if issue == application_id]

    async def ask(
        self,
        query: str,
        subject: dict[str, str],
        *,
        consent: dict[str, Any],
        user_id: str | None = None,
        issue: str | None = None,
    ) -> RegistryAnswer:
        self.asked.append((issue, query, subject.get("iin", "")))
        if (query, subject.get("iin", "")) in self.fail_once:
            self.fail_once.discard((query, subject.get("iin", "")))
            raise AppError("UPSTREAM_TIMEOUT", {"route": f"registry.{query}.get"})
        if self.failures > 0:
            self.failures -= 1
            raise AppError("UPSTREAM_TIMEOUT", {"route": f"registry.{query}.get"})
        return await super().ask(query, subject, consent=consent, user_id=user_id, issue=issue)


@dataclass
class World:
    registry: httpx.AsyncClient
    pki: Pki
    provider: httpx.AsyncClient
    provider_app: FastAPI
    bus: SigningBus
    gateway: Signer
    registries: FlakyRegistries
    statuses: dict[str, list[Envelope]] = field(default_factory=lambda: defaultdict(list))
    results: dict[str, list[Envelope]] = field(default_factory=lambda: defaultdict(list))
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _citizens: dict[str, Signer] = field(default_factory=dict)
    _numbers: int = 0

    # -- the registries, as testers read them ---------------------------------------------------
    async def personas(self, trait: str, limit: int = 50) -> list[str]:
        answer = await self.registry.get("/api/v1/personas", params={"trait": trait, "limit": limit})
        assert answer.status_code == 200 and answer.json(), f"no persona with {trait}"
        return [p["iin"] for p in answer.json()]

    async def persona(self, trait: str) -> str:
        return (await self.personas(trait, 1))[0]

    async def registry_result(self, path: str) -> dict[str, Any]:
        response = await self.registry.get(path, params={"consent": CONSENT})
        assert response.status_code == 200, response.text
        return response.json()["answer"]["result"]  # type: ignore[no-any-return]

    # -- the citizen -------------------------------------------------------------------------------
    async def citizen(self, iin: str) -> Signer:
        if iin not in self._citizens:
            self._citizens[iin] = await self.pki.issue(iin)
        return self._citizens[iin]

    async def application(
        self, iin: str, *, attach: tuple[str, ...] = (), district: str | None = None, **fields: Any
    ) -> ApplicationDocument:
        """The Annex 3 application the portal would draft for ``iin`` from the registries: address,
        household (the living family), categories (current work, else current vulnerable groups)."""
        person = await self.registry_result(f"/api/v1/persons/{iin}")
        address = person["address"] or {"locality": "karaganda", "district": "karaganda", "address": "—"}
        employment = await self.registry_result(f"/api/v1/persons/{iin}/employment")
        jobs = [j for j in employment["jobs"] if j["current"]]
        social = await self.registry_result(f"/api/v1/persons/{iin}/social-status")
        groups = [s["group"] for s in social["statuses"] if s["current"]]
        declared: dict[str, Any] = (
            {"categories": ["employee"], "employment_categories": sorted({j["category"] for j in jobs})}
            if jobs
            else {"categories": ["vulnerable"], "vulnerable_groups": sorted(set(groups))}
            if groups
            else {}
        )
        applicant = Applicant(
            iin=iin,
            surname=person["surname"],
            given_name=person["given_name"],
            patronymic=person["patronymic"],
            address=Address(
                locality=address["locality"], district=address["district"] or "karaganda", address=address["address"]
            ),
        )
        household = [
            HouseholdMember(
                iin=f["iin"],
                relation=f["relation"],
                surname=f["surname"],
                given_name=f["given_name"],
                birth_date=f["birth_date"],
            )
            for f in person["family"]
            if f["alive"]
        ]
        values: dict[str, Any] = {
            "author": Author(iin=iin),
            "channel": "portal",
            "district": district or address["district"] or "karaganda",
            "applicant": applicant,
            "household": household,
            "consents": Consents(communal_fund_check=True, legally_protected_information=True),
            "attachments": [attachment(kind, iin) for kind in attach],
            **declared,
            **fields,
        }
        return ApplicationDocument(**values)

    async def signed(self, application: ApplicationDocument) -> dict[str, Any]:
        return sign(application, await self.citizen(application.author.iin or ""))

    # -- the regional gateway ---------------------------------------------------------------------
    def stamp(self, signed: dict[str, Any], signer: Signer | None = None) -> dict[str, Any]:
        return countersign(signed, signer or self.gateway, role="registration")

    def registration(self, district: str) -> Registration:
        self._numbers += 1
        now = datetime.now(UTC)
        return Registration(number=f"KRG-{now:%Y%m%d}-{self._numbers:06d}", registered_at=now, district=district)

    def delivery(self, application: ApplicationDocument, signed: dict[str, Any], **overrides: Any) -> Envelope:
        registration = self.registration(application.district)
        document = Delivery(signed=signed, registration=registration).model_dump(mode="json")
        values: dict[str, Any] = {
            "message_type": delivered_key(application.district),
            "sender": GATEWAY.address,
            "user_id": user_id(application.author.iin or ""),
            "issue": application.id,
            "document": document,
        }
        return Envelope(**{**values, **overrides})

    async def deliver(self, application: ApplicationDocument, *, stamped: bool = True) -> Envelope:
        signed = await self.signed(application)
        envelope = self.delivery(application, self.stamp(signed) if stamped else signed)
        await self.bus.publish(envelope)
        return envelope

    # -- what comes back -----------------------------------------------------------------------------
    async def collect(self, delivery: BusDelivery) -> None:
        """The test's subscriber to ``case.status``."""
        self.statuses[delivery.envelope.issue or ""].append(delivery.envelope)
        self.arrived.set()

    async def collect_result(self, delivery: BusDelivery) -> None:
        """The test's subscriber to ``case.result``."""
        self.results[delivery.envelope.issue or ""].append(delivery.envelope)
        self.arrived.set()

    async def result(self, application_id: str, timeout: float = 15.0) -> Envelope:
        """The first ``case.result`` for the application."""
        async with asyncio.timeout(timeout):
            while not self.results.get(application_id):
                self.arrived.clear()
                await self.arrived.wait()
        return self.results[application_id][0]

    async def statuses_of(self, application_id: str, count: int, timeout: float = 15.0) -> list[StatusChange]:
        """The first ``count`` ``case.status`` messages for the application, in order."""
        async with asyncio.timeout(timeout):
            while len(self.statuses.get(application_id, [])) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return [
            SignedStatus.model_validate(payload_of(e.document)).change() for e in self.statuses[application_id][:count]
        ]

    async def status(self, application_id: str, timeout: float = 15.0) -> StatusChange:
        """The first ``case.status`` for the application."""
        async with asyncio.timeout(timeout):
            while not self.statuses.get(application_id):
                self.arrived.clear()
                await self.arrived.wait()
        return SignedStatus.model_validate(payload_of(self.statuses[application_id][0].document)).change()

    async def applied(self, message_id: str, timeout: float = 15.0) -> None:
        """Wait until the provider has taken the message in (its inbox row is committed)."""
        db = self.provider_app.state.runtime.db
        async with asyncio.timeout(timeout):
            while not await applied(db, CONSUMER, message_id):
                await asyncio.sleep(0.02)

    async def case_file(self, application_id: str) -> CaseFile | None:
        """The application's case with its status history, as the service layer reads it (None: no case)."""
        async with self.provider_app.state.runtime.db.sessions() as session:
            case = await cases.find_by_application(session, application_id=application_id)
            if case is None:
                return None
            return await cases.get_case(session, district=case.district, number=case.number)

    # -- staff -----------------------------------------------------------------------------------------
    async def token(self, login: str, password: str = DEMO_PASSWORD) -> str:
        response = await self.provider.post("/api/v1/staff/token", json={"login": login, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def as_staff(self, login: str, path: str, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.token(login)}"}
        return await self.provider.get(path, params=params, headers=headers)


def attachment(kind: str, iin: str) -> Attachment:
    digest = hashlib.sha256(f"{kind}:{iin}".encode()).hexdigest()
    return Attachment(kind=kind, name=f"{kind}.pdf", media_type="application/pdf", size=2048, sha256=digest)


async def system_signer(pki: Pki, bin_: str, organization: str) -> Signer:
    """A system certificate of ``bin_`` (a gateway's, or an impostor's)."""
    subject = {"surname": "ЖҮЙЕ", "given_name": "ТЕСТ", "bin": bin_, "organization": organization}
    return await pki.issue(new_iin(), holder="system", subject=subject)


# -- the gateway's registration stamp, which signs the registration it makes (architecture §9) ------------
def next_registration(world: World, district: str) -> Registration:
    """The next registration number and time (`World.registration`)."""
    return world.registration(district)


def stamp_registered(
    world: World, signed: dict[str, Any], registration: Registration, signer: Signer | None = None
) -> dict[str, Any]:
    """``signed`` with the gateway's stamp (or ``signer``'s: an impostor's) carrying ``registration`` in its
    protected header, signed at the registration time, as the gateway stamps."""
    from shared.eds.signing import StampedRegistration  # imported here: this block is appended to the file

    made = StampedRegistration(registration.number, registration.registered_at, registration.district)
    return countersign(
        signed, signer or world.gateway, role="registration", signed_at=registration.registered_at, registration=made
    )


def registered_delivery(
    world: World,
    application: ApplicationDocument,
    signed: dict[str, Any],
    registration: Registration,
    **overrides: Any,
) -> Envelope:
    """`World.delivery` carrying ``registration`` beside the stamped document (the stamp's, or a forged one)."""
    envelope = world.delivery(application, signed, **overrides)
    document = {**envelope.document, "registration": registration.model_dump(mode="json")}
    return envelope.model_copy(update={"document": document})


async def deliver_registered(world: World, application: ApplicationDocument) -> Envelope:
    """What the gateway delivers: the application signed by the citizen and stamped with its registration,
    and that registration beside it; published on the bus."""
    registration = next_registration(world, application.district)
    signed = stamp_registered(world, await world.signed(application), registration)
    envelope = registered_delivery(world, application, signed, registration)
    await world.bus.publish(envelope)
    return envelope


W = TypeVar("W", bound=World)


async def start_provider(env: InProcess, path: Path, verifier: Verifier, kind: type[W]) -> W:
    """The provider started in ``env`` (its database under ``path``, trusting through ``verifier``, its
    registries' client a `FlakyRegistries`), a gateway's stamping key, and a ``kind`` of `World` on them
    that collects the provider's ``case.status`` messages."""
    from services.provider.app import create_app as create_provider
    from services.provider.config import ProviderSettings
    from shared.bus.proof import Gatekeeper
    from shared.housing.messages import CASE_RESULT, CASE_STATUS
    from tests.support.services import sqlite_url

    registries = FlakyRegistries(env.bus, sealer=env.sealer("provider"), gatekeeper=Gatekeeper(verifier), timeout=5.0)
    settings = ProviderSettings(
        database_url=sqlite_url(path, "provider"),
        demo_password=DEMO_PASSWORD,
        token_secret="provider-test-secret-of-at-least-32-bytes",
    )
    gateway = await system_signer(env.pki, GATEWAY.bin, "Өңірлік шлюз (ТЕСТ)")
    provider = await env.start(
        "provider",
        lambda bus, verifier, credentials: create_provider(
            settings, bus=bus, verifier=verifier, credentials=credentials("provider"), registries=registries
        ),
        verifier=verifier,
    )
    world = kind(env.registry, env.pki, provider.client, provider.app, env.signing, gateway, registries)
    await env.bus.subscribe("test.case-status", [CASE_STATUS], world.collect)
    await env.bus.subscribe("test.case-result", [CASE_RESULT], world.collect_result)
    return world
