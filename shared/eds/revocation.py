"""Revocation information for a certificate (architecture §5): OCSP first (RFC 6960, POST to the
certificate's AIA responder, with a nonce), the CRL from its distribution point as the fallback.
Answers are cached within a freshness window (and never past their own ``nextUpdate``), in caches
bounded in size as well (`BoundedCache`); when neither source answers, the caller fails closed
(``EDS_REVOCATION_UNKNOWN``). This module only fetches and caches: judging the answers (signatures,
responder authority, freshness) is pyhanko-certvalidator's job in `shared.eds.verify`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from shared.cache import CACHE_ENTRIES, BoundedCache
from shared.logging import get_logger

log = get_logger(__name__)

Source = Literal["ocsp", "crl"]

CRL_ENTRIES = 16
"""Size bound of the CRL cache, by distribution point: a CA publishes one CRL (a few across a key
rollover), and a CRL can be large."""


class Fetcher(Protocol):
    async def post_ocsp(self, url: str, request: bytes) -> bytes: ...

    async def get_crl(self, url: str) -> bytes: ...


class HttpFetcher:
    """Plain HTTP, short timeouts: a revocation source that hangs must not hang a citizen's request."""

    def __init__(self, timeout: float = 3.0) -> None:
        self._client = httpx.AsyncClient(timeout=timeout)

    async def post_ocsp(self, url: str, request: bytes) -> bytes:
        response = await self._client.post(url, content=request, headers={"Content-Type": "application/ocsp-request"})
        response.raise_for_status()
        return response.content

    async def get_crl(self, url: str) -> bytes:
        response = await self._client.get(url)
        response.raise_for_status()
        return response.content

    async def aclose(self) -> None:
        await self._client.aclose()


@dataclass(frozen=True)
class RevocationInfo:
    source: Source
    ocsp: tuple[bytes, ...] = ()
    crls: tuple[bytes, ...] = ()


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [
        str(d.access_location.value)
        for d in aia
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def crl_urls(cert: x509.Certificate) -> list[str]:
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        str(name.value)
        for point in points
        for name in point.full_name or []
        if isinstance(name, x509.UniformResourceIdentifier)
    ]


class RevocationSources:
    """OCSP, then CRL, per certificate; cached for ``freshness_s`` seconds and never past an answer's
    nextUpdate, at most ``max_entries`` OCSP answers and ``max_crls`` CRLs."""

    def __init__(
        self,
        fetcher: Fetcher | None = None,
        *,
        freshness_s: float = 300.0,
        max_entries: int = CACHE_ENTRIES,
        max_crls: int = CRL_ENTRIES,
    ) -> None:
        self.fetcher = fetcher or HttpFetcher()
        self.freshness_s = freshness_s
        self._ocsp: BoundedCache[tuple[int, str], bytes] = BoundedCache(max_entries)
        self._crl: BoundedCache[str, bytes] = BoundedCache(max_crls)

    async def collect(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationInfo | None:
        """Revocation information for ``cert``, or None when no source answered."""
        response = await self._ocsp_response(cert, issuer)
        if response is not None:
            return RevocationInfo("ocsp", ocsp=(response,))
        crl = await self._crl_for(cert)
        if crl is not None:
            return RevocationInfo("crl", crls=(crl,))
        return None

    def forget(self) -> None:
        self._ocsp.clear()
        self._crl.clear()

    async def _ocsp_response(self, cert: x509.Certificate, issuer: x509.Certificate) -> bytes | None:
        key = (cert.serial_number, issuer.fingerprint(hashes.SHA256()).hex())
        cached = self._ocsp.get(key)
        if cached is not None:
            return cached
        nonce = os.urandom(16)
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(cert, issuer, hashes.SHA1())  # RFC 5019 clients send SHA-1 CertIDs
            .add_extension(x509.OCSPNonce(nonce), critical=False)
            .build()
            .public_bytes(Encoding.DER)
        )
        for url in ocsp_urls(cert):
            try:
                body = await self.fetcher.post_ocsp(url, request)
                parsed = ocsp.load_der_ocsp_response(body)
                if parsed.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
                    raise ValueError(f"OCSP status {parsed.response_status.name}")
                if _nonce(parsed) not in (None, nonce):
                    raise ValueError("OCSP nonce does not match the request")
                if parsed.serial_number != cert.serial_number:
                    raise ValueError("OCSP answered for another certificate")
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("OCSP responder failed", url=url, error=str(exc))
                continue
            self._ocsp.put(key, body, _ttl(self.freshness_s, parsed.next_update_utc))
            return body
        return None

    async def _crl_for(self, cert: x509.Certificate) -> bytes | None:
        for url in crl_urls(cert):
            cached = self._crl.get(url)
            if cached is not None:
                return cached
            try:
                body = await self.fetcher.get_crl(url)
                crl = x509.load_der_x509_crl(body)
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("CRL unreachable", url=url, error=str(exc))
                continue
            self._crl.put(url, body, _ttl(self.freshness_s, crl.next_update_utc))
            return body
        return None


def _ttl(freshness_s: float, next_update: datetime | None) -> float:
    """How long an answer may be reused: the freshness window, and never past its nextUpdate."""
    if next_update is None:
        return freshness_s
    return min(freshness_s, (next_update - datetime.now(UTC)).total_seconds())


def _nonce(response: ocsp.OCSPResponse) -> bytes | None:
    try:
        return response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None
