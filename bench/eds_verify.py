"""Verifications per second of a 2 KB signed e-document (warm revocation cache), beside raw
`cryptography` RSA-2048 PKCS#1 v1.5 verifications per second measured in the same run.

The test NCA runs in process (registry_stub, ASGI); the document is signed with an RSA-2048 SIGN
certificate it issued; the first verification fills the cache (OCSP), the timed ones hit it. Also
timed: refusing the same document with its ``sigT`` moved (a tampered protected header) by a
verifier that caches nothing (freshness 0), which costs the parse, the issuing CA's signature on
the leaf and the document's signature, and asks no revocation source.

The timed loops call only what they measure; the clock is read once per batch, and the fetcher's
call count (checked to be unchanged, so no revocation source was asked while timing) is read
outside them.

    python -m bench eds_verify          # BENCH_SECONDS (default 3) per measurement
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from shared.eds.document import Author, EDocument
from shared.eds.jcs import canonical
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, b64url, b64url_decode, rfc3339, sign
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.errors import AppError
from shared.iin import make_iin

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))


class AsgiFetcher:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.calls = 0

    async def post_ocsp(self, url: str, request: bytes) -> bytes:
        self.calls += 1
        return (await self.client.post(url, content=request)).content

    async def get_crl(self, url: str) -> bytes:
        self.calls += 1
        return (await self.client.get(url)).content


def rate(step: Callable[[], object]) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        for _ in range(100):
            step()
        count += 100
    return count / elapsed


async def arate(step: Callable[[], Awaitable[Any]]) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        for _ in range(50):
            await step()
        count += 50
    return count / elapsed


def tampered_sigt(signed: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """``signed`` with its signing time moved before the certificate's validity, not signed again."""
    member = dict(signed["signatures"][0])
    header = json.loads(b64url_decode(member["protected"]))
    header["sigT"] = rfc3339(signer.chain[0].not_valid_before_utc - timedelta(days=1))
    member["protected"] = b64url(json.dumps(header).encode())
    return {"payload": signed["payload"], "signatures": [member]}


async def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = RegistryStubSettings(database_url=f"sqlite+aiosqlite:///{directory}/nca.db", nca_test_mode=True)
        app = create_app(settings)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8005") as client,
        ):
            iin = next(i for n in range(1, 99) if (i := make_iin(date(1985, 3, 1), "M", n)))
            issued = (
                await client.post(
                    "/nca/v1/certificates",
                    json={
                        "subject": {"iin": iin, "surname": "ТЕСТОВ", "given_name": "ТЕСТ"},
                        "profile": "sign",
                        "holder": "individual",
                    },
                )
            ).json()
            signer = Signer.from_pkcs12(base64.b64decode(issued["pkcs12_b64"]), issued["pkcs12_password"])
            document = EDocument(
                type="housing-queue/application@1",
                author=Author(iin=iin),
                statement="Мемлекеттік тұрғын үй қорынан тұрғын үй алу үшін есепке қоюды сұраймын. " * 20,
            )
            signed = sign(document, signer)
            size = len(canonical(document.to_json()))
            store = TrustStore.from_pem((await client.get("/nca/v1/chain.pem")).content)
            fetcher = AsgiFetcher(client)
            verifier = Verifier(store, RevocationSources(fetcher, freshness_s=3600))
            await verifier.verify(signed)  # warm the revocation cache
            tampered = tampered_sigt(signed, signer)
            cold = Verifier(store, RevocationSources(fetcher, freshness_s=0))  # no chain verdict, no answer kept
            try:
                await cold.verify(tampered)
            except AppError as error:
                assert error.code == "EDS_SIGNATURE_INVALID", error.code
            else:
                raise AssertionError("a moved sigT must be refused")

            public = signer.chain[0].public_key()
            assert isinstance(signer.key, rsa.RSAPrivateKey) and isinstance(public, rsa.RSAPublicKey)
            message = canonical(document.to_json())
            signature = signer.key.sign(message, padding.PKCS1v15(), hashes.SHA256())

            def raw() -> None:
                public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())

            async def full() -> None:
                await verifier.verify(signed)

            async def refuse() -> None:
                try:
                    await cold.verify(tampered)
                except AppError:
                    pass

            fetched = fetcher.calls
            baseline = rate(raw)
            ours = await arate(full)
            refusals = await arate(refuse)
            assert fetcher.calls == fetched, "a revocation source was asked while timing"
    print(f"  document {size} bytes (JCS), RS256, warm OCSP cache")
    print(f"  raw RSA-2048 verify     {baseline:>10,.0f} /s")
    print(f"  e-document verify       {ours:>10,.0f} /s   ratio {ours / baseline:.3f}")
    print(f"  moved sigT refused      {refusals:>10,.0f} /s   ratio {refusals / baseline:.3f}   (cold, no OCSP)")
