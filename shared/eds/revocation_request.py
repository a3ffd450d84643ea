"""The revocation request a certificate's holder signs for the test NCA (architecture §5): "revoke my
certificate <serial>, for <reason>", signed (`shared.eds.signing.sign`) with the key of the very
certificate to revoke, SIGN or AUTH. The NCA checks the signature against its own record of that
certificate, never against what the request carries, so only the key's holder can revoke with it.

    signed = sign(revocation_request(signer.chain[0], "keyCompromise"), signer)
    POST /nca/v1/certificates/<serial>/revoke  {"reason": "keyCompromise", "signed": signed}
"""

from __future__ import annotations

from typing import Literal

from cryptography import x509
from pydantic import ConfigDict, Field

from shared.eds.certs import holder_bin, holder_iin
from shared.eds.document import Author, EDocument

REVOCATION_REQUEST = "nca/revocation-request@1"

Reason = Literal[
    "unspecified",
    "keyCompromise",
    "cACompromise",
    "affiliationChanged",
    "superseded",
    "cessationOfOperation",
    "certificateHold",
    "privilegeWithdrawn",
]
"""RFC 5280 §5.3.1 reasons, by name (the NCA's revocation reasons)."""


class RevocationRequest(EDocument):
    """``author`` is the certificate's holder: the IIN (and BIN) its subject names."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["nca/revocation-request@1"] = "nca/revocation-request@1"
    serial: str = Field(pattern=r"^[0-9a-f]{1,40}$", description="the certificate to revoke: its serial, lowercase hex")
    reason: Reason = Field(description="RFC 5280 §5.3.1 reason, by name; the request body must name the same")


def serial_of(certificate: x509.Certificate) -> str:
    """A certificate's serial as the NCA writes it: lowercase hex without leading zeros."""
    return f"{certificate.serial_number:x}"


def revocation_request(certificate: x509.Certificate, reason: Reason) -> RevocationRequest:
    """The request to revoke ``certificate``, authored by its holder (as its subject names them)."""
    iin, bin_ = holder_iin(certificate), holder_bin(certificate)
    return RevocationRequest(author=Author(iin=iin, bin=bin_), serial=serial_of(certificate), reason=reason)
