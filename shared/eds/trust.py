"""The trust anchor: the test NCA's root, pinned, and its issuing CA. A service gets them from the
NCA's ``chain.pem`` (architecture §6) on first use; ``pin_sha256`` (the root's SHA-256 fingerprint,
hex) makes it refuse any other root, as a verifier configured out of band would."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from shared.errors import AppError


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

    def __init__(self, nca_url: str, *, pin_sha256: str | None = None, timeout: float = 5.0) -> None:
        self.nca_url = nca_url.rstrip("/")
        self.pin_sha256 = pin_sha256
        self.timeout = timeout
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
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(f"{self.nca_url}/nca/v1/chain.pem")
                response.raise_for_status()
            return TrustStore.from_pem(response.content, self.pin_sha256)
        except (httpx.HTTPError, ValueError) as exc:
            raise AppError("SERVICE_UNAVAILABLE", {"reason": "trust anchors unavailable", "error": str(exc)}) from exc
