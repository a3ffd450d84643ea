from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.bus.envelope import Envelope
from shared.bus.port import Delivery
from shared.bus.proof import Sealer
from shared.eds.signing import Signer
from shared.participants import PORTAL

SENDER = PORTAL.address


class SelfSigned:
    """A P-256 key with a self-signed certificate: a signer for where nothing verifies what it signs (the
    outbox suites' relays, whose consumers are the tests' own; a benchmark's)."""

    def __init__(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed, for tests")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256())
        )
        self._signer = Signer(key, (certificate,))

    async def signer(self) -> Signer:
        return self._signer


class Fixed:
    """A signer source that hands out one given signer (a test's impostor, or a key made elsewhere)."""

    def __init__(self, signer: Signer) -> None:
        self._signer = signer

    async def signer(self) -> Signer:
        return self._signer


def portal_sealer() -> Sealer:
    """A relay's sealer for `envelope`'s sender (the portal), with a `SelfSigned` key."""
    return Sealer(SelfSigned(), PORTAL.service)


def envelope(message_type: str, document: dict[str, Any] | None = None) -> Envelope:
    return Envelope(message_type=message_type, sender=SENDER, user_id="KZ900101300017", document=document or {})


class Collector:
    """A handler that records deliveries and fails the first ``fail_times`` of them."""

    def __init__(self, fail_times: int = 0) -> None:
        self.deliveries: list[Delivery] = []
        self.fail_times = fail_times
        self.succeeded = 0

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        if len(self.deliveries) <= self.fail_times:
            raise RuntimeError(f"handler crash #{len(self.deliveries)}")
        self.succeeded += 1

    def __len__(self) -> int:
        return len(self.deliveries)


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
