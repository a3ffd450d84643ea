"""The test NCA in process for every suite: issuing certificates, a verifier that trusts it, certificates
from a CA nobody trusts, and tampering with a signed document.

Revocation sources are reached through the app itself (httpx ASGITransport), through a fetcher
whose OCSP and CRL sides can each be switched off, to play a responder that is down."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from shared.eds.document import Author, EDocument
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, b64url, b64url_decode
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.iin import make_iin
from tests.support.nca import RA, RA_TOKEN

NCA_URL = "http://127.0.0.1:8005"
_serials = itertools.count(1)


def new_iin(sex: str = "M") -> str:
    while True:
        iin = make_iin(date(1990, 5, 17), sex, next(_serials))
        if iin:
            return iin


class SwitchableFetcher:
    """OCSP and CRL through the in-process NCA; either can be made unreachable."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.ocsp_up = True
        self.crl_up = True
        self.ocsp_calls = 0

    async def post_ocsp(self, url: str, request: bytes) -> bytes:
        self.ocsp_calls += 1
        if not self.ocsp_up:
            raise httpx.ConnectError("OCSP responder is down")
        response = await self.client.post(url, content=request, headers={"Content-Type": "application/ocsp-request"})
        response.raise_for_status()
        return response.content

    async def get_crl(self, url: str) -> bytes:
        if not self.crl_up:
            raise httpx.ConnectError("CRL distribution point is unreachable")
        response = await self.client.get(url)
        response.raise_for_status()
        return response.content


@dataclass
class Pki:
    """The test NCA as a fixture: issue, revoke, verify. System certificates are asked for, and
    revocations made, with the harness's RA token (``RA_TOKEN``), as the NCA requires in every mode."""

    client: httpx.AsyncClient
    fetcher: SwitchableFetcher
    store: TrustStore

    def verifier(self, freshness_s: float = 300.0) -> Verifier:
        return Verifier(self.store, RevocationSources(self.fetcher, freshness_s=freshness_s))

    async def issue(
        self, iin: str | None = None, *, profile: str = "sign", holder: str = "individual", **extra: Any
    ) -> Signer:
        subject: dict[str, Any] = {"iin": iin or new_iin(), "surname": "ТЕСТОВ", "given_name": "ТЕСТ"}
        subject.update(extra.pop("subject", {}))
        response = await self.client.post(
            "/nca/v1/certificates",
            json={"subject": subject, "profile": profile, "holder": holder, **extra},
            headers=RA if holder == "system" else None,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Signer.from_pkcs12(base64.b64decode(body["pkcs12_b64"]), body["pkcs12_password"])

    async def issue_p256(self, iin: str) -> Signer:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        response = await self.client.post(
            "/nca/v1/certificates",
            json={
                "subject": {"iin": iin, "surname": "ТЕСТОВА", "given_name": "ӘЙГЕРІМ"},
                "profile": "sign",
                "holder": "individual",
                "public_key_pem": pem.decode(),
            },
        )
        assert response.status_code == 201, response.text
        from cryptography import x509

        chain = x509.load_pem_x509_certificates(
            (response.json()["certificate_pem"] + response.json()["chain_pem"]).encode()
        )
        leaf = chain[0]
        issuing = [c for c in chain[1:] if c.subject == leaf.issuer]
        return Signer(key, (leaf, *issuing))

    async def revoke(self, signer: Signer, reason: str = "keyCompromise") -> None:
        serial = f"{signer.chain[0].serial_number:x}"
        response = await self.client.post(f"/nca/v1/certificates/{serial}/revoke", json={"reason": reason}, headers=RA)
        assert response.status_code == 200, response.text


def application(iin: str, **fields: Any) -> EDocument:
    """An application-like e-document authored by ``iin``, about 2 KB."""
    values: dict[str, Any] = {
        "district": "karaganda-city",
        "household": [{"iin": iin, "relation": "applicant"}],
        "statement": "Мемлекеттік тұрғын үй қорынан тұрғын үй алу үшін есепке қоюды сұраймын. " * 12,
    }
    return EDocument(type="housing-queue/application@1", author=Author(iin=iin), **{**values, **fields})


@asynccontextmanager
async def running_pki(tmp_path: Path) -> AsyncIterator[Pki]:
    """The registry_stub app (test mode) in process, reached through httpx ASGITransport."""
    settings = RegistryStubSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'nca.db'}", nca_test_mode=True, nca_ra_token=RA_TOKEN
    )
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=NCA_URL) as client:
            chain = (await client.get("/nca/v1/chain.pem")).content
            yield Pki(client, SwitchableFetcher(client), TrustStore.from_pem(chain))


def with_header(signed: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The same signed document with the first signature's protected header changed (not re-signed)."""
    member = dict(signed["signatures"][0])
    header = json.loads(b64url_decode(member["protected"]))
    header.update(changes)
    member["protected"] = b64url(json.dumps(header).encode())
    return {"payload": signed["payload"], "signatures": [member, *signed["signatures"][1:]]}


def foreign_signer(iin: str) -> Signer:
    """A certificate with the NCA's profile and names, issued by a CA nobody trusts."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "ҰКО 3.0 (RSA TEST)"), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
    )
    now = datetime.now(UTC)

    def certificate(subject: x509.Name, extension: x509.ExtensionType) -> x509.Certificate:
        builder = x509.CertificateBuilder().subject_name(subject).issuer_name(name).public_key(key.public_key())
        builder = builder.serial_number(x509.random_serial_number())
        builder = builder.not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        return builder.add_extension(extension, critical=True).sign(key, hashes.SHA256())

    ca = certificate(name, x509.BasicConstraints(ca=True, path_length=None))
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "ТЕСТОВ ТЕСТ"), x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}")]
    )
    leaf = certificate(subject, x509.KeyUsage(True, True, False, False, False, False, False, False, False))
    return Signer(key, (leaf, ca))
