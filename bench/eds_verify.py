"""Verifications per second of a 2 KB signed e-document (warm revocation cache), beside raw
`cryptography` RSA-2048 PKCS#1 v1.5 verifications per second measured in the same run.

The test NCA runs in process (registry_stub, ASGI); the document is signed with an RSA-2048 SIGN
certificate it issued; the first verification fills the cache (OCSP), the timed ones hit it.

    python -m bench eds_verify          # BENCH_SECONDS (default 3) per measurement
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
from datetime import date

import httpx
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from services.registry_stub.app import create_app
from services.registry_stub.config import RegistryStubSettings
from shared.eds.document import Author, EDocument
from shared.eds.jcs import canonical
from shared.eds.revocation import RevocationSources
from shared.eds.signing import Signer, sign
from shared.eds.trust import TrustStore
from shared.eds.verify import Verifier
from shared.iin import make_iin

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))


class AsgiFetcher:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post_ocsp(self, url: str, request: bytes) -> bytes:
        return (await self.client.post(url, content=request)).content

    async def get_crl(self, url: str) -> bytes:
        return (await self.client.get(url)).content


def rate(step: object) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        for _ in range(100):
            step()  # type: ignore[operator]
        count += 100
    return count / elapsed


async def arate(step: object) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        for _ in range(50):
            await step()  # type: ignore[operator]
        count += 50
    return count / elapsed


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
            verifier = Verifier(store, RevocationSources(AsgiFetcher(client), freshness_s=3600))
            await verifier.verify(signed)  # warm the revocation cache

            public = signer.chain[0].public_key()
            message = canonical(document.to_json())
            signature = signer.key.sign(message, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg,union-attr]

            def raw() -> None:
                public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg,union-attr]

            async def full() -> None:
                await verifier.verify(signed)

            baseline = rate(raw)
            ours = await arate(full)
    print(f"  document {size} bytes (JCS), RS256, warm OCSP cache")
    print(f"  raw RSA-2048 verify     {baseline:>10,.0f} /s")
    print(f"  e-document verify       {ours:>10,.0f} /s   ratio {ours / baseline:.3f}")
