"""A registration stamp failing because of the regional gateway's own certificate (security finding 3):
when a stamped document (an application the gateway delivers, a result it relays) fails verification only
because its registration stamp's certificate — a system certificate of the gateway's BIN — is revoked or
expired, the author's signature being good, that is the system's credential to renew, not the document's
fault. Its receiver (the provider's intake, the portal's results) does not refuse it for good: it raises
a transient failure, so the bus redelivers it (then dead-letters it, kept), logs `STAMP_ALERT`, and takes
the document in once the gateway, renewed, has stamped it again (services/regional_gateway/restamp.py).

`stamp_failing` judges a signed e-document (the portal: a relayed result); `gateway_stamp_failing` the
signed application of a delivery (the provider)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509

from shared.eds.certs import holder_bin, holder_type
from shared.eds.signing import b64url_decode
from shared.errors import AppError

if TYPE_CHECKING:
    from shared.bus.envelope import Envelope

STAMP_ALERT = "alert: gateway stamp certificate unusable"
"""The event logged (at error) for a document held up by the gateway's own stamping certificate."""
OWN_CREDENTIAL_FAILURES = ("EDS_CERT_REVOKED", "EDS_CERT_EXPIRED")
"""What a certificate of the system itself may fail with, and the system can mend by renewing it."""


def gateway_stamp_failing(envelope: Envelope, error: AppError, *, gateway_bin: str) -> dict[str, Any] | None:
    """`stamp_failing` for the delivery ``envelope`` carries (``{"signed", "registration"}``): its ``signed``."""
    signed = envelope.document.get("signed") if isinstance(envelope.document, dict) else None
    return stamp_failing(signed, error, gateway_bin=gateway_bin)


def stamp_failing(signed: Any, error: AppError, *, gateway_bin: str) -> dict[str, Any] | None:
    """When ``error`` (from verifying ``signed``) is the registration stamp's certificate — a system
    certificate of ``gateway_bin`` — being revoked or expired, and not the author's: what names it (its
    serial, the registration number it stamped); else None (the document's own fault, a refusal). The
    verifier checked every signature before it judged validity and revocation, so the certificates in
    the headers are the ones it judged; it judges the signatures in order, so the author's certificate
    passed the check the stamp's failed."""
    if error.code not in OWN_CREDENTIAL_FAILURES:
        return None
    members = _members(signed)
    if members is None:
        return None
    failing = [(header, leaf) for header, leaf in members if _fails_with(leaf, header, error)]
    if not failing or any(header.get("role") != "registration" for header, _ in failing):
        return None  # the author's certificate (or one that is not a stamp) is at fault
    header, leaf = failing[0]
    if holder_bin(leaf) != gateway_bin or holder_type(leaf) != "system":
        return None
    return {"serial": f"{leaf.serial_number:x}", "registration_number": str(header.get("regNum", ""))[:40]}


def _members(signed: Any) -> list[tuple[dict[str, Any], x509.Certificate]] | None:
    """Each signature's protected header and leaf certificate (unverified: the verifier has checked them)."""
    if not isinstance(signed, dict) or not isinstance(signed.get("signatures"), list):
        return None
    members = []
    try:
        for member in signed["signatures"]:
            header = json.loads(b64url_decode(str(member["protected"])))
            leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
            members.append((header, leaf))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return members


def _fails_with(leaf: x509.Certificate, header: dict[str, Any], error: AppError) -> bool:
    if error.code == "EDS_CERT_REVOKED":
        return f"{leaf.serial_number:x}" == error.details.get("serial")
    not_after = leaf.not_valid_after_utc
    if error.details.get("not_after") == not_after.isoformat():
        return True
    signed_at = str(header.get("sigT", ""))
    try:
        at = datetime.fromisoformat(signed_at.removesuffix("Z")).replace(tzinfo=UTC)
    except ValueError:
        at = datetime.now(UTC)
    return max(at, datetime.now(UTC)) > not_after
