"""What the gateway suite (tests/gateway) shares: the world its tests run in, the admin token, a verifier
a test can make crash, a provider's status message, and the provider's result (§18 Process 8) as the head
of the housing department signs it (`notification`, `refusal`, `case_result`; the portal suite makes its
results with them too)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.bus.proof import Sealer
from shared.eds.document import Author
from shared.eds.signing import Signer, payload_of, sign
from shared.eds.verify import Verified, Verifier
from shared.housing.application import Applicant, ApplicationDocument, Consents
from shared.housing.decisions import Ground, NotificationDocument, ProtocolRef, RefusalDocument, WaitingListRef
from shared.housing.messages import CASE_RESULT, CASE_STATUS, SUBMITTED, SignedStatus, StatusChange
from shared.participants import PORTAL, PROVIDER, user_id
from shared.service import ServiceRuntime
from tests.support.bus import Collector, wait_until
from tests.support.pki import Pki, new_iin
from tests.support.services import SigningBus

ADMIN_TOKEN = "gateway-admin-token-for-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
UNROUTED_DISTRICT = "ulytau"
"""No test provider listens for it: its deliveries wait in the gateway's outbox (to test stopping one)."""


class SwitchableVerifier(Verifier):
    """The test NCA's verifier, which a test can make crash (not with a catalogue error: a bug, say) on
    one application, ``crash_on`` — given to the gateway at creation."""

    crash_on: str | None = None

    async def verify(self, signed: Any, **options: Any) -> Verified[Any]:
        if self.crash_on is not None and payload_of(signed).get("id") == self.crash_on:
            raise RuntimeError("verifier crashed")
        verified: Verified[Any] = await super().verify(signed, **options)
        return verified

    @contextmanager
    def crashing(self, application_id: str) -> Iterator[None]:
        self.crash_on = application_id
        try:
            yield
        finally:
            self.crash_on = None


@dataclass
class World:
    """An in-memory bus shared by the test NCA and registries (``pki``) and the gateway (``app``, reached
    through ``http``); collectors standing for the portal and the provider; a citizen with a SIGN key."""

    bus: SigningBus
    pki: Pki
    http: httpx.AsyncClient
    app: FastAPI
    verifier: SwitchableVerifier
    portal: Collector
    provider: Collector
    citizen: Signer
    applicant: Applicant
    provider_signer: Signer
    """The provider's system key (its statuses are signed with it)."""
    sealer: Callable[[str], Sealer]
    """Signs envelopes as a service signs them (`tests.support.services.InProcess.sealer`)."""
    _head: tuple[str, Signer] | None = field(default=None, repr=False)

    @property
    def runtime(self) -> ServiceRuntime:
        return self.app.state.runtime  # type: ignore[no-any-return]

    async def issue(self, iin: str, *, holder: str = "individual", **subject: str) -> Signer:
        """A SIGN certificate and key from the test NCA (a PKCS#12, as a citizen's NCALayer holds it)."""
        return await self.pki.issue(iin, holder=holder, subject=subject)

    async def head(self) -> tuple[str, Signer]:
        """The head of the housing department: an IIN and an employee SIGN certificate of the provider's BIN
        (Annex 1 step 8), one per world."""
        if self._head is None:
            iin = new_iin()
            self._head = iin, await head_of(self.pki, iin)
        return self._head

    def application(self, **fields: Any) -> ApplicationDocument:
        values: dict[str, Any] = {
            "author": Author(iin=self.applicant.iin),
            "channel": "portal",
            "district": self.applicant.address.district,
            "applicant": self.applicant,
            "consents": Consents(communal_fund_check=True, legally_protected_information=True),
        }
        return ApplicationDocument(**{**values, **fields})

    def envelope(self, signed: dict[str, Any], issue: str, **fields: Any) -> Envelope:
        return Envelope(
            message_type=SUBMITTED,
            sender=PORTAL.address,
            issue=issue,
            user_id=user_id(self.applicant.iin),
            document=signed,
            **fields,
        )

    async def submit(self, **fields: Any) -> tuple[Envelope, dict[str, Any]]:
        """A valid application signed by the citizen, published as the portal would."""
        document = self.application(**fields)
        signed = sign(document, self.citizen)
        envelope = self.envelope(signed, document.id)
        await self.bus.publish(envelope)
        return envelope, signed

    def to_portal(self, issue: str, routing_key: str) -> list[Delivery]:
        return [d for d in self.portal.deliveries if d.envelope.issue == issue and d.routing_key == routing_key]

    def delivered(self, issue: str) -> list[Delivery]:
        return [d for d in self.provider.deliveries if d.envelope.issue == issue]

    async def wait_portal(self, issue: str, routing_key: str, count: int = 1) -> list[Delivery]:
        await wait_until(lambda: len(self.to_portal(issue, routing_key)) >= count)
        return self.to_portal(issue, routing_key)

    async def settle(self) -> None:
        """Until the bus is quiet and the gateway's outbox holds nothing due."""
        await self.bus.drain(5.0)
        await self.runtime.relay.relay_once()
        await self.bus.drain(5.0)


def case_status(world: World, issue: str, correlation_id: str, status: str = "REGISTERED") -> Envelope:
    """A provider's ``case.status`` about the application ``issue``: its `SignedStatus`, signed by the
    provider's system certificate."""
    change = StatusChange(application_id=issue, status=status, at=datetime.now(UTC), case_number="ЖК-000001")
    return Envelope(
        message_type=CASE_STATUS,
        sender=PROVIDER.address,
        issue=issue,
        correlation_id=correlation_id,
        document=sign(SignedStatus.of(change, author_bin=PROVIDER.bin), world.provider_signer),
    )


# -- the provider's result (§18 Process 8) as the head signs it -------------------------------------------
WAITING_LIST = WaitingListRef(code="vulnerable", name="Әлеуметтік осал топтар")


async def head_of(pki: Pki, iin: str, bin_: str = PROVIDER.bin) -> Signer:
    """An employee SIGN certificate of ``bin_`` (default: the provider's, as the head holds) for ``iin``."""
    subject = {"surname": "БАСШЫ", "given_name": "БӨЛІМ", "bin": bin_, "organization": PROVIDER.organization}
    return await pki.issue(iin, holder="employee", subject=subject)


def _protocol() -> ProtocolRef:
    return ProtocolRef(id=str(uuid.uuid4()), number="ТК-karaganda-city-2026-0001", held_at=datetime.now(UTC))


def notification(
    *,
    application_id: str,
    head_iin: str,
    applicant_iin: str,
    district: str,
    registration_number: str,
    author: Author | None = None,
    **fields: Any,
) -> NotificationDocument:
    """The notification of registration in a waiting list (queue number 17 unless told), authored by the
    head (``author`` to have someone else claim it)."""
    values: dict[str, Any] = {
        "author": author or Author(iin=head_iin, bin=PROVIDER.bin),
        "case_number": "ЖК-000001",
        "application_id": application_id,
        "applicant_iin": applicant_iin,
        "district": district,
        "waiting_list": WAITING_LIST,
        "queue_number": 17,
        "queued_at": datetime.now(UTC) - timedelta(days=3),
        "registration_number": registration_number,
        "protocol": _protocol(),
        "decided_on": date.today(),
    }
    return NotificationDocument(**{**values, **fields})


def refusal(
    *,
    application_id: str,
    head_iin: str,
    applicant_iin: str,
    district: str,
    author: Author | None = None,
    **fields: Any,
) -> RefusalDocument:
    """A reasoned refusal on §15 item 2, authored by the head."""
    values: dict[str, Any] = {
        "author": author or Author(iin=head_iin, bin=PROVIDER.bin),
        "case_number": "ЖК-000001",
        "application_id": application_id,
        "applicant_iin": applicant_iin,
        "district": district,
        "grounds": [Ground(paragraph="§15", item=2, text="Тұрғын үйді иеліктен шығарған (5 жыл ішінде)")],
        "reasons": "Өтініш берушіге тиесілі тұрғын үй 2024 жылы сатылған.",
        "protocol": _protocol(),
        "decided_on": date.today(),
    }
    return RefusalDocument(**{**values, **fields})


def case_result(signed: dict[str, Any], issue: str, correlation_id: str | None = None) -> Envelope:
    """The provider's ``case.result`` about the application ``issue``, carrying ``signed``."""
    return Envelope(
        message_type=CASE_RESULT,
        sender=PROVIDER.address,
        issue=issue,
        document=signed,
        **({"correlation_id": correlation_id} if correlation_id else {}),
    )
