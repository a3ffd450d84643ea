"""Re-stamping (security finding 3): an application the gateway registered and delivered (ON_DELIVERY, not
yet answered by the provider) carries a registration stamp made with the gateway's system certificate.
Once that certificate is revoked, the provider refuses the stamp (it redelivers the message and logs an
alert; it never rejects it for good: services/provider/intake.py), so the application cannot move until
the gateway stamps it again.

When the gateway's credentials (`shared.eds.credentials.SystemCredentials`) renew a certificate because
it was revoked (or the NCA no longer knows it), `Restamper.renewed` is told; it logs an ALERT and, in a
task of its own, re-stamps every application on delivery whose stamp is by the old certificate: the
same registration (number, time and district, taken from the old stamp's protected header, which its
signature covered) signed by the new certificate (``sigT`` now: the new certificate did not exist at
the registration), delivered again under a new message id, the old message withdrawn from the outbox if
it had not left, the application's delivered message id updated and the delivery logged as
``restamped`` — one transaction per application, the application's row locked, so concurrent
re-stampers (several gateway processes) and the workstation wait for each other and an application is
re-stamped once. An application answered meanwhile (DELIVERED) or stopped is left alone.

After a start, `Restamper.sweep` (in the background) finds what an earlier process stamped with a
certificate revoked since: the stamps of the applications on delivery not made with the current
certificate, whose serials the NCA says are revoked, are re-stamped the same way.

An expiring certificate's renewal re-stamps nothing: its stamps stay valid until it expires.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from sqlmodel import col, select

from services.regional_gateway import message_log, outgoing
from services.regional_gateway.domain.routing import route_for
from services.regional_gateway.models import GatewayApplication
from shared.bus import outbox
from shared.bus.envelope import new_id
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.credentials import Renewal, SignerSource, serial_of
from shared.eds.signing import StampedRegistration, b64url_decode, countersign
from shared.housing.messages import Delivery as Delivered
from shared.housing.messages import Registration
from shared.logging import get_logger

log = get_logger(__name__)

RESTAMP_ALERT = "alert: gateway stamping certificate revoked, re-stamping applications on delivery"
"""The event logged (at error) when re-stamping starts."""
RESTAMPED = "restamped"
"""The message log's kind of a delivery sent again with a new stamp."""
STAMPED_KINDS = ("delivered", RESTAMPED)


@dataclass(frozen=True)
class Stamp:
    """What an application's current delivery carries: the signed application, its stamp's registration
    and the stamp's certificate serial (hex)."""

    signed: dict[str, Any]
    registration: StampedRegistration
    serial: str


class Restamper:
    """Re-stamps the applications on delivery whose stamp's certificate is no longer usable."""

    def __init__(self, db: Database, credentials: SignerSource) -> None:
        self.db = db
        self.credentials = credentials
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def attach(self) -> None:
        """Be told of the credentials' renewals (when they tell: `SystemCredentials.on_renewal`)."""
        callbacks = getattr(self.credentials, "on_renewal", None)
        if isinstance(callbacks, list) and self.renewed not in callbacks:
            callbacks.append(self.renewed)

    async def start(self) -> None:
        """Start-up hook: attach, and sweep in the background (the NCA may be slow to answer)."""
        self.attach()
        self._spawn(self.sweep(), "sweep")

    async def close(self) -> None:
        """Stop being told, and cancel what is running (the service stops; a sweep at the next start
        finishes the work)."""
        self._closed = True
        callbacks = getattr(self.credentials, "on_renewal", None)
        if isinstance(callbacks, list) and self.renewed in callbacks:
            callbacks.remove(self.renewed)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def settled(self) -> None:
        """Until the re-stamping started so far has finished (for tests and orderly stops)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def renewed(self, renewal: Renewal) -> None:
        """A `SystemCredentials.on_renewal` callback: re-stamp what the old certificate stamped, when it
        was revoked (or unknown to the NCA); an expiring one's stamps stay good."""
        if renewal.reason == "expiring" or self._closed:
            return
        log.error(RESTAMP_ALERT, old_serial=renewal.old_serial, new_serial=renewal.serial, reason=renewal.reason)
        self._spawn(self.restamp({renewal.old_serial}), "restamp")

    async def sweep(self) -> list[str]:
        """Re-stamp what an earlier process stamped with a certificate revoked since; the ids re-stamped."""
        status = getattr(self.credentials, "certificate_status", None)
        if status is None:
            return []
        stamps = {serial for _, serial in await self._stamps_on_delivery()}
        if not stamps:
            return []
        try:
            current = serial_of(await self.credentials.signer())
            revoked = set()
            for serial in sorted(stamps - {current}):
                if await status(serial) in ("revoked", "unknown"):
                    revoked.add(serial)
        except Exception as exc:  # the NCA may be down at start: the next renewal re-stamps as well
            log.warning("could not check the stamps of the applications on delivery", error=str(exc))
            return []
        if not revoked:
            return []
        log.error(RESTAMP_ALERT, old_serial=sorted(revoked), new_serial=current, reason="revoked before this start")
        return await self.restamp(revoked)

    async def restamp(self, serials: Iterable[str]) -> list[str]:
        """Re-stamp every application on delivery stamped by a certificate of ``serials``; the ids done.
        One failing is logged and the others are still done."""
        wanted = set(serials)
        done: list[str] = []
        for application_id, serial in await self._stamps_on_delivery():
            if serial not in wanted:
                continue
            try:
                if await self.restamp_one(application_id, wanted):
                    done.append(application_id)
            except Exception:
                log.exception("an application could not be re-stamped", application_id=application_id)
        log.warning("re-stamping finished", restamped=len(done), serials=sorted(wanted))
        return done

    async def restamp_one(self, application_id: str, serials: set[str]) -> bool:
        """Re-stamp one application, in one transaction, if it is still on delivery with a stamp by one of
        ``serials``; whether it was."""
        signer = await self.credentials.signer()  # outside the transaction: it may ask the NCA
        new_serial = serial_of(signer)
        async with self.db.transaction() as session:
            application = await session.get(GatewayApplication, application_id, with_for_update=True)
            if application is None or application.delivery_state != "ON_DELIVERY" or not application.district:
                return False
            old_message_id = application.delivered_message_id
            stamp = await _current_stamp(session, old_message_id)
            if stamp is None or stamp.serial not in serials or stamp.serial == new_serial:
                return False
            made = stamp.registration
            if made.number != application.registration_number:
                log.error(
                    "the delivery's stamp is not the application's registration; not re-stamped",
                    application_id=application_id,
                    stamped=made.number,
                    registered=application.registration_number,
                )
                return False
            unstamped = {
                "payload": stamp.signed["payload"],
                "signatures": [s for s in stamp.signed["signatures"] if _header(s).get("role") != "registration"],
            }
            stamped = countersign(unstamped, signer, role="registration", signed_at=utcnow(), registration=made)
            withdrawn = old_message_id is not None and await outbox.withdraw(session, old_message_id)
            route = route_for(application.district)
            application.delivered_message_id = new_id()
            session.add(application)
            registration = Registration(number=made.number, registered_at=made.at, district=made.district)
            envelope = outgoing.envelope_about(
                application,
                routing_key=route.routing_key,
                document=Delivered(signed=stamped, registration=registration).model_dump(mode="json"),
                message_id=application.delivered_message_id,
            )
            await outgoing.send(
                session,
                envelope=envelope,
                routing_key=route.routing_key,
                kind=RESTAMPED,
                registration_number=made.number,
                note={
                    "provider": route.provider,
                    "replaces": old_message_id,
                    "old_withdrawn": withdrawn,
                    "revoked_serial": stamp.serial,
                    "serial": new_serial,
                },
            )
        log.warning(
            "application re-stamped and delivered again",
            application_id=application_id,
            registration_number=made.number,
            old_serial=stamp.serial,
            new_serial=new_serial,
            message_id=envelope.message_id,
        )
        return True

    async def _stamps_on_delivery(self) -> list[tuple[str, str]]:
        """(application id, its delivery's stamp serial) of every application on delivery."""
        found: list[tuple[str, str]] = []
        async with self.db.sessions() as session:
            query = select(GatewayApplication).where(col(GatewayApplication.delivery_state) == "ON_DELIVERY")
            applications = list((await session.exec(query.order_by(col(GatewayApplication.registered_at)))).all())
            for application in applications:
                stamp = await _current_stamp(session, application.delivered_message_id)
                if stamp is not None:
                    found.append((application.application_id, stamp.serial))
        return found

    def _spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        if self._closed:
            work.close()
            return
        task = asyncio.get_running_loop().create_task(work, name=f"regional_gateway.{name}")
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("re-stamping failed", error=repr(task.exception()))


async def _current_stamp(session: Any, message_id: str | None) -> Stamp | None:
    """The stamp of the delivery ``message_id``, as the message log holds it (the log keeps the document as
    it was sent); None when there is none to read."""
    if message_id is None:
        return None
    entries = await message_log.entries_for_message(session, message_id=message_id)
    sent = [e for e in entries if e.direction == "out" and e.kind in STAMPED_KINDS]
    if not sent:
        return None
    try:
        signed = json.loads(sent[-1].document)["signed"]
        stamps = [s for s in signed["signatures"] if _header(s).get("role") == "registration"]
        if len(stamps) != 1:
            return None
        header = _header(stamps[0])
        leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        at = datetime.fromisoformat(str(header["regT"]).removesuffix("Z")).replace(tzinfo=UTC)
        registration = StampedRegistration(str(header["regNum"]), at, str(header["regDistrict"]))
    except (KeyError, IndexError, TypeError, ValueError):
        log.error("a delivery in the message log has no readable stamp", message_id=message_id)
        return None
    return Stamp(signed, registration, f"{leaf.serial_number:x}")


def _header(signature: Any) -> dict[str, Any]:
    try:
        header = json.loads(b64url_decode(str(signature["protected"])))
    except (KeyError, TypeError, ValueError):
        return {}
    return header if isinstance(header, dict) else {}
