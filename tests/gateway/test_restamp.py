"""Re-stamping (security finding 3, services/regional_gateway/restamp.py): once the gateway's stamping
certificate is revoked, the gateway renews it and stamps again, with the same registration, every
application it delivered and the provider has not answered, and every result it relayed (under the same
message id); the provider holds the stale delivery up (redelivered, alerted, never rejected) and takes the
re-stamped one in, and so does the portal with a result. After a restart, the sweep does the same for what
an earlier process stamped.

Worlds of their own (the shared gateway world's credentials are not revoked): the registries and the
NCA, the gateway, collectors for the portal and for deliveries, and, in the first test, the provider; in
the portal's test, the portal itself."""

from __future__ import annotations

import json
import logging
from base64 import b64decode
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from fastapi import FastAPI
from sqlmodel import select

from services.portal_gateway.app import create_app as create_portal
from services.portal_gateway.config import PortalSettings
from services.portal_gateway.handlers import QUEUES as PORTAL_QUEUES
from services.portal_gateway.models import MailOutboxMessage
from services.provider.app import create_app as create_provider
from services.provider.config import ProviderSettings
from services.provider.intake import STAMP_ALERT
from services.provider.models import Case, RejectedIntake
from services.regional_gateway.app import create_app
from services.regional_gateway.config import RegionalGatewaySettings
from services.regional_gateway.models import GatewayApplication, LogEntry
from services.regional_gateway.restamp import RESTAMP_ALERT, RESTAMPED, Restamper
from shared.bus.envelope import Envelope
from shared.bus.inbox import applied
from shared.bus.port import Delivery
from shared.calendar import utcnow
from shared.eds.credentials import Renewal, SystemCredentials, serial_of
from shared.eds.document import Author
from shared.eds.signing import Signer, b64url_decode, sign
from shared.geo import DISTRICTS
from shared.housing.application import Address, Applicant, ApplicationDocument, Consents
from shared.housing.messages import SUBMITTED, delivered_key
from shared.models import OutboxMessage
from shared.participants import BY_SERVICE, GATEWAY, PORTAL, user_id
from shared.service import ServiceRuntime
from tests.support.bus import Collector, wait_until
from tests.support.gateway import case_result, head_of, notification
from tests.support.nca import RA
from tests.support.pki import NCA_URL, new_iin
from tests.support.portal import TOKEN_SECRET
from tests.support.portal import World as PortalWorld
from tests.support.services import InProcess, SigningBus, running, sqlite_url

AS_OF = date(2026, 11, 1)
ADMIN_TOKEN = "gateway-admin-token-for-restamp-tests"


@dataclass
class World:
    """The gateway (``app``, ``http``), collectors standing for the portal and for the provider's
    deliveries, and a citizen with a SIGN key."""

    bus: SigningBus
    http: httpx.AsyncClient
    app: FastAPI
    portal: Collector
    deliveries: Collector
    citizen: Signer
    applicant: Applicant

    @property
    def runtime(self) -> ServiceRuntime:
        return self.app.state.runtime  # type: ignore[no-any-return]

    async def submit(self) -> Envelope:
        """A valid application signed by the citizen, published as the portal would."""
        document = ApplicationDocument(
            author=Author(iin=self.applicant.iin),
            channel="portal",
            district=self.applicant.address.district,
            applicant=self.applicant,
            consents=Consents(communal_fund_check=True, legally_protected_information=True),
        )
        envelope = Envelope(
            message_type=SUBMITTED,
            sender=PORTAL.address,
            issue=document.id,
            user_id=user_id(self.applicant.iin),
            document=sign(document, self.citizen),
        )
        await self.bus.publish(envelope)
        return envelope

    def delivered(self, issue: str) -> list[Delivery]:
        return [d for d in self.deliveries.deliveries if d.envelope.issue == issue]

    def to_portal(self, issue: str, routing_key: str) -> list[Delivery]:
        return [d for d in self.portal.deliveries if d.envelope.issue == issue and d.routing_key == routing_key]

    async def settle(self) -> None:
        await self.bus.drain(5.0)
        await self.runtime.relay.relay_once()
        await self.bus.drain(5.0)


@asynccontextmanager
async def gateway_world(tmp_path: Path) -> AsyncIterator[tuple[InProcess, World]]:
    """The registries, the gateway (its credentials checked with the NCA at every signature), and
    collectors for the portal and for every district's deliveries."""
    async with running(tmp_path, bus_name="restamp", population_size=200, population_as_of=AS_OF) as env:
        env.credentials("regional_gateway").check_interval_s = 0
        portal = await env.collect("test.portal", ["receipt.portal", "status.portal", "result.portal"])
        deliveries = await env.collect("test.deliveries", [delivered_key(d.code) for d in DISTRICTS])
        settings = RegionalGatewaySettings(database_url=sqlite_url(tmp_path, "gateway"), admin_token=ADMIN_TOKEN)
        gateway = await env.start(
            "gateway",
            lambda bus, verifier, credentials: create_app(
                settings, bus=bus, verifier=verifier, credentials=credentials("regional_gateway")
            ),
        )
        personas = (await env.registry.get("/api/v1/personas", params={"trait": "eligible"})).json()
        iin = personas[0]["iin"]
        found = (await env.registry.get(f"/api/v1/persons/{iin}", params={"consent": f"portal-user:{iin}"})).json()
        person = found["answer"]["result"]
        applicant = Applicant(
            iin=iin,
            surname=person["surname"],
            given_name=person["given_name"],
            patronymic=person["patronymic"],
            address=Address(**{k: person["address"][k] for k in ("locality", "district", "address")}),
        )
        citizen = await env.pki.issue(iin, subject={"surname": person["surname"], "given_name": person["given_name"]})
        yield env, World(env.signing, gateway.client, gateway.app, portal, deliveries, citizen, applicant)


async def submitted_and_delivered(world: World) -> tuple[str, Envelope]:
    """An application submitted and delivered (the delivery as the collector got it)."""
    envelope = await world.submit()
    issue = envelope.issue or ""
    await wait_until(lambda: bool(world.delivered(issue)))
    return issue, world.delivered(issue)[0].envelope


def stamp_header(delivery: Envelope) -> dict[str, Any]:
    return result_stamp(delivery.document["signed"])


def result_stamp(signed: dict[str, Any]) -> dict[str, Any]:
    """The protected header of the one registration stamp of ``signed``."""
    [stamp] = [s for s in signed["signatures"] if header(s)["role"] == "registration"]
    return header(stamp)


def header(signature: dict[str, Any]) -> dict[str, Any]:
    return json.loads(b64url_decode(signature["protected"]))  # type: ignore[no-any-return]


def stamp_serial(delivery: Envelope) -> str:
    return result_stamp_serial(delivery.document["signed"])


def result_stamp_serial(signed: dict[str, Any]) -> str:
    return f"{x509.load_der_x509_certificate(b64decode(result_stamp(signed)['x5c'][0])).serial_number:x}"


REGISTRATION = ("regNum", "regT", "regDistrict")


async def revoke(env: InProcess, serial: str) -> None:
    response = await env.registry.post(
        f"/nca/v1/certificates/{serial}/revoke", json={"reason": "keyCompromise"}, headers=RA
    )
    assert response.status_code == 200, response.text


async def application_row(world: World, issue: str) -> GatewayApplication:
    async with world.runtime.db.sessions() as session:
        row = await session.get(GatewayApplication, issue)
    assert row is not None
    return row


async def log_entries(world: World, issue: str, kind: str) -> list[LogEntry]:
    async with world.runtime.db.sessions() as session:
        query = select(LogEntry).where(LogEntry.application_id == issue, LogEntry.kind == kind)
        return list((await session.exec(query)).all())


class Recorder(logging.Handler):
    """Every structured record logged while it is attached to the root logger (attached once the services
    have configured logging, which replaces the root's handlers, caplog's among them)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, dict):
            self.records.append(record.msg)

    def events(self, event: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("event") == event]


@contextmanager
def recording() -> Iterator[Recorder]:
    recorder = Recorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)


async def test_a_revoked_stamp_is_restamped_and_the_application_reaches_the_provider(tmp_path: Path) -> None:
    async with gateway_world(tmp_path) as (env, world):
        with recording() as logs:
            issue, stale = await submitted_and_delivered(world)
            old_serial = stamp_serial(stale)
            await revoke(env, old_serial)
            provider_settings = ProviderSettings(
                database_url=sqlite_url(tmp_path, "provider"),
                demo_password="demo-password-for-tests",
                token_secret="provider-test-secret-of-at-least-32-bytes",
            )
            provider = await env.start(
                "provider",
                lambda bus, verifier, credentials: create_provider(
                    provider_settings, bus=bus, verifier=verifier, credentials=credentials("provider")
                ),
            )
            restamper: Restamper = world.app.state.restamper

            # The stale delivery reaches the provider, its envelope sealed afresh as the gateway's relay would
            # (sealing notices the revocation, if the relay has not yet: the credentials renew, re-stamping starts).
            await world.bus.publish(stale.model_copy(update={"proof": None}))
            await restamper.settled()
            await wait_until(lambda: len(world.delivered(issue)) >= 3, 20)  # the original, the stale again, anew
            await wait_until(lambda: bool(world.to_portal(issue, "status.portal")[1:]), 20)
            await env.bus.drain(10.0)

            new_serial = serial_of(await env.credentials("regional_gateway").signer())
            assert new_serial != old_serial
            [fresh] = [d.envelope for d in world.delivered(issue) if d.envelope.message_id not in (stale.message_id,)]
            # The same registration, signed by the new certificate; the same signed application.
            assert stamp_serial(fresh) == new_serial
            assert {k: stamp_header(fresh)[k] for k in ("regNum", "regT", "regDistrict")} == {
                k: stamp_header(stale)[k] for k in ("regNum", "regT", "regDistrict")
            }
            assert fresh.document["registration"] == stale.document["registration"]
            assert fresh.document["signed"]["signatures"][0] == stale.document["signed"]["signatures"][0]
            row = await application_row(world, issue)
            assert row.delivered_message_id == fresh.message_id and row.delivery_state == "DELIVERED"
            [logged] = await log_entries(world, issue, RESTAMPED)
            assert logged.message_id == fresh.message_id
            assert json.loads(logged.note or "{}")["revoked_serial"] == old_serial
            assert (await world.http.get("/api/v1/evidence/log/verify", headers=world_admin())).json()["valid"] is True
            # Alerts on both sides; the provider never rejected the stale one, and opened one case.
            [alert] = logs.events(RESTAMP_ALERT)
            assert alert["level"] == "error" and alert["old_serial"] == old_serial
            held = [a for a in logs.events(STAMP_ALERT) if a["application_id"] == issue]
            assert held and {a["serial"] for a in held} == {old_serial}
            async with provider.app.state.runtime.db.sessions() as session:
                assert (await session.exec(select(RejectedIntake).where(RejectedIntake.issue == issue))).all() == []
                assert len((await session.exec(select(Case).where(Case.application_id == issue))).all()) == 1


async def test_after_a_restart_the_sweep_restamps_what_an_earlier_process_stamped(tmp_path: Path) -> None:
    async with gateway_world(tmp_path) as (env, world):
        issue, stale = await submitted_and_delivered(world)
        await revoke(env, stamp_serial(stale))
        # The next process: new credentials (a new certificate), the same database.
        identity = BY_SERVICE["regional_gateway"].identity
        token = env.credentials("regional_gateway").ra_token
        restarted = SystemCredentials(NCA_URL, identity, ra_token=token, client=env.registry)
        sweep = Restamper(world.runtime.db, restarted)

        assert await sweep.sweep() == [issue]
        assert await sweep.sweep() == []  # once

        await wait_until(lambda: len(world.delivered(issue)) >= 2, 20)
        fresh = world.delivered(issue)[-1].envelope
        assert fresh.message_id != stale.message_id
        assert stamp_serial(fresh) == serial_of(await restarted.signer())
        assert stamp_header(fresh)["regNum"] == stamp_header(stale)["regNum"]
        assert (await application_row(world, issue)).delivery_state == "ON_DELIVERY"


async def test_an_expiring_renewal_restamps_nothing(tmp_path: Path) -> None:
    async with gateway_world(tmp_path) as (env, world):
        issue, stale = await submitted_and_delivered(world)
        restamper: Restamper = world.app.state.restamper
        signer = await env.credentials("regional_gateway").signer()
        restamper.renewed(Renewal(stamp_serial(stale), signer, "expiring", utcnow()))
        await restamper.settled()
        assert await log_entries(world, issue, RESTAMPED) == []


def world_admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


# -- results (§18 Process 8) ------------------------------------------------------------------------------
async def heads_result(env: InProcess, world: World, issue: str, registration_number: str) -> dict[str, Any]:
    """A notification about ``issue`` signed by a head of the housing department (an employee of the
    provider's BIN), as the provider sends it on ``case.result``."""
    iin = new_iin()
    document = notification(
        application_id=issue,
        head_iin=iin,
        applicant_iin=world.applicant.iin,
        district=world.applicant.address.district,
        registration_number=registration_number,
    )
    return sign(document, await head_of(env.pki, iin))


async def relayed_result(env: InProcess, world: World) -> tuple[str, Envelope, dict[str, Any]]:
    """An application delivered, the provider's result about it registered, stamped and relayed to the
    portal (the collector), the DELIVERED receipt too: its id, the relayed result, the head-signed one."""
    issue, delivered = await submitted_and_delivered(world)
    signed = await heads_result(env, world, issue, delivered.document["registration"]["number"])
    await world.bus.publish(case_result(signed, issue))
    await wait_until(lambda: bool(world.to_portal(issue, "result.portal")))
    await wait_until(
        lambda: any(d.envelope.document.get("state") == "DELIVERED" for d in world.to_portal(issue, "receipt.portal"))
    )
    await world.settle()
    return issue, world.to_portal(issue, "result.portal")[0].envelope, signed


def assert_restamped(fresh: dict[str, Any], stale: dict[str, Any], signed: dict[str, Any], new_serial: str) -> None:
    """``fresh`` is ``stale`` stamped anew by ``new_serial``: the head's signature as it came, the same
    registration (number, time, district)."""
    assert fresh["payload"] == stale["payload"] == signed["payload"]
    assert fresh["signatures"][:1] == stale["signatures"][:1] == signed["signatures"]
    assert len(fresh["signatures"]) == 2 and result_stamp_serial(fresh) == new_serial
    assert {k: result_stamp(fresh)[k] for k in REGISTRATION} == {k: result_stamp(stale)[k] for k in REGISTRATION}


async def test_a_result_relayed_with_a_revoked_stamp_is_restamped_and_relayed_again_under_its_id(
    tmp_path: Path,
) -> None:
    async with gateway_world(tmp_path) as (env, world):
        with recording() as logs:
            issue, stale, signed = await relayed_result(env, world)
            old_serial = result_stamp_serial(stale.document)
            await revoke(env, old_serial)
            restamper: Restamper = world.app.state.restamper

            new_serial = serial_of(await env.credentials("regional_gateway").signer())  # renews: re-stamping starts
            await restamper.settled()
            await wait_until(
                lambda: any(
                    result_stamp_serial(d.envelope.document) == new_serial
                    for d in world.to_portal(issue, "result.portal")
                )
            )
            await world.settle()

            assert new_serial != old_serial
            relayed = world.to_portal(issue, "result.portal")
            assert {d.envelope.message_id for d in relayed} == {stale.message_id}, "the same message id"
            [fresh] = {
                json.dumps(d.envelope.document): d.envelope
                for d in relayed
                if result_stamp_serial(d.envelope.document) == new_serial
            }.values()
            assert_restamped(fresh.document, stale.document, signed, new_serial)
            assert (fresh.issue, fresh.correlation_id, fresh.sender) == (
                stale.issue,
                stale.correlation_id,
                stale.sender,
            )
            row = await application_row(world, issue)
            assert row.result_stamp_serial == new_serial and row.result_message_id == stale.message_id
            assert row.result_registration_number == result_stamp(stale.document)["regNum"]
            entries = (
                await world.http.get(f"/api/v1/evidence/messages/{stale.message_id}", headers=world_admin())
            ).json()["entries"]
            assert [(e["kind"], e["direction"]) for e in entries] == [
                ("received", "in"),
                ("result", "relay"),
                (RESTAMPED, "relay"),
            ]
            assert entries[2]["document"] == fresh.document and entries[2]["recipient"] == "result.portal"
            assert entries[2]["registration_number"] == row.result_registration_number
            assert (entries[2]["note"]["revoked_serial"], entries[2]["note"]["serial"]) == (old_serial, new_serial)
            assert (await world.http.get("/api/v1/evidence/log/verify", headers=world_admin())).json()["valid"] is True
            [alert] = logs.events(RESTAMP_ALERT)
            assert alert["old_serial"] == old_serial

            # Once: a second pass over the old serial finds nothing left to re-stamp.
            assert await restamper.restamp({old_serial}) == []


async def test_after_a_restart_the_sweep_restamps_a_result_an_earlier_process_stamped(tmp_path: Path) -> None:
    async with gateway_world(tmp_path) as (env, world):
        issue, stale, signed = await relayed_result(env, world)
        await revoke(env, result_stamp_serial(stale.document))
        identity = BY_SERVICE["regional_gateway"].identity
        token = env.credentials("regional_gateway").ra_token
        restarted = SystemCredentials(NCA_URL, identity, ra_token=token, client=env.registry)
        sweep = Restamper(world.runtime.db, restarted)

        assert await sweep.sweep() == [issue]  # its result (the application itself was answered)
        assert await sweep.sweep() == []  # once

        new_serial = serial_of(await restarted.signer())
        await wait_until(
            lambda: any(
                result_stamp_serial(d.envelope.document) == new_serial for d in world.to_portal(issue, "result.portal")
            ),
            20,
        )
        fresh = next(
            d.envelope
            for d in world.to_portal(issue, "result.portal")
            if result_stamp_serial(d.envelope.document) == new_serial
        )
        assert fresh.message_id == stale.message_id
        assert_restamped(fresh.document, stale.document, signed, new_serial)


@asynccontextmanager
async def region_world(tmp_path: Path) -> AsyncIterator[tuple[InProcess, World, PortalWorld]]:
    """The gateway world with the portal itself beside the collectors (its verifier asks the NCA every time,
    so it sees the gateway's certificate revoked at once)."""
    async with gateway_world(tmp_path) as (env, world):
        settings = PortalSettings(
            database_url=sqlite_url(tmp_path, "portal"), token_secret=TOKEN_SECRET, sms_dir=str(tmp_path / "sms")
        )
        portal = await env.start(
            "portal",
            lambda bus, verifier, credentials: create_portal(
                settings, bus=bus, verifier=verifier, credentials=credentials("portal_gateway")
            ),
            verifier=env.verifier(freshness_s=0),
            base_url="http://portal.test",
        )
        citizens = PortalWorld(
            portal=portal.client,
            registry=env.registry,
            pki=env.pki,
            bus=env.signing,
            db=portal.app.state.runtime.db,
            sms_dir=tmp_path / "sms",
        )
        yield env, world, citizens


async def test_a_result_whose_stamp_was_revoked_reaches_the_cabinet_once_the_gateway_restamps_it(
    tmp_path: Path,
) -> None:
    """The stamped result is relayed; the gateway's certificate is revoked before the portal takes it: the
    portal holds it up (redelivered, alerted, kept in its dead letter queue), never refuses it; the gateway,
    renewed, stamps it again and relays it under the same message id: the cabinet has it, with the same
    registration, valid at the public verification, applied once."""
    async with region_world(tmp_path) as (env, world, portal):
        iin, auth = await portal.citizen()
        submitted = await portal.submit(auth, await portal.signed_draft(iin, auth))
        assert submitted.status_code == 202, submitted.text
        issue = submitted.json()["id"]
        await wait_until(lambda: bool(world.delivered(issue)))
        number = world.delivered(issue)[0].envelope.document["registration"]["number"]
        await world.settle()
        held = Collector()
        await env.bus.subscribe_dead_letters(PORTAL_QUEUES["results"], held)

        # The result is registered and stamped; before it leaves the gateway's outbox, its certificate is revoked.
        await world.runtime.relay.stop()
        head_iin = new_iin()
        district = world.delivered(issue)[0].envelope.document["registration"]["district"]
        document = notification(
            application_id=issue, head_iin=head_iin, applicant_iin=iin, district=district, registration_number=number
        )
        signed = sign(document, await head_of(env.pki, head_iin))
        await world.bus.publish(case_result(signed, issue))
        await world.bus.drain(5.0)
        row = await application_row(world, issue)
        async with world.runtime.db.sessions() as session:
            outgoing = await session.get(OutboxMessage, row.result_message_id)
        assert outgoing is not None and outgoing.sent_at is None
        stale = Envelope.model_validate_json(outgoing.body)
        message_id = stale.message_id
        old_serial = result_stamp_serial(stale.document)
        await revoke(env, old_serial)

        with recording() as logs:
            # It leaves, as a relay that signed it just before the revocation was noticed sends it: the portal
            # holds it up. Sealing it notices the revocation: the gateway renews, re-stamping starts.
            await world.bus.publish(stale)
            await wait_until(lambda: any(d.envelope.message_id == message_id for d in held.deliveries), 20)
        [kept] = [d for d in held.deliveries if d.envelope.message_id == message_id]
        assert kept.death_reason == "delivery_limit"  # redelivered, then kept: never refused
        alerts = [a for a in logs.events(STAMP_ALERT) if a.get("application_id") == issue]
        assert len(alerts) > 1 and {(a["serial"], a["code"]) for a in alerts} == {(old_serial, "EDS_CERT_REVOKED")}
        assert not await applied(portal.db, PORTAL_QUEUES["results"], message_id)

        # The gateway, renewed, has stamped it again; its relay sends it: the cabinet has it.
        await world.app.state.restamper.settled()
        world.runtime.relay.start()
        await portal.until(lambda: applied(portal.db, PORTAL_QUEUES["results"], message_id), 20)
        new_serial = serial_of(await env.credentials("regional_gateway").signer())
        answer = await portal.portal.get(f"/api/v1/applications/{issue}/result", headers=auth)
        assert answer.status_code == 200, answer.text
        shown = answer.json()["document"]
        assert_restamped(shown, stale.document, signed, new_serial)
        verified = (await portal.portal.post("/api/v1/edocs/verify", json=shown)).json()
        assert verified["valid"] is True, verified
        assert (
            verified["signatures"][1]["registration"]["number"]
            == result_stamp(stale.document)["regNum"]
            == row.result_registration_number
        )
        assert (verified["signatures"][1]["bin"], verified["signatures"][1]["serial"]) == (GATEWAY.bin, new_serial)
        async with portal.db.sessions() as session:
            mails = (
                await session.exec(select(MailOutboxMessage).where(MailOutboxMessage.application_id == issue))
            ).all()
        assert len(mails) <= 1  # one result, mailed once at most (none without an address)
