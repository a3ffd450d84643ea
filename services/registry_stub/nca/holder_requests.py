"""A holder's own revocation request (architecture §5): an e-document ``nca/revocation-request@1``
(`shared.eds.revocation_request`) signed with the key of the certificate it asks to revoke.

It is checked against the NCA's own record of that certificate, offline: the signature with the
recorded certificate's public key (whatever ``x5c`` the request carries is not believed), before
anything in the payload is read; then the payload is the revocation request of that very serial,
with the reason the request body gives, authored by the IIN (and BIN) the certificate names. The
certificate may be SIGN or AUTH: whoever holds its key may give it up. A request is bound to one
serial, so it revokes nothing else, and a second use finds the certificate revoked already.

Refusals: EDS_MALFORMED (not a JWS JSON of one signature, sizes, not canonical JSON, not the
document type's shape, a creation time in the future), EDS_ALG_NOT_ALLOWED, EDS_SIGNATURE_INVALID
(another key signed it), EDS_PURPOSE_INVALID (another document type, another serial, another reason),
EDS_IIN_MISMATCH (an author other than the certificate's holder).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from pydantic import ValidationError

from services.registry_stub.models import IssuedCertificate
from shared.eds.jcs import TooDeep, parse_canonical
from shared.eds.revocation_request import REVOCATION_REQUEST, RevocationRequest
from shared.eds.signing import ALLOWED_ALGORITHMS, REGISTRY, TYPE, b64url_decode
from shared.errors import AppError

MAX_PAYLOAD_CHARS = 4096
"""A revocation request is about 250 bytes of JSON."""
MAX_HEADER_CHARS = 48 * 1024
"""The protected header, in base64url: room for an ``x5c`` of three certificates (not believed, but allowed)."""
MAX_SIGNATURE_CHARS = 1024
"""An RS256 signature of a 4096-bit key is 683 characters of base64url."""
MAX_DEPTH = 8
CLOCK_SKEW = timedelta(minutes=5)


def check(signed: Any, record: IssuedCertificate, reason: str, now: datetime) -> RevocationRequest:
    """The holder's request to revoke ``record``'s certificate for ``reason``, or the refusal (AppError)."""
    payload, protected, signature = _parse(signed)
    header = _header(protected)
    certificate = x509.load_der_x509_certificate(record.certificate_der)
    key = _key(certificate, header["alg"])
    try:
        valid = REGISTRY.get_alg(header["alg"]).verify(f"{protected}.{payload}".encode(), b64url_decode(signature), key)
    except (JoseError, ValueError, TypeError):
        valid = False
    if not valid:
        raise AppError(
            "EDS_SIGNATURE_INVALID",
            {"serial": record.serial, "reason": "not signed with the key of the certificate to revoke"},
        )
    request = _document(payload)
    if request.serial != record.serial:
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {"reason": "the request is for another certificate", "serial": record.serial, "requested": request.serial},
        )
    if request.reason != reason:
        raise AppError(
            "EDS_PURPOSE_INVALID",
            {"reason": "the body's reason is not the signed request's", "signed": request.reason, "body": reason},
        )
    author = request.author
    if (author.iin is not None and author.iin != record.iin) or (author.bin is not None and author.bin != record.bin):
        raise AppError(
            "EDS_IIN_MISMATCH",
            {"document": author.model_dump(exclude_none=True), "certificate": {"iin": record.iin, "bin": record.bin}},
        )
    if request.created_at > now + CLOCK_SKEW:
        raise _malformed("created_at is in the future")
    return request


def _malformed(reason: str, **details: Any) -> AppError:
    return AppError("EDS_MALFORMED", {"reason": reason, **details})


def _parse(signed: Any) -> tuple[str, str, str]:
    """(payload, protected header, signature), each a bounded string; one signature only."""
    if not isinstance(signed, Mapping) or set(signed) != {"payload", "signatures"}:
        raise _malformed("not a JWS JSON General Serialization ({payload, signatures})")
    payload, signatures = signed["payload"], signed["signatures"]
    if not isinstance(payload, str) or not isinstance(signatures, list) or len(signatures) != 1:
        raise _malformed("a revocation request is a string payload with exactly one signature, the holder's")
    member = signatures[0]
    if not isinstance(member, Mapping) or set(member) != {"protected", "signature"}:
        raise _malformed("the signature has exactly a protected header and a signature")
    protected, signature = member["protected"], member["signature"]
    if not isinstance(protected, str) or not isinstance(signature, str):
        raise _malformed("the protected header and the signature are base64url strings")
    for value, limit, what in (
        (payload, MAX_PAYLOAD_CHARS, "payload"),
        (protected, MAX_HEADER_CHARS, "protected header"),
        (signature, MAX_SIGNATURE_CHARS, "signature"),
    ):
        if len(value) > limit:
            raise _malformed(f"the {what} is longer than {limit} characters", limit=limit)
    return payload, protected, signature


def _header(protected: str) -> dict[str, Any]:
    try:
        header = json.loads(b64url_decode(protected).decode())
    except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _malformed("protected header is not base64url JSON") from None
    if not isinstance(header, dict) or header.get("typ") != TYPE or header.get("role") != "author":
        raise _malformed(f"protected header needs typ {TYPE!r} and role 'author'")
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise AppError("EDS_ALG_NOT_ALLOWED", {"alg": header.get("alg"), "allowed": list(ALLOWED_ALGORITHMS)})
    return header


def _key(certificate: x509.Certificate, alg: str) -> RSAKey | ECKey:
    """The recorded certificate's public key, for the header's algorithm."""
    public = certificate.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if alg == "RS256" and isinstance(public, rsa.RSAPublicKey):
        return RSAKey.import_key(pem)
    if alg == "ES256" and isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        return ECKey.import_key(pem)
    raise AppError("EDS_ALG_NOT_ALLOWED", {"alg": alg, "reason": "the algorithm does not fit the certificate's key"})


def _document(payload: str) -> RevocationRequest:
    try:
        value = parse_canonical(b64url_decode(payload), max_depth=MAX_DEPTH)
    except TooDeep:
        raise _malformed(f"payload nests deeper than {MAX_DEPTH}") from None
    except ValueError as exc:
        raise _malformed("payload is not RFC 8785 canonical JSON", error=str(exc)) from None
    if not isinstance(value, dict) or value.get("type") != REVOCATION_REQUEST:
        raise AppError("EDS_PURPOSE_INVALID", {"reason": f"not a revocation request ({REVOCATION_REQUEST})"})
    try:
        return RevocationRequest.model_validate(value)
    except ValidationError as exc:
        errors = [{"loc": list(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]
        raise _malformed("the document does not fit its type", errors=errors) from None
