"""A service's own signing key (architecture §9: every message it sends; the regional gateway's
registration stamp, the provider's results): a P-256 key pair (cheap to sign and verify with) made in the
service, which never leaves it; only the public key goes to the test NCA, which certifies it as a SIGN
certificate of holder ``system`` for the service's BIN, with the service's enrollment token
(``NCA_ENROLLMENT_TOKEN_<SERVICE>``, `shared.eds.enrollment`; the RA token would do too), which the NCA
asks for in every mode. Made on first
use, kept in memory: a restart gets a new certificate, which is harmless (verifiers check the BIN, not
the serial). While the NCA refuses or cannot be reached, `signer` raises SERVICE_UNAVAILABLE (transient:
a message that needs the signer is redelivered) and the reason is logged as an error.

Renewal (security finding 3): at most every ``check_interval_s`` seconds (``OWN_CERTIFICATE_CHECK_S``) the
service asks the NCA for its own certificate's record (``GET /nca/v1/certificates/{serial}``); when it is
revoked (or the NCA does not know it), or expires within `RENEW_BEFORE`, the service makes a new key and
has it certified — one renewal whatever the number of concurrent callers — logs it as a warning with the
old and the new serial, and tells the ``on_renewal`` callbacks (`Renewal`: the regional gateway re-stamps
what it stamped with a revoked certificate). A check that cannot reach the NCA keeps the current signer
(a warning) and never holds signing up beyond its short timeout; a renewal that fails keeps a certificate
that is only expiring (an error), but not a revoked one (SERVICE_UNAVAILABLE until a renewal succeeds)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shared.eds.signing import Signer
from shared.errors import AppError
from shared.logging import get_logger
from shared.participants import SystemIdentity

log = get_logger(__name__)
RENEW_BEFORE = timedelta(days=7)
CHECK_INTERVAL_S = 60.0
"""How often, at most, a service asks the NCA whether its own certificate was revoked (the default of
``OWN_CERTIFICATE_CHECK_S``)."""
CHECK_TIMEOUT_S = 3.0
"""How long that check may take before the current signer is kept anyway."""

RenewalReason = Literal["revoked", "unknown", "expiring"]
"""Why a certificate was replaced: the NCA revoked it, the NCA has no record of it, or it expires soon."""


@dataclass(frozen=True)
class Renewal:
    """A renewed system certificate: the old one's serial (hex), the new signer, why, and when the old
    one was last known good (the NCA said so, or it was new): what it signed after that may be refused."""

    old_serial: str
    signer: Signer
    reason: RenewalReason
    good_at: datetime

    @property
    def serial(self) -> str:
        return serial_of(self.signer)


RenewalCallback = Callable[[Renewal], None]
"""Told of every renewal, after it (outside the credentials' lock); it must not block: work it starts
(re-stamping, …) runs in a task of its own."""


def serial_of(signer: Signer) -> str:
    """The signer's certificate serial, lowercase hex (as the NCA names it)."""
    return f"{signer.chain[0].serial_number:x}"


async def can_sign(source: SignerSource) -> bool:
    """A readiness check: whether ``source`` hands out a signer now."""
    try:
        await source.signer()
    except AppError:
        return False
    return True


class SignerSource(Protocol):
    """Whatever hands out a service's signer: `SystemCredentials` (its system certificate from the
    NCA) or a test's."""

    async def signer(self) -> Signer: ...


class SystemCredentials:
    def __init__(
        self,
        nca_url: str,
        identity: SystemIdentity,
        *,
        ra_token: str = "",
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
        check_interval_s: float = CHECK_INTERVAL_S,
    ) -> None:
        """``client``: an HTTP client to reach the NCA with (tests: one on the in-process NCA app); by
        default a new one per request to ``nca_url``. ``check_interval_s``: how often, at most, the NCA
        is asked whether the certificate was revoked (0: before every signature, for tests)."""
        self.nca_url = nca_url.rstrip("/")
        self.identity = identity
        self.ra_token = ra_token
        self.timeout = timeout
        self.client = client
        self.check_interval_s = check_interval_s
        self.on_renewal: list[RenewalCallback] = []
        """Told of every renewal (`Renewal`), in order."""
        self.renewals: list[Renewal] = []
        """Every renewal this process made, oldest first."""
        self._signer: Signer | None = None
        self._checked_at = 0.0
        self._good_at = datetime.now(UTC)
        """When the current certificate was last known good (obtained, or the NCA's answer)."""
        self._unusable: tuple[str, RenewalReason] | None = None
        """(serial, why) of the current certificate once the NCA said it must go."""
        self._lock = asyncio.Lock()

    async def check_configuration(self) -> None:
        """Start-up hook: without its token the NCA certifies no system key, so say it at once, as an
        error, rather than at the first message that needs the signer."""
        if not self.ra_token:
            log.error(
                "the service's NCA enrollment token (NCA_ENROLLMENT_TOKEN_<SERVICE>) is not set: the NCA will "
                "not certify its system key, so it cannot sign; what it sends waits in its outbox, and messages "
                "that need its signature are redelivered, then dead-lettered, until the token is set and the "
                "service restarted",
                bin=self.identity.bin,
            )

    async def signer(self) -> Signer:
        """The service's signer; SERVICE_UNAVAILABLE while the NCA cannot certify it. Renewed first when
        its certificate was found revoked or expires soon (see the module's docstring)."""
        current = self._signer
        if current is not None and self._renewal_due(current) is None:
            if time.monotonic() - self._checked_at < self.check_interval_s:
                return current
            await self._check(current)
            if self._renewal_due(current) is None:
                return current
        async with self._lock:
            current = self._signer
            if current is None:
                current = self._signer = await self._obtain()
                self._checked_at, self._good_at = time.monotonic(), datetime.now(UTC)
                return current
            reason = self._renewal_due(current)
            if reason is None:
                return current  # renewed by a concurrent caller
            try:
                renewed = await self._obtain()
            except AppError:
                if reason == "expiring" and current.chain[0].not_valid_after_utc > datetime.now(UTC):
                    log.error(
                        "system certificate expires soon and could not be renewed; still signing with it",
                        serial=serial_of(current),
                        not_after=current.chain[0].not_valid_after_utc.isoformat(),
                        bin=self.identity.bin,
                    )
                    return current
                raise
            renewal = Renewal(serial_of(current), renewed, reason, self._good_at)
            self._signer, self._unusable, self._checked_at = renewed, None, time.monotonic()
            self._good_at = datetime.now(UTC)
            self.renewals.append(renewal)
        log.warning(
            "system certificate renewed",
            old_serial=renewal.old_serial,
            new_serial=renewal.serial,
            reason=reason,
            bin=self.identity.bin,
        )
        for callback in list(self.on_renewal):
            try:
                callback(renewal)
            except Exception:
                log.exception("a renewal callback failed", callback=getattr(callback, "__qualname__", repr(callback)))
        return renewed

    def _renewal_due(self, current: Signer) -> RenewalReason | None:
        if self._unusable is not None and self._unusable[0] == serial_of(current):
            return self._unusable[1]
        if current.chain[0].not_valid_after_utc - RENEW_BEFORE < datetime.now(UTC):
            return "expiring"
        return None

    async def _check(self, current: Signer) -> None:
        """Ask the NCA about the current certificate (one caller per interval: the time is taken first,
        so concurrent callers sign on meanwhile); revoked or unknown marks it for renewal. The NCA not
        answering keeps it (a warning)."""
        self._checked_at = time.monotonic()
        serial = serial_of(current)
        try:
            status = await self.certificate_status(serial)
        except (httpx.HTTPError, TimeoutError, ValueError) as exc:
            log.warning(
                "could not check the system certificate with the NCA; still signing with it",
                serial=serial,
                error=str(exc) or type(exc).__name__,
            )
            return
        if status == "good" and self._signer is current:
            self._good_at = datetime.now(UTC)
        if status in ("revoked", "unknown") and self._signer is current:
            log.error("the system certificate is no longer usable; renewing it", serial=serial, status=status)
            self._unusable = (serial, status)

    async def certificate_status(self, serial: str) -> Literal["good", "revoked", "unknown"]:
        """The NCA's record of the certificate ``serial`` (hex): good, revoked, or unknown (never issued
        by it). Raises httpx.HTTPError (or TimeoutError) when the NCA does not answer, ValueError when it
        answers something else."""
        url = f"{self.nca_url}/nca/v1/certificates/{serial}"
        async with asyncio.timeout(min(self.timeout, CHECK_TIMEOUT_S)):
            if self.client is not None:
                response = await self.client.get(url)
            else:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.get(url)
        if response.status_code == 404 and _error_code(response) == "CERTIFICATE_NOT_FOUND":
            return "unknown"
        if response.status_code != 200:
            raise ValueError(f"the NCA answered {response.status_code}")
        status = response.json().get("status")
        if status not in ("good", "revoked"):
            raise ValueError(f"the NCA answered status {status!r}")
        return "revoked" if status == "revoked" else "good"

    async def _obtain(self) -> Signer:
        key = ec.generate_private_key(ec.SECP256R1())
        public_pem = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        identity = self.identity
        body = {
            "subject": {
                "iin": identity.officer_iin,
                "surname": identity.surname,
                "given_name": identity.given_name,
                "bin": identity.bin,
                "organization": identity.organization,
            },
            "profile": "sign",
            "holder": "system",
            "public_key_pem": public_pem,
        }
        headers = {"Authorization": f"Bearer {self.ra_token}"} if self.ra_token else {}
        url = f"{self.nca_url}/nca/v1/certificates"
        try:
            if self.client is not None:
                response = await self.client.post(url, json=body, headers=headers)
            else:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise AppError("SERVICE_UNAVAILABLE", {"reason": "the NCA cannot be reached", "error": str(exc)}) from exc
        if response.status_code != 201:
            code = _error_code(response)
            if code == "NCA_RA_TOKEN_REQUIRED":
                log.error(
                    "the NCA refused to certify the service's key: its enrollment token is "
                    + ("not one the NCA's RA token gives this BIN" if self.ra_token else "not set"),
                    status=response.status_code,
                    code=code,
                    bin=identity.bin,
                )
            else:
                log.error(
                    "the NCA refused the service's certificate", status=response.status_code, body=response.text[:500]
                )
            raise AppError("SERVICE_UNAVAILABLE", {"reason": "the NCA refused the service's certificate", "code": code})
        answer = response.json()
        chain = x509.load_pem_x509_certificates((answer["certificate_pem"] + answer["chain_pem"]).encode())
        leaf = chain[0]
        issuing = [c for c in chain[1:] if c.subject == leaf.issuer]
        log.info("system certificate obtained", serial=answer["serial"], bin=identity.bin)
        return Signer(key, (leaf, *issuing))


def _error_code(response: httpx.Response) -> str | None:
    """The catalogue code of an error answer (architecture §7), if it is one."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None
