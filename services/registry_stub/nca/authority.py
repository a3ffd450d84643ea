"""The test national certification authority (ҰКО) of registry_stub: issue, revoke, publish the CRL and
answer OCSP (architecture §5). One `CertificationAuthority` per service process; its state is in the
service's database (`store`), so several processes on one database act as one CA.

Who may do what (architecture §5):
- **RA mode** (the default: ``NCA_TEST_MODE`` is not 1). Issuing any certificate needs the registration
  authority's credential, ``Authorization: Bearer <NCA_RA_TOKEN>``; without a token set, nothing is
  issued over HTTP.
- **Test mode** (``NCA_TEST_MODE=1``, which `make run` sets). Anyone may get an individual's or an
  employee's certificate, as on a test CA, with validity overrides (``not_before``/``not_after``) if
  asked; certificates of information systems (holder "system") still need the RA token.
- **Revocation**, in both modes: the RA token, or the holder's revocation request signed with the
  key of the certificate to revoke (`holder_requests`), checked against the NCA's own record.
The service's own certificates (the registries' answering key) are made in process, without a token, and
made anew when the stored one is revoked (by this process: at once; by another on the same database: seen
within ``OWN_CERTIFICATE_CHECK_S``, and at the first use after a start) or expires within
`shared.eds.credentials.RENEW_BEFORE` (logged as a warning with the old and the new serial).
Tokens are compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from services.registry_stub.config import RegistryStubSettings
from services.registry_stub.models import CrlRecord, IssuedCertificate
from services.registry_stub.nca import holder_requests, ocsp, pki, store
from services.registry_stub.nca.ocsp import CertStatus
from services.registry_stub.nca.pki import Credential, KeyType
from services.registry_stub.nca.profiles import (
    RESPONDER_RENEW_BEFORE,
    Endpoints,
    Holder,
    Profile,
    RevocationReason,
    Subject,
    check_subject,
    end_entity_validity,
)
from shared.calendar import utcnow
from shared.db import Database
from shared.eds.credentials import RENEW_BEFORE
from shared.eds.enrollment import is_enrollment_token
from shared.errors import AppError
from shared.logging import get_logger

log = get_logger(__name__)

SUBJECT_NAMES = {
    x509.NameOID.SURNAME: "SURNAME",
    x509.NameOID.GIVEN_NAME: "GN",
    x509.NameOID.SERIAL_NUMBER: "SERIALNUMBER",
}
"""Short names, in the RFC 4514 subject strings of the NCA's records, of the attributes RFC 4514 has none for."""


@dataclass(frozen=True)
class IssueOrder:
    """A request to certify someone: a public key, or None to have the key pair made here."""

    subject: Subject
    profile: Profile
    holder: Holder
    key_type: KeyType = KeyType.RSA2048
    public_key_pem: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None


@dataclass(frozen=True)
class Issued:
    """What issuing gives back: the certificate, its chain, and a PKCS#12 when the NCA made the key."""

    certificate: x509.Certificate
    chain: list[x509.Certificate]
    pkcs12: tuple[bytes, str] | None = None
    """(file, password), only when the key pair was made here."""


class CertificationAuthority:
    """The test NCA. `start` must be awaited once before anything else (the service does it at start)."""

    def __init__(self, db: Database, settings: RegistryStubSettings) -> None:
        self._db = db
        self._settings = settings
        self.endpoints = Endpoints(settings.public_url)
        self._credentials: dict[str, Credential] = {}
        self._renewing = asyncio.Lock()
        self._own_lock = asyncio.Lock()
        self._own_checked_at: dict[str, float] = {}
        """When each own credential's record was last read (monotonic): never, after a start."""
        self._revoked_serials: set[str] = set()
        """Serials this process revoked: an own credential among them is replaced at its next use."""

    async def start(self) -> None:
        """Load the CA hierarchy, or make it on the very first start of the service's database. Two
        processes starting at once end up with the same hierarchy (`store.insert_or_load`)."""
        credentials = await store.load_credentials(self._db)
        if store.ROOT not in credentials:
            now = _now()
            made = await asyncio.to_thread(_make_hierarchy, now)
            credentials = await store.insert_or_load(self._db, made)
            log.info("test NCA created", root=credentials[store.ROOT].certificate.fingerprint(hashes.SHA256()).hex())
        if store.RESPONDER not in credentials:
            responder = await asyncio.to_thread(pki.make_responder, credentials[store.ISSUING], _now())
            credentials = await store.insert_or_load(self._db, {store.RESPONDER: responder})
        self._credentials = credentials
        if not self._settings.nca_ra_token:
            log.warning(
                "NCA_RA_TOKEN is not set: no system certificate is issued over HTTP"
                if self._settings.nca_test_mode
                else "NCA_RA_TOKEN is not set: no certificate is issued over HTTP (RA mode, NCA_TEST_MODE is not 1)",
                revocation="only by a holder's signed revocation request",
            )

    async def own_credential(self, role: str, subject: Subject) -> Credential:
        """A SIGN credential (holder system) for registry_stub's own answers, made under the issuing CA
        on first use and kept with the NCA's credentials (a concurrent first use keeps one of the two);
        made anew when the one kept is revoked or expires soon (the module's docstring). No RA token: the
        service certifies itself, in process."""
        credential = self._credentials.get(role)
        if credential is not None and not self._own_may_be_unusable(role, credential):
            return credential
        async with self._own_lock:
            credential = self._credentials.get(role)
            if credential is None:
                return await self._make_own(role, subject, None, None)
            reason = await self._own_unusable(role, credential)
            if reason is None:
                return credential
            stored = (await store.load_credentials(self._db)).get(role)
            if stored is not None and stored.certificate.serial_number != credential.certificate.serial_number:
                if await self._own_unusable(role, stored) is None:
                    # another process on this database renewed it already
                    self._credentials = {**self._credentials, role: stored}
                    log.warning(
                        "own certificate replaced by the one renewed by another process",
                        role=role,
                        old_serial=pki.serial_hex(credential.certificate.serial_number),
                        new_serial=pki.serial_hex(stored.certificate.serial_number),
                        reason=reason,
                    )
                    return stored
            return await self._make_own(role, subject, credential, reason)

    def _own_serials(self) -> set[str]:
        return {
            pki.serial_hex(c.certificate.serial_number)
            for role, c in self._credentials.items()
            if role not in (store.ROOT, store.ISSUING, store.RESPONDER)
        }

    def _own_may_be_unusable(self, role: str, credential: Credential) -> bool:
        """Cheap, on every use: revoked here, expiring, or its record due to be read again."""
        certificate = credential.certificate
        since = time.monotonic() - self._own_checked_at.get(role, float("-inf"))
        return (
            pki.serial_hex(certificate.serial_number) in self._revoked_serials
            or self._expiring(certificate)
            or since >= self._settings.own_certificate_check_s
        )

    def _expiring(self, certificate: x509.Certificate) -> bool:
        not_after = certificate.not_valid_after_utc
        if not_after <= _now():
            return True
        # Within RENEW_BEFORE, unless a new one could not last longer (the issuing CA ends first).
        return not_after - RENEW_BEFORE < _now() and self.issuing_ca.not_valid_after_utc > not_after

    async def _own_unusable(self, role: str, credential: Credential) -> str | None:
        """Why ``credential`` must be replaced (revoked, expiring), reading its record; None if it is good."""
        serial = pki.serial_hex(credential.certificate.serial_number)
        if serial in self._revoked_serials:
            return "revoked"
        if self._expiring(credential.certificate):
            return "expiring"
        row = await store.get_certificate(self._db, serial)
        self._own_checked_at[role] = time.monotonic()
        if row is not None and row.revoked_at is not None:
            self._revoked_serials.add(serial)
            return "revoked"
        return None

    async def _make_own(self, role: str, subject: Subject, old: Credential | None, reason: str | None) -> Credential:
        # P-256, as every service's system key (architecture §9): it signs every answer and every reply.
        key = await asyncio.to_thread(pki.generate_key, KeyType.P256)
        validity = end_entity_validity(_now(), self.issuing_ca.not_valid_after_utc, None, None)
        certificate = pki.make_end_entity(
            self._credentials[store.ISSUING],
            subject,
            Profile.SIGN,
            Holder.SYSTEM,
            key.public_key(),
            validity,
            self.endpoints,
        )
        order = IssueOrder(subject=subject, profile=Profile.SIGN, holder=Holder.SYSTEM)
        await store.add_certificate(self._db, _record(order, certificate, pki.key_type_of(key.public_key())))
        made = Credential(certificate, key)
        if old is None:
            self._credentials = await store.insert_or_load(self._db, {role: made})
        else:
            await store.replace_credential(self._db, role, made)
            self._credentials = {**self._credentials, role: made}
            log.warning(
                "own certificate renewed",
                role=role,
                old_serial=pki.serial_hex(old.certificate.serial_number),
                new_serial=pki.serial_hex(certificate.serial_number),
                reason=reason,
            )
        kept = self._credentials[role]
        if kept.certificate.serial_number == certificate.serial_number:
            self._own_checked_at[role] = time.monotonic()  # else another process's: read at the next use
        return kept

    @property
    def root(self) -> x509.Certificate:
        return self._credentials[store.ROOT].certificate

    @property
    def issuing_ca(self) -> x509.Certificate:
        return self._credentials[store.ISSUING].certificate

    def chain(self) -> list[x509.Certificate]:
        """The issuing CA, then the root: what goes after an end-entity certificate."""
        return [self.issuing_ca, self.root]

    def is_registration_authority(self, bearer: str | None) -> bool:
        """Whether ``bearer`` is the RA token (compared in constant time); never when no token is set."""
        token = self._settings.nca_ra_token
        return bool(token) and bearer is not None and hmac.compare_digest(bearer.encode(), token.encode())

    def check_rights(
        self,
        holder: Holder,
        *,
        overrides_validity: bool,
        bearer: str | None,
        bin_: str | None = None,
        profile: str = "sign",
    ) -> None:
        """Who may have a certificate issued. NCA_RA_TOKEN_REQUIRED without the RA token, except for an
        individual's or an employee's certificate in test mode, and for a system SIGN certificate of
        ``bin_`` with that organisation's enrollment token (`shared.eds.enrollment`); then
        NCA_TEST_MODE_REQUIRED for a validity override outside test mode (the RA token does not waive it)."""
        test_mode = self._settings.nca_test_mode
        open_to_anyone = test_mode and holder is not Holder.SYSTEM
        enrolled = (
            holder is Holder.SYSTEM
            and profile == "sign"
            and is_enrollment_token(self._settings.nca_ra_token, bin_, bearer)
        )
        if not open_to_anyone and not enrolled and not self.is_registration_authority(bearer):
            raise AppError("NCA_RA_TOKEN_REQUIRED", {"holder": holder.value, "mode": "test" if test_mode else "ra"})
        if overrides_validity and not test_mode:
            raise AppError("NCA_TEST_MODE_REQUIRED", {"fields": ["not_before", "not_after"]})

    async def issue(self, order: IssueOrder, *, bearer: str | None = None) -> Issued:
        """Certify the order's subject under the issuing CA and record the certificate. Rights first
        (`check_rights`), then the subject (`profiles.check_subject`), then the public key."""
        overrides = order.not_before is not None or order.not_after is not None
        self.check_rights(
            order.holder,
            overrides_validity=overrides,
            bearer=bearer,
            bin_=order.subject.bin,
            profile=order.profile.value,
        )
        check_subject(order.subject, order.holder)
        private_key = None
        if order.public_key_pem is not None:
            public_key = pki.load_public_key(order.public_key_pem)
        else:
            private_key = await asyncio.to_thread(pki.generate_key, order.key_type)
            public_key = private_key.public_key()
        issuing = self._credentials[store.ISSUING]
        validity = end_entity_validity(_now(), self.issuing_ca.not_valid_after_utc, order.not_before, order.not_after)
        certificate = pki.make_end_entity(
            issuing, order.subject, order.profile, order.holder, public_key, validity, self.endpoints
        )
        await store.add_certificate(self._db, _record(order, certificate, pki.key_type_of(public_key)))
        log.info("certificate issued", serial=pki.serial_hex(certificate.serial_number), profile=order.profile.value)
        if private_key is None:
            return Issued(certificate, self.chain())
        name = f"{order.profile.value.upper()} {pki.serial_hex(certificate.serial_number)}"
        bundle = await asyncio.to_thread(pki.pkcs12_bundle, private_key, certificate, self.chain(), name)
        return Issued(certificate, self.chain(), bundle)

    async def certificate(self, serial: str) -> IssuedCertificate:
        """The NCA's record of a certificate; CERTIFICATE_NOT_FOUND if it never issued this serial."""
        row = await store.get_certificate(self._db, _normalise(serial))
        if row is None:
            raise AppError("CERTIFICATE_NOT_FOUND", {"serial": serial})
        return row

    async def revoke(
        self, serial: str, reason: RevocationReason, *, bearer: str | None = None, signed: Any = None
    ) -> IssuedCertificate:
        """Revoke now and publish a new CRL at once; OCSP answers from the same record, so it shows the
        revocation from the next request on. Only the RA (``bearer``) or the certificate's holder (a
        revocation request ``signed`` with its key, `holder_requests.check`) may: NCA_RA_TOKEN_REQUIRED
        when neither is given, the request's refusal when it does not hold."""
        row = await self.certificate(serial)
        if self.is_registration_authority(bearer):
            by = "registration authority"
        elif signed is not None:
            holder_requests.check(signed, row, reason, _now())
            by = "holder"
        else:
            raise AppError(
                "NCA_RA_TOKEN_REQUIRED",
                {
                    "serial": row.serial,
                    "holder": row.holder,
                    "alternative": "a revocation request (nca/revocation-request@1) signed with this certificate's key",
                },
            )
        revoked = await store.revoke(self._db, row.serial, reason, _now().replace(microsecond=0), self._make_crl)
        if row.serial in self._own_serials():
            self._revoked_serials.add(row.serial)
        log.info("certificate revoked", serial=row.serial, reason=reason, by=by)
        return revoked

    async def crl(self) -> bytes:
        """The current full CRL (DER); a new one is published when the stored one is past half its life."""
        current = await store.current_crl(self._db)
        if current is None or self._is_stale(current):
            current = await store.renew_crl(self._db, self._make_crl, self._is_stale)
        return current.crl_der

    async def ocsp(self, request_der: bytes) -> bytes:
        """The signed OCSP response (DER) to a DER OCSP request (see `nca.ocsp`)."""
        return await ocsp.respond(
            request_der, issuer=self.issuing_ca, responder=await self._responder(), lookup=self._status, now=_now()
        )

    async def _status(self, serial: int) -> CertStatus | None:
        row = await store.get_certificate(self._db, pki.serial_hex(serial))
        if row is None:
            return None
        if row.revoked_at is None:
            return CertStatus()
        return CertStatus(row.revoked_at, x509.ReasonFlags(row.revocation_reason or "unspecified"))

    async def _responder(self) -> Credential:
        responder = self._credentials[store.RESPONDER]
        if responder.certificate.not_valid_after_utc - _now() > RESPONDER_RENEW_BEFORE:
            return responder
        async with self._renewing:
            responder = self._credentials[store.RESPONDER]
            if responder.certificate.not_valid_after_utc - _now() <= RESPONDER_RENEW_BEFORE:
                responder = await asyncio.to_thread(pki.make_responder, self._credentials[store.ISSUING], _now())
                await store.replace_responder(self._db, responder)
                self._credentials = {**self._credentials, store.RESPONDER: responder}
                serial = pki.serial_hex(responder.certificate.serial_number)
                log.info("OCSP responder certificate renewed", serial=serial)
        return responder

    def _make_crl(self, number: int, revoked: list[IssuedCertificate]) -> CrlRecord:
        this_update = _now().replace(microsecond=0)
        next_update = this_update + timedelta(hours=self._settings.crl_validity_hours)
        entries = [
            pki.Revoked(int(row.serial, 16), row.revoked_at, x509.ReasonFlags(row.revocation_reason or "unspecified"))
            for row in revoked
            if row.revoked_at is not None
        ]
        der = pki.make_crl(self._credentials[store.ISSUING], number, entries, this_update, next_update)
        return CrlRecord(number=number, this_update=this_update, next_update=next_update, crl_der=der)

    def _is_stale(self, crl: CrlRecord) -> bool:
        half_life = (crl.next_update - crl.this_update) / 2
        return _now() >= crl.this_update + half_life


def _now() -> datetime:
    # The authority's clock, one function so that a test can move it.
    return utcnow()


def _normalise(serial: str) -> str:
    """Serials are looked up as lowercase hex without leading zeros; anything else names no certificate."""
    try:
        return pki.serial_hex(int(serial, 16))
    except ValueError:
        return serial


def _make_hierarchy(now: datetime) -> dict[str, Credential]:
    root = pki.make_root(now)
    issuing = pki.make_issuing_ca(root, now)
    return {store.ROOT: root, store.ISSUING: issuing, store.RESPONDER: pki.make_responder(issuing, now)}


def _record(order: IssueOrder, certificate: x509.Certificate, key_type: str) -> IssuedCertificate:
    return IssuedCertificate(
        serial=pki.serial_hex(certificate.serial_number),
        iin=order.subject.iin,
        bin=order.subject.bin,
        subject=certificate.subject.rfc4514_string(SUBJECT_NAMES),
        profile=order.profile.value,
        holder=order.holder.value,
        key_type=key_type,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate_der=certificate.public_bytes(serialization.Encoding.DER),
    )
