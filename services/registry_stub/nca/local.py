"""The NCA as the registries themselves reach it: in process, not over HTTP to their own port. Their
verifier (which admits the queries they answer: architecture §9) trusts the chain this NCA made and
asks it directly for OCSP and the CRL."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization

from services.registry_stub.nca.authority import CertificationAuthority
from shared.eds.trust import NcaTrust, TrustStore


class LocalTrust(NcaTrust):
    """The trust anchors of the NCA in this process (loaded once it has started)."""

    def __init__(self, authority: CertificationAuthority) -> None:
        super().__init__("local:")
        self.authority = authority

    async def _load(self) -> TrustStore:
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.authority.chain())
        return TrustStore.from_pem(pem)


class LocalFetcher:
    """OCSP and the CRL from the NCA in this process (a revocation `Fetcher`)."""

    def __init__(self, authority: CertificationAuthority) -> None:
        self.authority = authority

    async def post_ocsp(self, url: str, request: bytes) -> bytes:
        return await self.authority.ocsp(request)

    async def get_crl(self, url: str) -> bytes:
        return await self.authority.crl()
