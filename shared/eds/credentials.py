"""A service's own signing key (the regional gateway's registration stamp, the provider's results):
the key pair is made in the service and never leaves it; only the public key goes to the test NCA,
which certifies it as a SIGN certificate of holder ``system`` for the service's BIN, with the
registration authority's token (``NCA_RA_TOKEN``), which the NCA asks for in every mode. Made on first
use, kept in memory: a restart gets a new certificate, which is harmless (verifiers check the BIN, not
the serial). While the NCA refuses or cannot be reached, `signer` raises SERVICE_UNAVAILABLE (transient:
a message that needs the signer is redelivered) and the reason is logged as an error."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.eds.signing import Signer
from shared.errors import AppError
from shared.logging import get_logger

log = get_logger(__name__)
RENEW_BEFORE = timedelta(days=7)


@dataclass(frozen=True)
class SystemIdentity:
    """Whom the certificate names: the organisation (BIN, name) and its responsible officer (IIN)."""

    bin: str
    organization: str
    officer_iin: str
    surname: str
    given_name: str


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
    ) -> None:
        """``client``: an HTTP client to reach the NCA with (tests: one on the in-process NCA app); by
        default a new one per request to ``nca_url``."""
        self.nca_url = nca_url.rstrip("/")
        self.identity = identity
        self.ra_token = ra_token
        self.timeout = timeout
        self.client = client
        self._signer: Signer | None = None
        self._lock = asyncio.Lock()

    async def check_configuration(self) -> None:
        """Start-up hook: without the RA token the NCA certifies no system key, so say it at once, as an
        error, rather than at the first message that needs the signer."""
        if not self.ra_token:
            log.error(
                "NCA_RA_TOKEN is not set: the NCA will not certify this service's system key, so the service "
                "cannot sign; messages that need its signature are redelivered, then dead-lettered, until "
                "NCA_RA_TOKEN is set (to the NCA's) and the service restarted",
                bin=self.identity.bin,
            )

    async def signer(self) -> Signer:
        """The service's signer; SERVICE_UNAVAILABLE while the NCA cannot certify it."""
        async with self._lock:
            current = self._signer
            if current is None or current.chain[0].not_valid_after_utc - RENEW_BEFORE < datetime.now(UTC):
                current = self._signer = await self._obtain()
            return current

    async def _obtain(self) -> Signer:
        key = await asyncio.to_thread(rsa.generate_private_key, public_exponent=65537, key_size=2048)
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
                    "the NCA refused to certify the service's key: NCA_RA_TOKEN is "
                    + ("not the NCA's" if self.ra_token else "not set"),
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
