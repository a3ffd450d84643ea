"""Signing e-documents (architecture §4): JWS JSON General Serialization over the RFC 8785 bytes
of the document; each signature's protected header carries ``alg`` (RS256 or ES256), ``typ``
(``edoc+jws``), ``x5c`` (signer certificate, then the issuing CA), ``sigT`` and ``role``.
Several signatures may cover one document: the author's first, then stamps (`countersign`). A
registration stamp also carries the registration it makes — ``regNum``, ``regT``, ``regDistrict``
(architecture §9) — in its protected header, so that the signature covers it."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey
from joserfc.registry import HeaderParameter

from shared.eds.document import EDocument
from shared.eds.jcs import canonical

ALLOWED_ALGORITHMS = ("RS256", "ES256")
TYPE = "edoc+jws"
Role = Literal["author", "registration", "approval", "registry"]
ROLES: tuple[str, ...] = ("author", "registration", "approval", "registry")
REGISTRATION_HEADERS = ("regNum", "regT", "regDistrict")
"""The registration a stamp (role ``registration``) makes, in its protected header: all three or none."""
REGISTRATION_NUMBER = re.compile(r"[A-Z]{2,8}-[0-9]{8}-[0-9]{6,}")
"""``<prefix>-<YYYYMMDD>-<NNNNNN>``, e.g. ``KRG-20261126-000042`` (whole string; ASCII digits only)."""
MAX_REGISTRATION_NUMBER = 32
REGISTRATION_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z")
"""``regT``: RFC 3339 UTC, in whole seconds or to the microsecond (ASCII digits only)."""
DISTRICT_CODE = re.compile(r"[a-z][a-z0-9-]{0,63}")
"""A district's code (`shared.geo`: a lowercase slug, at most 64 characters)."""


def jws_registry() -> jws.JWSRegistry:
    """joserfc's registry for our headers: RS256/ES256 only, ``sigT``, ``role`` and a stamp's registration
    known (joserfc refuses any other), and room for an ``x5c`` chain (joserfc's default 512-byte header
    limit cannot hold two certificates)."""
    registry = jws.JWSRegistry(
        header_registry={
            "sigT": HeaderParameter("signing time, RFC 3339 UTC", "str", required=True),
            "role": HeaderParameter("signer's role", "str", required=True),
            "regNum": HeaderParameter("a registration stamp's registration number", "str"),
            "regT": HeaderParameter("a registration stamp's registration time, RFC 3339 UTC", "str"),
            "regDistrict": HeaderParameter("the district a registration stamp registers for", "str"),
        },
        algorithms=list(ALLOWED_ALGORITHMS),
    )
    registry.max_header_length = 16 * 1024
    registry.max_payload_length = 4 * 1024 * 1024
    return registry


REGISTRY = jws_registry()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_precise(moment: datetime) -> str:
    """RFC 3339 UTC to the microsecond (``YYYY-MM-DDThh:mm:ss.ffffffZ``): a stamp's registration time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Signer:
    """A private key and its certificate chain (signer first, then the issuing CA), as a PKCS#12
    file holds them. On the client side this is the person's key; on a service, its system key."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]

    @classmethod
    def from_pkcs12(cls, data: bytes, password: str | bytes | None) -> Signer:
        secret = password.encode() if isinstance(password, str) else password
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
        if cert is None or not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("the PKCS#12 holds no RSA or EC key with its certificate")
        return cls(key, (cert, *extra))

    @property
    def alg(self) -> str:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return "RS256"
        if isinstance(self.key.curve, ec.SECP256R1):
            return "ES256"
        raise ValueError("only RSA and P-256 keys sign e-documents")

    @cached_property
    def x5c(self) -> list[str]:
        """The chain as the ``x5c`` header carries it (made once: every signature sends it)."""
        return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in self.chain]

    def jwk(self) -> RSAKey | ECKey:
        # Wrapped as it is: a PEM round trip would re-validate the RSA key, about 50 ms each time.
        if isinstance(self.key, rsa.RSAPrivateKey):
            return RSAKey(self.key, self.key)
        return ECKey(self.key, self.key)


@dataclass(frozen=True)
class StampedRegistration:
    """The registration a registration stamp makes and signs (architecture §9): its number, its time (to
    the microsecond, as it is stored and sent: ``regT`` is RFC 3339 UTC with six fraction digits; the
    stamp's ``sigT``, in whole seconds, is this time cut to the second) and the district it is for."""

    number: str
    at: datetime
    district: str

    def __post_init__(self) -> None:
        if len(self.number) > MAX_REGISTRATION_NUMBER or not REGISTRATION_NUMBER.fullmatch(self.number):
            raise ValueError(f"not a registration number: {self.number!r}")
        if self.at.tzinfo is None:
            raise ValueError("a registration time is aware (UTC in the stamp)")
        if not DISTRICT_CODE.fullmatch(self.district):
            raise ValueError(f"not a district code: {self.district!r}")

    def header(self) -> dict[str, str]:
        return {"regNum": self.number, "regT": rfc3339_precise(self.at), "regDistrict": self.district}


def _signature(
    payload: bytes,
    signer: Signer,
    role: str,
    signed_at: datetime | None,
    registration: StampedRegistration | None = None,
) -> dict[str, Any]:
    if role not in ROLES:
        raise ValueError(f"unknown signer role {role!r}")
    if registration is not None and role != "registration":
        raise ValueError("only a registration stamp carries a registration")
    header = {
        "alg": signer.alg,
        "typ": TYPE,
        "x5c": signer.x5c,
        "sigT": rfc3339(signed_at or datetime.now(UTC)),
        "role": role,
        **(registration.header() if registration is not None else {}),
    }
    serialized = jws.serialize_json([{"protected": header}], payload, signer.jwk(), registry=REGISTRY)
    return dict(serialized["signatures"][0])


def sign(
    document: EDocument | Mapping[str, Any], signer: Signer, *, role: Role = "author", signed_at: datetime | None = None
) -> dict[str, Any]:
    """A new signed e-document: ``{"payload", "signatures": [one signature]}``. A typed document is
    validated by its model before signing; its payload is the JCS bytes of its JSON."""
    value = document.to_json() if isinstance(document, EDocument) else dict(document)
    payload = canonical(value)
    return {"payload": b64url(payload), "signatures": [_signature(payload, signer, role, signed_at)]}


def countersign(
    signed: Mapping[str, Any],
    signer: Signer,
    *,
    role: Role,
    signed_at: datetime | None = None,
    registration: StampedRegistration | None = None,
) -> dict[str, Any]:
    """The same document with one more signature over the same payload (a registration stamp, a
    head's approval). Earlier signatures are kept as they are. Verify ``signed`` first. A registration
    stamp (role ``registration``) may carry the ``registration`` it makes in its protected header."""
    payload = b64url_decode(str(signed["payload"]))
    return {
        "payload": signed["payload"],
        "signatures": [*signed["signatures"], _signature(payload, signer, role, signed_at, registration)],
    }


def payload_of(signed: Mapping[str, Any]) -> dict[str, Any]:
    """The document inside a signed e-document, unverified (use the verifier's result to trust it)."""
    import json

    value = json.loads(b64url_decode(str(signed["payload"])))
    if not isinstance(value, dict):
        raise ValueError("the payload is not a JSON object")
    return value
