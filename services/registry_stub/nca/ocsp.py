"""The test NCA's OCSP responder (RFC 6960), as a function from request bytes to response bytes.

Choices (architecture §5 lets us pick):
- **Signed by a delegated responder**, not by the issuing CA: a certificate "ҰКО 3.0 OCSP (RSA TEST)"
  issued by the issuing CA with EKU id-kp-OCSPSigning and id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2), made
  at the first start, kept in the database, re-issued before it expires, and sent in every response's
  ``certs``. The issuing CA's key then signs only certificates and CRLs, as public CAs do, and verifiers
  are made to handle the delegated case that every real responder uses.
- **CertIDs** hashed with SHA-1 (what RFC 5019 clients send) or SHA-256 (what NCANode sends), or SHA-384
  / SHA-512; the issuer's name and key hashes are recomputed with the request's own algorithm.
- **unknown** when the CertID names another issuer or a serial the NCA never issued (RFC 6960 §2.2).
- **Times**: producedAt and thisUpdate are now (every answer is made on the spot from the database, so a
  revocation shows at once); nextUpdate is now + `NEXT_UPDATE`, how long a client may reuse the answer.
- **Nonce**: echoed when the request has one (RFC 8954); no nonce is added when it has none.
- **Errors**: a request that cannot be parsed gets a MALFORMED_REQUEST response, never an HTTP error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from services.registry_stub.nca.pki import Credential

NEXT_UPDATE = timedelta(hours=1)
HASHES = (hashes.SHA1, hashes.SHA256, hashes.SHA384, hashes.SHA512)
MEDIA_TYPE_REQUEST = "application/ocsp-request"
MEDIA_TYPE_RESPONSE = "application/ocsp-response"


@dataclass(frozen=True)
class CertStatus:
    """What the NCA knows of a certificate it issued: good (no revocation time) or revoked."""

    revoked_at: datetime | None = None
    reason: x509.ReasonFlags | None = None


Lookup = Callable[[int], Awaitable[CertStatus | None]]
"""The status of the certificate with this serial, or None if the NCA never issued it."""


def unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    """An unsigned OCSP response with an error status (malformedRequest, internalError, …)."""
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


async def respond(
    request_der: bytes, *, issuer: x509.Certificate, responder: Credential, lookup: Lookup, now: datetime
) -> bytes:
    """The signed OCSP response (DER) to one DER request about certificates of ``issuer``."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        algorithm = request.hash_algorithm
        nonce = _nonce(request)
    except (ValueError, NotImplementedError, UnsupportedAlgorithm):
        return unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    if not isinstance(algorithm, HASHES):
        return unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)

    status = None
    if _issuer_hashes(issuer, algorithm) == (request.issuer_name_hash, request.issuer_key_hash):
        status = await lookup(request.serial_number)
    if status is None:
        cert_status, revoked_at, reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
    elif status.revoked_at is None:
        cert_status, revoked_at, reason = ocsp.OCSPCertStatus.GOOD, None, None
    else:
        cert_status, revoked_at, reason = ocsp.OCSPCertStatus.REVOKED, status.revoked_at, status.reason
        if reason is x509.ReasonFlags.unspecified:
            reason = None  # as in the CRL: RFC 5280 §5.3.1 prefers no reason to "unspecified"

    this_update = now.replace(microsecond=0)
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            request.issuer_name_hash,
            request.issuer_key_hash,
            request.serial_number,
            algorithm,
            cert_status,
            this_update,
            this_update + NEXT_UPDATE,
            revoked_at,
            reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.certificate)
        .certificates([responder.certificate])
    )
    if nonce is not None:
        builder = builder.add_extension(nonce, critical=False)
    return builder.sign(responder.private_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _nonce(request: ocsp.OCSPRequest) -> x509.OCSPNonce | None:
    try:
        return request.extensions.get_extension_for_class(x509.OCSPNonce).value
    except x509.ExtensionNotFound:
        return None


def _issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """RFC 6960 §4.1.1: the hash of the issuer's DER name, and of its public key's BIT STRING contents
    (for RSA, the PKCS#1 RSAPublicKey)."""
    key = issuer.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return _digest(algorithm, issuer.subject.public_bytes()), _digest(algorithm, key)


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()
