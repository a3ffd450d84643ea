"""Re-stamping (security finding 3): an application the gateway registered and delivered (ON_DELIVERY, not
yet answered by the provider) carries a registration stamp made with the gateway's system certificate, and
so does every result it registered and relayed (§18 Process 8). Once that certificate is revoked, the
provider refuses the application's stamp and the portal the result's (each redelivers the message and logs
an alert; neither rejects it for good: services/provider/intake.py, services/portal_gateway/handlers.py,
shared/eds/stamps.py), so neither can move until the gateway stamps it again.

When the gateway's credentials (`shared.eds.credentials.SystemCredentials`) renew a certificate because
it was revoked (or the NCA no longer knows it), `Restamper.renewed` is told; it logs an ALERT and, in a
task of its own, re-stamps what the old certificate stamped, one transaction each, the application's row
locked, so concurrent re-stampers (several gateway processes), the workstation and a result arriving wait
for each other and each is re-stamped once:

- every application on delivery whose stamp is by the old certificate: the same registration (number,
  time and district, taken from the old stamp's protected header, which its signature covered) signed by
  the new certificate (``sigT`` now: the new certificate did not exist at the registration), delivered
  again under a new message id, the old message withdrawn from the outbox if it had not left, the
  application's delivered message id updated and the delivery logged as ``restamped``. An application
  answered meanwhile (DELIVERED) or stopped is left alone;
- every result relayed whose stamp is by the old certificate (``result_stamp_serial``; the application's
  latest result, the one the cabinet is to show): the head's signature as it came, the same registration
  (the result's own number, time and district, from the old stamp) stamped by the new certificate, relayed
  again to ``result.<sender>`` **under the same message id** (the outbox row sent again, with the new
  document), logged as ``restamped`` (direction ``relay``, from the provider). The same id because the
  portal's inbox applies a message id once: a portal that took the result before the revocation skips the
  re-stamped one (it shows one result, mailed once); one that held it up (its check raised, so its inbox
  has no row) applies the re-stamped one, once, and skips any stale copy still redelivered or replayed.

After a start, `Restamper.sweep` (in the background) finds what an earlier process stamped with a
certificate revoked since: the stamps of the applications on delivery and of the results relayed not made
with the current certificate, whose serials the NCA says are revoked, are re-stamped the same way.

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
from services.regional_gateway.models import GatewayApplication, LogEntry
from services.regional_gateway.relay import RESULT_KIND
from shared.bus import outbox
from shared.bus.envelope import new_id
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.credentials import Renewal, SignerSource, serial_of
from shared.eds.signing import StampedRegistration, b64url_decode, countersign, payload_of
from shared.housing.messages import Delivery as Delivered
from shared.housing.messages import Registration, result_key
from shared.logging import get_logger

log = get_logger(__name__)

RESTAMP_ALERT = "alert: gateway stamping certificate revoked, re-stamping applications on delivery and results"
"""The event logged (at error) when re-stamping starts."""
RESTAMPED = "restamped"
"""The message log's kind of a delivery (direction ``out``) or a result (``relay``) sent again with a new stamp."""
STAMPED_KINDS = ("delivered", RESTAMPED)
RELAYED_RESULT_KINDS = (RESULT_KIND, RESTAMPED)


@dataclass(frozen=True)
class Stamp:
    """What a stamped document the gateway sent carries (an application's current delivery, a relayed
    result): the signed document, its stamp's registration and the stamp's certificate serial (hex)."""

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
        """Re-stamp what an earlier process stamped with a certificate revoked since; the application ids whose
        delivery or result was re-stamped (`restamp`)."""
        status = getattr(self.credentials, "certificate_status", None)
        if status is None:
            return []
        stamps = {serial for _, serial in await self._stamps_on_delivery()} | await self._result_serials()
        if not stamps:
            return []
        try:
            current = serial_of(await self.credentials.signer())
            revoked = set()
            for serial in sorted(stamps - {current}):
                if await status(serial) in ("revoked", "unknown"):
                    revoked.add(serial)
        except Exception as exc:  # the NCA may be down at start: the next renewal re-stamps as well
            log.warning("could not check the stamps of the applications on delivery and results", error=str(exc))
            return []
        if not revoked:
            return []
        log.error(RESTAMP_ALERT, old_serial=sorted(revoked), new_serial=current, reason="revoked before this start")
        return await self.restamp(revoked)

    async def restamp(self, serials: Iterable[str]) -> list[str]:
        """Re-stamp every application on delivery, then every result relayed, stamped by a certificate of
        ``serials``; the application ids whose delivery was re-stamped, then those whose result was. One
        failing is logged and the others are still done."""
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
        results: list[str] = []
        for application_id in await self._results_stamped_by(wanted):
            try:
                if await self.restamp_result(application_id, wanted):
                    results.append(application_id)
            except Exception:
                log.exception("a result could not be re-stamped", application_id=application_id)
        log.warning("re-stamping finished", restamped=len(done), results=len(results), serials=sorted(wanted))
        return done + results

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
            stamped = countersign(
                _unstamped(stamp.signed), signer, role="registration", signed_at=utcnow(), registration=made
            )
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

    async def restamp_result(self, application_id: str, serials: set[str]) -> bool:
        """Re-stamp the result relayed about one application, in one transaction, if its stamp is by one of
        ``serials``, and relay it again under its message id; whether it was."""
        signer = await self.credentials.signer()  # outside the transaction: it may ask the NCA
        new_serial = serial_of(signer)
        async with self.db.transaction() as session:
            application = await session.get(GatewayApplication, application_id, with_for_update=True)
            if application is None or application.result_message_id is None or not application.district:
                return False
            message_id = application.result_message_id
            relayed = await _relayed_result(session, message_id)
            if relayed is None:
                return False
            entry, stamp = relayed
            if stamp.serial not in serials or stamp.serial == new_serial:
                return False
            made = stamp.registration
            if made.number != application.result_registration_number:
                log.error(
                    "the relayed result's stamp is not the result's registration; not re-stamped",
                    application_id=application_id,
                    stamped=made.number,
                    registered=application.result_registration_number,
                )
                return False
            stamped = countersign(
                _unstamped(stamp.signed), signer, role="registration", signed_at=utcnow(), registration=made
            )
            key = result_key(application.sender)
            envelope = outgoing.envelope_about(
                application,
                routing_key=key,
                document=stamped,
                message_id=message_id,
                correlation_id=entry.correlation_id,
            )
            application.result_stamp_serial = new_serial
            session.add(application)
            await outgoing.send_again(
                session,
                envelope=envelope,
                routing_key=key,
                kind=RESTAMPED,
                direction="relay",
                origin=entry.sender,
                registration_number=made.number,
                note={
                    "type": _type_of(stamped),
                    "result_id": application.result_document_id,
                    "application_registration_number": application.registration_number,
                    "revoked_serial": stamp.serial,
                    "serial": new_serial,
                },
            )
        log.warning(
            "result re-stamped and relayed again",
            application_id=application_id,
            registration_number=made.number,
            old_serial=stamp.serial,
            new_serial=new_serial,
            message_id=message_id,
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

    async def _result_serials(self) -> set[str]:
        """The serials of the certificates that stamped the results relayed (as they are now)."""
        async with self.db.sessions() as session:
            column = col(GatewayApplication.result_stamp_serial)
            query = select(GatewayApplication.result_stamp_serial).where(column.is_not(None)).distinct()
            serials = {serial for serial in (await session.exec(query)).all() if serial}
        return serials | {serial for _, serial in await self._results_without_serial()}

    async def _results_stamped_by(self, serials: set[str]) -> list[str]:
        """The applications whose relayed result is stamped by a certificate of ``serials``, in the order of
        the results' registration."""
        async with self.db.sessions() as session:
            query = (
                select(GatewayApplication.application_id)
                .where(col(GatewayApplication.result_stamp_serial).in_(sorted(serials)))
                .order_by(col(GatewayApplication.result_registered_at))
            )
            found = list((await session.exec(query)).all())
        return found + [a for a, serial in await self._results_without_serial() if serial in serials]

    async def _results_without_serial(self) -> list[tuple[str, str]]:
        """(application id, its result's stamp serial, read from the message log) of the results relayed
        before the serial was kept on the row (migration 0005)."""
        found: list[tuple[str, str]] = []
        async with self.db.sessions() as session:
            query = select(GatewayApplication).where(
                col(GatewayApplication.result_message_id).is_not(None),
                col(GatewayApplication.result_stamp_serial).is_(None),
            )
            for application in (await session.exec(query)).all():
                relayed = await _relayed_result(session, application.result_message_id)
                if relayed is not None:
                    found.append((application.application_id, relayed[1].serial))
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
    except (KeyError, TypeError, ValueError):
        signed = None
    return _stamp_of(signed, message_id)


async def _relayed_result(session: Any, message_id: str | None) -> tuple[LogEntry, Stamp] | None:
    """The result last relayed under ``message_id`` and its stamp, as the message log holds them (the
    stamped result itself is the logged document); None when there is none to read."""
    if message_id is None:
        return None
    entries = await message_log.entries_for_message(session, message_id=message_id)
    relayed = [e for e in entries if e.direction == "relay" and e.kind in RELAYED_RESULT_KINDS]
    if not relayed:
        return None
    try:
        signed = json.loads(relayed[-1].document)
    except ValueError:
        signed = None
    stamp = _stamp_of(signed, message_id)
    return (relayed[-1], stamp) if stamp is not None else None


def _stamp_of(signed: Any, message_id: str) -> Stamp | None:
    """The one registration stamp of ``signed`` (a stamped document as logged): its registration and serial."""
    try:
        stamps = [s for s in signed["signatures"] if _header(s).get("role") == "registration"]
        if len(stamps) != 1:
            return None
        header = _header(stamps[0])
        leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        at = datetime.fromisoformat(str(header["regT"]).removesuffix("Z")).replace(tzinfo=UTC)
        registration = StampedRegistration(str(header["regNum"]), at, str(header["regDistrict"]))
    except (KeyError, IndexError, TypeError, ValueError):
        log.error("a stamped document in the message log has no readable stamp", message_id=message_id)
        return None
    return Stamp(signed, registration, f"{leaf.serial_number:x}")


def _unstamped(signed: dict[str, Any]) -> dict[str, Any]:
    """``signed`` without its registration stamp: the author's signature (and any other) as it came."""
    return {
        "payload": signed["payload"],
        "signatures": [s for s in signed["signatures"] if _header(s).get("role") != "registration"],
    }


def _type_of(signed: dict[str, Any]) -> str | None:
    try:
        value = payload_of(signed).get("type")
    except (KeyError, TypeError, ValueError):
        return None
    return value if isinstance(value, str) else None


def _header(signature: Any) -> dict[str, Any]:
    try:
        header = json.loads(b64url_decode(str(signature["protected"])))
    except (KeyError, TypeError, ValueError):
        return {}
    return header if isinstance(header, dict) else {}
