"""The trust anchor: the test NCA's root, pinned, and its issuing CA. A service gets them from the
NCA's ``chain.pem`` (architecture §6) on first use; ``pin_sha256`` (the root's SHA-256 fingerprint,
hex: ``NCA_ROOT_SHA256``) makes it refuse any other root, as a verifier configured out of band would.
Without a pin the first root served is trusted (trust on first use), over plain HTTP when ``NCA_URL``
is ``http://``: whoever answers there first becomes the root of every signature the service accepts.
That is logged as a warning, once per NCA address and root, with the fingerprint to pin."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from shared.errors import AppError
from shared.logging import get_logger

log = get_logger(__name__)

# (NCA address, root fingerprint) pairs already warned about in this process: every service of the
# embedded default has its own NcaTrust, and one warning says it for all of them.
_warned_first_use: set[tuple[str, str]] = set()


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


@dataclass(frozen=True)
class TrustStore:
    root: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem(cls, pem: bytes, pin_sha256: str | None = None) -> TrustStore:
        """Root = the self-issued certificate in ``pem``; every other one is an intermediate."""
        certs = x509.load_pem_x509_certificates(pem)
        roots = [c for c in certs if c.subject == c.issuer]
        if len(roots) != 1:
            raise ValueError("the chain must hold exactly one self-issued root")
        root = roots[0]
        if pin_sha256 and fingerprint(root) != pin_sha256.lower().replace(":", ""):
            raise ValueError("the root does not match the pinned fingerprint")
        return cls(root, tuple(c for c in certs if c is not root))


class NcaTrust:
    """Loads the `TrustStore` from the NCA once, on first use, and keeps it."""

    def __init__(
        self,
        nca_url: str,
        *,
        pin_sha256: str | None = None,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.nca_url = nca_url.rstrip("/")
        self.pin_sha256 = pin_sha256
        self.timeout = timeout
        self._transport = transport
        self._store: TrustStore | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> TrustStore:
        if self._store is None:
            async with self._lock:
                if self._store is None:
                    self._store = await self._load()
        return self._store

    async def _load(self) -> TrustStore:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self._transport) as client:
                response = await client.get(f"{self.nca_url}/nca/v1/chain.pem")
                response.raise_for_status()
            store = TrustStore.from_pem(response.content, self.pin_sha256)
        except (httpx.HTTPError, ValueError) as exc:
            raise AppError("SERVICE_UNAVAILABLE", {"reason": "trust anchors unavailable", "error": str(exc)}) from exc
        if not self.pin_sha256:
            self._warn_first_use(store.root)
        return store

    def _warn_first_use(self, root: x509.Certificate) -> None:
        root_sha256 = fingerprint(root)
        if (self.nca_url, root_sha256) in _warned_first_use:
            return
        _warned_first_use.add((self.nca_url, root_sha256))
        plain_http = urlsplit(self.nca_url).scheme == "http"
        how = "over plain HTTP " if plain_http else ""
        log.warning(
            f"NCA_ROOT_SHA256 is not set: trusting on first use the root the NCA served {how}at {self.nca_url}; "
            f"pin it with NCA_ROOT_SHA256={root_sha256}",
            nca_url=self.nca_url,
            root_sha256=root_sha256,
            root_subject=root.subject.rfc4514_string(),
            plain_http=plain_http,
        )
